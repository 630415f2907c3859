#include "train/quantized_probe.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Generator.h>

#include <mutex>

#include "train/evaluation.h"

namespace qn {
namespace {

// The CPU generator's state, restored on destruction (the probe's forwards in training
// mode may draw dropout masks).
class KeepRandomState {
 public:
  KeepRandomState() : state_(at::detail::getDefaultCPUGenerator().get_state()) {}
  ~KeepRandomState() {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state_);
  }
  KeepRandomState(const KeepRandomState&) = delete;
  KeepRandomState& operator=(const KeepRandomState&) = delete;

 private:
  at::Tensor state_;
};

// Every buffer's values (BatchNorm statistics and counters), restored on destruction.
class KeepBuffers {
 public:
  explicit KeepBuffers(torch::nn::Module& model) {
    for (const auto& item : model.named_buffers()) {
      buffers_.push_back(item.value());
      saved_.push_back(item.value().clone());
    }
  }
  ~KeepBuffers() {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < buffers_.size(); ++i) buffers_[i].copy_(saved_[i]);
  }
  KeepBuffers(const KeepBuffers&) = delete;
  KeepBuffers& operator=(const KeepBuffers&) = delete;

 private:
  std::vector<torch::Tensor> buffers_, saved_;
};

}  // namespace

double probe_metric(TaskModel& model, const TaskData& data, const RunConfig& config,
                    const CancelToken* cancel) {
  const KeepRandomState random_state;
  const KeepBuffers statistics(*model.module);
  recalibrate_batchnorm(*model.module, model.forward, data.train, config.train.batch_size,
                        kProbeRecalibrationBatches, config.train.seed, cancel);
  return evaluate(*model.module, model.forward, data.evaluation, cancel).metric(data.metric_name);
}

}  // namespace qn
