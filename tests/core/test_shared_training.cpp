// Sweeps that train once, and what iPQ records of its stages, on real (tiny) Fashion-MNIST
// runs: which configs share a training (training_key), a shared run's result equal bit for
// bit to the same run trained on its own, the kept model dropped once no run needs it, and
// the stage metrics of iPQ and one-shot PQ.
#include <zlib.h>

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "config/run_config.h"
#include "config/config_fingerprints.h"
#include "store/run_store.h"
#include "sweep/run_queue.h"
#include "train/run_checkpoint.h"
#include "train/training_run.h"

using namespace qn;
using nlohmann::json;

namespace {

uint32_t big_endian_at(const std::vector<uint8_t>& bytes, size_t offset) {
  return uint32_t{bytes[offset]} << 24 | uint32_t{bytes[offset + 1]} << 16 |
         uint32_t{bytes[offset + 2]} << 8 | uint32_t{bytes[offset + 3]};
}

// The first `train` and `test` examples of Debian's Fashion-MNIST as raw IDX files in
// `folder` (task idx): 1,000 test images keep each stage's evaluation cheap.
void write_fashion_subset(const std::string& folder, uint32_t train, uint32_t test) {
  for (const auto& [stem, count] :
       {std::pair{"train-images-idx3-ubyte", train}, std::pair{"train-labels-idx1-ubyte", train},
        std::pair{"t10k-images-idx3-ubyte", test}, std::pair{"t10k-labels-idx1-ubyte", test}}) {
    const auto source = std::string("/usr/share/datasets/fashion-mnist/") + stem + ".gz";
    gzFile in = gzopen(source.c_str(), "rb");
    QVERIFY2(in, source.c_str());
    std::vector<uint8_t> bytes;
    std::vector<char> buffer(1 << 16);
    for (int n; (n = gzread(in, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0;) {
      bytes.insert(bytes.end(), buffer.begin(), buffer.begin() + n);
    }
    gzclose(in);
    const size_t dimensions = bytes[3];
    size_t item = 1;
    for (size_t d = 1; d < dimensions; ++d) item *= big_endian_at(bytes, 4 + 4 * d);
    for (int i = 0; i < 4; ++i) bytes[4 + static_cast<size_t>(i)] = static_cast<uint8_t>(count >> (24 - 8 * i));
    bytes.resize(4 + 4 * dimensions + count * item);
    std::ofstream(folder + "/" + stem, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
}

QTemporaryDir data_folder;

json tiny(json quant, json noise = {{"mode", "none"}}) {
  json config = {{"device", "cpu"},
                 {"task", "idx"},
                 {"data", {{"dir", data_folder.path().toStdString()}}},
                 {"model", {{"width", 16}, {"hidden", 32}}},
                 {"train", {{"max_steps", 8}, {"batch_size", 32}, {"seed", 5}}},
                 {"quant", std::move(quant)},
                 {"noise", std::move(noise)}};
  return to_json(parse_run_config(config));
}

std::string key_of(const json& config) { return training_key(config); }

// The compressed model as numbers: every stored tensor, decoded.
std::vector<torch::Tensor> decoded(const RunResult& result) {
  std::vector<torch::Tensor> tensors;
  for (const auto& [name, tensor] : result.compressed.tensors()) tensors.push_back(tensor->decode());
  return tensors;
}

void require_same_result(const RunResult& shared, const RunResult& own) {
  QCOMPARE(shared.metric, own.metric);
  QCOMPARE(shared.float_metric, own.float_metric);
  QCOMPARE(shared.steps, own.steps);
  QCOMPARE(shared.size.total_bytes(), own.size.total_bytes());
  const auto a = decoded(shared), b = decoded(own);
  QCOMPARE(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) QVERIFY(torch::equal(a[i], b[i]));
  QCOMPARE(shared.stages.size(), own.stages.size());
  for (size_t i = 0; i < own.stages.size(); ++i) {
    QCOMPARE(shared.stages[i].metric_after_quantization, own.stages[i].metric_after_quantization);
    QCOMPARE(shared.stages[i].metric_after_finetune, own.stages[i].metric_after_finetune);
  }
}

struct Steps : TrainingObserver {
  std::vector<double> losses;
  std::vector<EvalEvent> evaluations;
  void on_step(const StepEvent& event) override { losses.push_back(event.loss); }
  void on_eval(const EvalEvent& event) override { evaluations.push_back(event); }
};

}  // namespace

class TestSharedTraining : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::string path(const char* name) { return dir_.filePath(name).toStdString(); }

 private Q_SLOTS:
  void initTestCase() { write_fashion_subset(data_folder.path().toStdString(), 512, 1000); }

  void post_training_choices_share_a_training() {
    const auto int8 = tiny({{"method", "int"}, {"bits", 8}});
    // Without noise, the quantizer is chosen after training: every one shares.
    QCOMPARE(key_of(tiny({{"method", "int"}, {"bits", 4}, {"observer", "histogram"}})), key_of(int8));
    QCOMPARE(key_of(tiny({{"method", "pq"}, {"centroids", 16}, {"exclude", {"stem"}}})), key_of(int8));
    QCOMPARE(key_of(tiny({{"method", "none"}})), key_of(int8));
    auto pruned = int8;
    pruned["model"]["keep_layers"] = json::array();
    pruned["device"] = "auto";
    QCOMPARE(key_of(pruned), key_of(int8));
    // Anything training reads does not.
    for (const auto& [section, key, value] :
         std::vector<std::tuple<std::string, std::string, json>>{{"train", "lr", 0.01},
                                                                 {"train", "seed", 6},
                                                                 {"model", "hidden", 64},
                                                                 {"data", "train_limit", 256}}) {
      auto other = int8;
      other[section][key] = value;
      QVERIFY2(key_of(other) != key_of(int8), (section + "." + key).c_str());
    }
    // The evaluation sample shapes the training curve, but at its default it is left out of
    // both keys, so that runs stored before it existed keep theirs.
    auto sampled = int8;
    sampled["data"]["eval_limit"] = 1000;
    QVERIFY(key_of(sampled) != key_of(int8));
    QVERIFY(config_hash(sampled) != config_hash(int8));
    auto before_the_key = int8;
    before_the_key["data"].erase("eval_limit");
    QCOMPARE(key_of(before_the_key), key_of(int8));
    QCOMPARE(config_hash(before_the_key), config_hash(int8));
    // With noise, the noise's quantizer is part of training; what it does not read is not.
    const json quant_noise = {{"mode", "quant-noise"}, {"p", 0.1}};
    const auto int4_qn = tiny({{"method", "int"}, {"bits", 4}}, quant_noise);
    QVERIFY(key_of(int4_qn) != key_of(tiny({{"method", "int"}, {"bits", 4}})));
    QVERIFY(key_of(int4_qn) != key_of(tiny({{"method", "int"}, {"bits", 8}}, quant_noise)));
    QCOMPARE(key_of(tiny({{"method", "int"}, {"bits", 4}, {"centroids", 16}, {"plain_bits", 16}},
                         quant_noise)),
             key_of(int4_qn));
    const json pq_noise = {{"mode", "quant-noise"}, {"p", 0.1}, {"form", "proxy"}};
    const auto ipq = tiny({{"method", "ipq"}, {"finetune_steps", 4}}, pq_noise);
    QCOMPARE(key_of(tiny({{"method", "pq"}, {"centroids", 8}}, pq_noise)), key_of(ipq));
    QVERIFY(key_of(tiny({{"method", "pq"}, {"block_size", 4}}, pq_noise)) != key_of(ipq));
    QVERIFY(key_of(tiny({{"method", "ipq"}}, {{"mode", "quant-noise"}, {"p", 0.2}})) != key_of(ipq));
  }

  void a_shared_run_equals_a_run_trained_on_its_own() {
    const json pq_noise = {{"mode", "quant-noise"}, {"p", 0.2}, {"form", "proxy"}};
    const std::vector<json> sweep = {
        tiny({{"method", "int"}, {"bits", 8}}),
        tiny({{"method", "pq"}, {"centroids", 16}}),
        tiny({{"method", "int"}, {"bits", 4}, {"exclude", {"^stem"}}}),
        tiny({{"method", "ipq"}, {"finetune_steps", 3}}, pq_noise),
        tiny({{"method", "ipq"}, {"finetune_steps", 2}, {"distillation", 0.5}}, pq_noise),
    };
    RunStore store(path("shared.sqlite"));
    std::vector<int64_t> ids;
    for (const auto& config : sweep) ids.push_back(store.add_run(config));
    std::vector<RunResult> results;
    for (const auto id : ids) {
      const auto claimed = store.claim_next("cpu");
      QCOMPARE(claimed->id, id);
      results.push_back(execute_run(store, *claimed, nullptr, nullptr));
    }
    // Two trainings for five runs: the first of each key trained, the others reused it.
    const std::vector<bool> shared = {false, true, true, false, true};
    for (size_t i = 0; i < sweep.size(); ++i) {
      QCOMPARE(results[i].shared_training, bool(shared[i]));
      Steps own_steps;
      const auto own = run_training(parse_run_config(sweep[i]), &own_steps, nullptr);
      QVERIFY(!own.shared_training);
      require_same_result(results[i], own);
      // The shared run's curve is its training's, replayed into the store.
      const auto curve = store.metrics(ids[i]);
      std::vector<double> losses;  // training's 8 steps, then iPQ's fine-tuning
      for (const auto& point : curve) {
        if (point.name == "loss") losses.push_back(point.value);
      }
      QCOMPARE(losses, own_steps.losses);
      QVERIFY(losses.size() >= 8);
    }
    // Nothing is left queued, so no kept model is either.
    auto kept = store.database().prepare("SELECT count(*) FROM trained_models");
    kept.step();
    QCOMPARE(kept.integer(0), int64_t{0});
  }

  void ipq_records_each_stage_before_and_after_fine_tuning() {
    const auto config = parse_run_config(
        tiny({{"method", "ipq"}, {"finetune_steps", 3}, {"centroids", 16}},
             {{"mode", "quant-noise"}, {"p", 0.1}, {"form", "proxy"}}));
    Steps events;
    const auto result = run_training(config, &events, nullptr);
    // The ConvNet's stages: stem | blocks.0 | blocks.1 | blocks.2 | hidden and classifier.
    QCOMPARE(result.stages.size(), size_t{5});
    QCOMPARE(result.stages.front().layers, std::vector<std::string>{"stem"});
    int reported = 0;
    for (size_t i = 0; i < result.stages.size(); ++i) {
      const auto& stage = result.stages[i];
      QVERIFY(stage.metric_after_quantization > 0.05 && stage.metric_after_quantization <= 1);
      QVERIFY(stage.metric_after_finetune.has_value());
      for (const auto& event : events.evaluations) {
        if (event.step != static_cast<int64_t>(i + 1)) continue;
        if (event.metric_name == "accuracy_after_quantization") {
          QCOMPARE(event.metric, stage.metric_after_quantization);
          ++reported;
        } else if (event.metric_name == "accuracy_after_finetune") {
          QCOMPARE(event.metric, *stage.metric_after_finetune);
          ++reported;
        }
      }
    }
    QCOMPARE(reported, 10);
    // After the last stage's fine-tuning the model is the compressed one but for fp16
    // codebooks: the same accuracy within a few test images.
    QVERIFY(std::abs(*result.stages.back().metric_after_finetune - result.metric) < 0.01);
    QVERIFY(result.metric_before_finetune.has_value());

    // Measuring changes nothing: without fine-tuning, iPQ is one-shot PQ of the same layers
    // from the same trained model, and its last stage metric is the run's metric.
    auto no_finetune = config;
    no_finetune.quant.finetune_steps = 0;
    const auto plain = run_training(no_finetune, nullptr, nullptr);
    QVERIFY(!plain.metric_before_finetune.has_value());
    QVERIFY(!plain.stages.back().metric_after_finetune.has_value());
    QVERIFY(std::abs(plain.stages.back().metric_after_quantization - plain.metric) < 0.01);
    QVERIFY(std::abs(*result.metric_before_finetune - plain.metric) < 0.01);
  }

  void one_shot_pq_is_one_stage() {
    const auto result = run_training(parse_run_config(tiny({{"method", "pq"}, {"centroids", 16}})),
                                     nullptr, nullptr);
    QCOMPARE(result.stages.size(), size_t{1});
    const auto& layers = result.stages[0].layers;
    QCOMPARE(layers.front(), std::string("stem"));
    QCOMPARE(layers.back(), std::string("classifier"));
    QVERIFY(layers.size() >= 8);  // the stem, each block's convolutions, hidden, classifier
    QCOMPARE(result.stages[0].metric_after_quantization, result.metric);
  }

  void activation_aware_pq_shares_the_training_and_reports_its_calibration() {
    // The stem and depthwise convolutions at int8, the classifier excluded: activation-aware
    // PQ weighs the other layers' k-means only.
    const json quant = {{"method", "pq"},
                        {"centroids", 16},
                        {"calibration_batches", 4},
                        {"exclude", {"^classifier$"}},
                        {"layers", {{{"pattern", "^stem$|depthwise"}, {"method", "int"}}}}};
    auto aware_quant = quant;
    aware_quant["pq_objective"] = "activations";
    const auto plain_config = tiny(quant, {{"mode", "quant-noise"}, {"p", 0.1}});
    const auto aware_config = tiny(aware_quant, {{"mode", "quant-noise"}, {"p", 0.1}});
    QCOMPARE(key_of(aware_config), key_of(plain_config));

    const auto plain = run_training(parse_run_config(plain_config), nullptr, nullptr);
    const auto aware = run_training(parse_run_config(aware_config), nullptr, nullptr);
    QCOMPARE(plain.calibration_seconds, 0.0);
    QVERIFY(aware.calibration_seconds > 0);
    QCOMPARE(aware.stages.at(0).calibration_seconds, aware.calibration_seconds);
    QCOMPARE(result_summary(aware)["calibration_seconds"].get<double>(), aware.calibration_seconds);
    QVERIFY(aware.metric > 0 && aware.metric <= 1);
    QCOMPARE(aware.size.total_bytes(), plain.size.total_bytes());
    // The int8 and excluded layers' parameters are the same; the product-quantized ones
    // differ (and so do BatchNorm's statistics, re-estimated after them).
    const auto& ours = aware.compressed.tensors();
    const auto& theirs = plain.compressed.tensors();
    QCOMPARE(ours.size(), theirs.size());
    int differing = 0;
    for (size_t i = 0; i < ours.size(); ++i) {
      const bool same = torch::equal(ours[i].tensor->decode(), theirs[i].tensor->decode());
      if (ours[i].tensor->method().rfind("pq", 0) == 0) {
        differing += same ? 0 : 1;
      } else if (ours[i].name.find("running_") == std::string::npos) {
        QVERIFY2(same, ours[i].name.c_str());
      }
    }
    QVERIFY(differing >= 4);
  }

  void ipq_gathers_each_stage_statistics() {
    const auto config = parse_run_config(tiny({{"method", "ipq"},
                                               {"centroids", 16},
                                               {"finetune_steps", 2},
                                               {"pq_objective", "activations"},
                                               {"calibration_batches", 2}}));
    const auto result = run_training(config, nullptr, nullptr);
    double staged = 0;
    for (const auto& stage : result.stages) {
      QVERIFY(stage.calibration_seconds > 0);
      staged += stage.calibration_seconds;
    }
    // Also the statistics of the metric without fine-tuning (on a copy of the model).
    QVERIFY(result.calibration_seconds > staged);
  }
};

QTEST_GUILESS_MAIN(TestSharedTraining)
#include "test_shared_training.moc"
