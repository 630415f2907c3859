// The engine on the test device against the same engine on the CPU (check/device_parity.h):
// on a GPU host (QNS_TEST_DEVICE=cuda, experiments/gpu/run.sh) CUDA against the CPU; here,
// where the device is the CPU, that every computation repeats exactly.
#include <torch/cuda.h>

#include "check/device_parity.h"
#include "test_support.h"

class TestDeviceParity : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void the_device_computes_what_the_cpu_computes() {
    const auto device = qn::test::test_device();
    QVERIFY2(!device.is_cuda() || torch::cuda::is_available(),
             "QNS_TEST_DEVICE asks for CUDA, which this LibTorch cannot reach");
    const auto results = qn::run_device_parity_checks(device);
    QCOMPARE(results.size(), size_t{5});
    for (const auto& result : results) {
      qInfo("%s: %s", result.name.c_str(), result.detail.c_str());
      QVERIFY2(result.passed, (result.name + ": " + result.detail).c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TestDeviceParity)
#include "test_device_parity.moc"
