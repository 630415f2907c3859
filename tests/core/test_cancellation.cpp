// Cancellation reaches every stage of a run: k-means, weight compression, BatchNorm
// re-estimation and evaluation each stop with RunCancelled, at once when cancelled in
// advance (without doing any work) and early when cancelled from another thread.
#include <torch/types.h>

#include <QtTest>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "nn/convnet.h"
#include "quant/kmeans.h"
#include "test_support.h"
#include "train/evaluation.h"
#include "train/model_compression.h"

using namespace qn;
using qn::test::seeded_randn;

namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

// One call of a stage, given its token (nullptr: not cancellable).
using Work = std::function<void(const CancelToken*)>;

bool throws_run_cancelled(const Work& work, const CancelToken& token) {
  try {
    work(&token);
  } catch (const RunCancelled&) {
    return true;
  }
  return false;
}

// Cancelled in advance: the call throws RunCancelled.
bool stops_when_cancelled_in_advance(const Work& work) {
  CancelToken token;
  token.cancel();
  return throws_run_cancelled(work, token);
}

double seconds_to_finish(const Work& work) {
  const auto start = Clock::now();
  work(nullptr);
  return Seconds(Clock::now() - start).count();
}

// Seconds the call ran when another thread cancels its token after `delay`; negative if it
// finished without noticing.
double seconds_until_cancelled(const Work& work, Seconds delay) {
  CancelToken token;
  std::thread canceller([&] {
    std::this_thread::sleep_for(delay);
    token.cancel();
  });
  const auto start = Clock::now();
  const bool cancelled = throws_run_cancelled(work, token);
  const double seconds = Seconds(Clock::now() - start).count();
  canceller.join();
  return cancelled ? seconds : -1;
}

// Cancelled a tenth of the way through, the call must stop before half its uncancelled
// time, both measured here: a loaded machine stretches both alike, and the margin is wide.
void verify_cancelling_midway_stops_early(const Work& work) {
  const double full = seconds_to_finish(work);
  const double cancelled = seconds_until_cancelled(work, Seconds(full / 10));
  const auto report = QString("uncancelled %1 s, cancelled after %2 s: stopped at %3 s")
                          .arg(full)
                          .arg(full / 10)
                          .arg(cancelled);
  qInfo("%s", qPrintable(report));
  QVERIFY2(cancelled >= 0, qPrintable("ran to the end: " + report));
  QVERIFY2(cancelled < full / 2, qPrintable(report));
}

// Fashion-MNIST-shaped random images.
Examples random_images(int64_t count, uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return {torch::randn({count, 1, 28, 28}, generator, torch::kFloat),
          torch::randint(0, 10, {count}, generator, torch::kLong)};
}

// The ConvNet preset's model, and a forward that counts its calls.
struct CountedConvNet {
  ConvNet model{ConvNetOptions{}};
  std::atomic<int> forwards{0};
  Forward forward = [this](const torch::Tensor& x) {
    ++forwards;
    return model->forward(x);
  };
};

std::vector<torch::Tensor> state_of(torch::nn::Module& model) {
  std::vector<torch::Tensor> state;
  for (const auto& p : model.parameters()) state.push_back(p.detach().clone());
  for (const auto& b : model.buffers()) state.push_back(b.detach().clone());
  return state;
}

bool same_state(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!torch::equal(a[i], b[i])) return false;
  }
  return true;
}

}  // namespace

class TestCancellation : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void init() { torch::manual_seed(0); }

  void kmeans_cancelled_in_advance_runs_no_iteration() {
    int iterations = 0;
    KMeansOptions options;
    options.centroids = 16;
    options.iterations = 5;
    options.on_iteration = [&](int, double) { ++iterations; };
    const auto points = seeded_randn({1000, 4}, 1);
    QVERIFY(stops_when_cancelled_in_advance([&](const CancelToken* cancel) {
      auto cancellable = options;
      cancellable.cancel = cancel;
      kmeans(points, cancellable);
    }));
    QCOMPARE(iterations, 0);
  }

  // One long iteration, then the final assignment: only checks between distance chunks
  // can stop it before half its time.
  void kmeans_stops_within_an_iteration() {
    const auto points = seeded_randn({1 << 20, 8}, 2);
    verify_cancelling_midway_stops_early([&](const CancelToken* cancel) {
      KMeansOptions options;
      options.centroids = 256;
      options.iterations = 1;
      options.cancel = cancel;
      kmeans(points, options);
    });
  }

  void compression_cancelled_in_advance_leaves_every_weight() {
    ConvNet model{ConvNetOptions{}};
    const auto before = state_of(*model);
    QuantConfig quant;
    quant.method = QuantMethod::PQ;
    QVERIFY(stops_when_cancelled_in_advance(
        [&](const CancelToken* cancel) { compress_weights(*model, quant, 0, cancel); }));
    QVERIFY(same_state(state_of(*model), before));
  }

  void compression_stops_early() {
    QuantConfig quant;
    quant.method =
        QuantMethod::PQ;  // k-means of K = 256 on every layer, the hidden one's 125,440 blocks
    verify_cancelling_midway_stops_early([&](const CancelToken* cancel) {
      torch::manual_seed(0);
      ConvNet model{ConvNetOptions{}};
      compress_weights(*model, quant, 0, cancel);
    });
  }

  void batchnorm_cancelled_in_advance_keeps_its_statistics() {
    CountedConvNet net;
    const auto before = state_of(*net.model);
    const auto train = random_images(256, 3);
    QVERIFY(stops_when_cancelled_in_advance([&](const CancelToken* cancel) {
      recalibrate_batchnorm(*net.model, net.forward, train, 64, 4, 0, cancel);
    }));
    QCOMPARE(net.forwards.load(), 0);
    QVERIFY(same_state(state_of(*net.model), before));
  }

  void batchnorm_reestimation_stops_early() {
    CountedConvNet net;
    const auto train = random_images(100 * 64, 4);
    verify_cancelling_midway_stops_early([&](const CancelToken* cancel) {
      recalibrate_batchnorm(*net.model, net.forward, train, /*batch_size=*/64,
                            /*batches=*/100, 0, cancel);
    });
  }

  void evaluation_cancelled_in_advance_runs_no_batch() {
    CountedConvNet net;
    const auto data = random_images(256, 5);
    QVERIFY(stops_when_cancelled_in_advance(
        [&](const CancelToken* cancel) { evaluate(*net.model, net.forward, data, cancel); }));
    QCOMPARE(net.forwards.load(), 0);
  }

  void evaluation_stops_early() {
    CountedConvNet net;
    const auto data = random_images(100 * 64, 6);
    verify_cancelling_midway_stops_early([&](const CancelToken* cancel) {
      evaluate(*net.model, net.forward, data, cancel, /*batch_size=*/64);
    });
  }
};

QTEST_GUILESS_MAIN(TestCancellation)
#include "test_cancellation.moc"
