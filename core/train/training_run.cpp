#include "train/training_run.h"

#include <chrono>

#include "common/runtime.h"
#include "data/task_data.h"
#include "train/compressed_model_loader.h"
#include "train/distillation.h"
#include "train/evaluation.h"
#include "train/ipq.h"
#include "train/model_compression.h"
#include "train/model_probe.h"
#include "train/noise_attachment.h"
#include "train/run_check.h"
#include "train/task_model.h"

namespace qn {
namespace {

constexpr int64_t kRecalibrationBatches = 100;

void report_stage(TrainingObserver* observer, const std::string& stage) {
  if (observer) observer->on_stage(stage);
}

// The fine-tuning loss of iPQ: distillation from a copy of the trained model, if asked.
LossFunction ipq_loss(const RunConfig& config, const TaskData& data, TaskModel& trained,
                      const torch::Device& device) {
  if (config.quant.distillation <= 0) return {};
  auto teacher = make_task_model(config, data, device);
  teacher.prune();
  copy_model_state(*trained.module, *teacher.module);
  return distillation_loss(teacher, config.quant.distillation);
}

// Passes every event on and, every `every` steps but the last (run_training evaluates the
// trained model anyway), evaluates the model in training on `data` and reports the
// metric under float_metric_name. The model goes back to training mode; its weights,
// statistics and random streams are left as they were, so the run's results are the same.
class PeriodicEvaluation final : public TrainingObserver {
 public:
  PeriodicEvaluation(TaskModel& model, const Examples& data, std::string metric_name, int64_t every,
                     TrainingObserver* next, const CancelToken* cancel)
      : model_(model),
        data_(data),
        metric_name_(std::move(metric_name)),
        every_(every),
        next_(next),
        cancel_(cancel) {}

  void on_step(const StepEvent& event) override {
    if (next_) next_->on_step(event);
    if (every_ <= 0 || event.step % every_ != 0 || event.step == event.total_steps) return;
    const double metric =
        evaluate(*model_.module, model_.forward, data_, cancel_).metric(metric_name_);
    model_.module->train();
    if (next_) next_->on_eval({event.step, float_metric_name(metric_name_), metric});
  }
  void on_eval(const EvalEvent& event) override {
    if (next_) next_->on_eval(event);
  }
  void on_stage(const std::string& stage) override {
    if (next_) next_->on_stage(stage);
  }

 private:
  TaskModel& model_;
  const Examples& data_;
  std::string metric_name_;
  int64_t every_;
  TrainingObserver* next_;
  const CancelToken* cancel_;
};

}  // namespace

RunResult run_training(const RunConfig& config, TrainingObserver* observer,
                       const CancelToken* cancel) {
  const auto started = std::chrono::steady_clock::now();
  // First, so that a queued run that cannot finish fails at once; before the seed, as the
  // check builds a model from the global random stream.
  check_before_training(config);
  const auto device = resolve_device(config.device);
  torch::manual_seed(config.train.seed);

  report_stage(observer, "loading data");
  const auto data = load_task_data(config, device);
  auto model = make_task_model(config, data, device);
  if (is_scripted_model(config.model)) {  // the real input now, and the real classes
    check_model_output(model, data.evaluation.slice(0, std::min<int64_t>(2, data.evaluation.size())),
                       data.classes, config.model.path);
  }
  auto& module = *model.module;
  attach_noise(module, config.quant, config.noise, config.train.seed);

  RunResult result;
  result.metric_name = data.metric_name;
  result.evaluation_split = data.evaluation_split;
  result.device = describe_device(device);
  report_stage(observer, "training");
  PeriodicEvaluation periodic(model, data.evaluation, data.metric_name, config.train.eval_every,
                              observer, cancel);
  // Compress only (a pretrained model, train.epochs = max_steps = 0): no step is taken.
  if (!is_compress_only(config.train)) {
    result.steps =
        train_model(module, model.forward, data.train, config.train, &periodic, cancel);
  }
  model.prune();
  result.float_metric =
      evaluate(module, model.forward, data.evaluation, cancel).metric(data.metric_name);
  if (observer) {
    observer->on_eval({result.steps, float_metric_name(data.metric_name), result.float_metric});
  }

  if (config.quant.method == QuantMethod::IPQ) {
    run_ipq(module, model.forward, data.train, config, model.default_ipq_stages, observer,
            cancel, ipq_loss(config, data, model, device));
  }
  report_stage(observer, "compressing");
  result.compressed = compress_weights(module, config.quant, config.train.seed, cancel);
  if (config.quant.method != QuantMethod::None && has_batchnorm(module)) {
    report_stage(observer, "re-estimating BatchNorm");
    recalibrate_batchnorm(module, model.forward, data.train, config.train.batch_size,
                          kRecalibrationBatches, config.train.seed, cancel);
  }
  add_plain_tensors(module, config.quant, result.compressed);
  result.size = result.compressed.size();
  report_stage(observer, "evaluating");
  result.metric = evaluate_compressed_model(config, data, result.compressed, device, cancel)
                      .metric(data.metric_name);
  if (observer) observer->on_eval({result.steps, result.metric_name, result.metric});
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace qn
