#include "train/training_run.h"

#include <chrono>

#include "common/runtime.h"
#include "common/sha256.h"
#include "config/layer_quant.h"
#include "config/config_fingerprints.h"
#include "data/task_data.h"
#include "data/vocabulary.h"
#include "distributed/data_parallel.h"
#include "train/compressed_model_loader.h"
#include "train/distillation.h"
#include "train/evaluation.h"
#include "train/input_moments.h"
#include "train/ipq.h"
#include "train/model_compression.h"
#include "train/model_probe.h"
#include "train/noise_attachment.h"
#include "train/quantized_probe.h"
#include "train/run_check.h"
#include "train/task_model.h"
#include "train/trained_model.h"
#include "train/trained_run.h"

namespace qn {
namespace {

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

// Trains the model, or loads the model a run of the same training kept in `cache` and
// replays its training's events. Returns the training's steps; sets `shared`.
int64_t train_or_reuse(TaskModel& model, const TaskData& data, const RunConfig& config,
                       const torch::Device& device, TrainingObserver* observer,
                       const CancelToken* cancel, TrainedModelCache* cache,
                       DataParallel* parallel, bool& shared) {
  shared = false;
  // Compress only (a pretrained model, train.epochs = max_steps = 0): no step is taken.
  if (is_compress_only(config.train)) return 0;
  const auto key = training_key(to_json(config));
  const auto device_name = describe_device(device);
  if (cache && !parallel) {  // only rank 0 has the store: its peers would train alone
    if (const auto kept = cache->find(key, device_name)) {
      report_stage(observer, "training (shared: trained by an earlier run)");
      load_model_state(*model.module, kept->state);
      if (observer) TrainingLog::from_json(nlohmann::json::parse(kept->events)).replay(*observer);
      shared = true;
      return kept->steps;
    }
  }
  report_stage(observer, "training");
  TrainingLog log(observer);
  PeriodicEvaluation periodic(model, data.evaluation, data.metric_name, config.train.eval_every,
                              &log, cancel);
  const auto steps =
      train_model(*model.module, model.forward, data.train, config.train,
                  parallel && parallel->rank() != 0 ? nullptr : &periodic, cancel, {}, parallel);
  if (cache && cache->wants(key)) {
    cache->keep(key, device_name, {save_model_state(*model.module), log.to_json().dump(), steps});
  }
  return steps;
}

double calibration_seconds(const std::vector<StageResult>& stages) {
  double seconds = 0;
  for (const auto& stage : stages) seconds += stage.calibration_seconds;
  return seconds;
}

// iPQ's metric with every stage quantized from the trained model and no fine-tuning, on a
// copy (the run goes on from `trained` unchanged). Adds its statistics' time to
// `calibration`.
double metric_without_finetuning(const RunConfig& config, const TaskData& data, TaskModel& trained,
                                 const torch::Device& device, const CancelToken* cancel,
                                 double& calibration) {
  auto one_shot = config;
  one_shot.quant.finetune_steps = 0;
  auto copy = make_task_model(config, data, device);
  copy.prune();
  copy_model_state(*trained.module, *copy.module);
  calibration += calibration_seconds(run_ipq(*copy.module, copy.forward, data.train, one_shot,
                                             copy.default_ipq_stages, nullptr, cancel));
  return probe_metric(copy, data, config, cancel);
}

}  // namespace

uint64_t post_training_seed(uint64_t seed) { return seed ^ 0x9e3779b97f4a7c15ull; }

TrainedRun train_run_model(const RunConfig& config, TrainingObserver* observer,
                           const CancelToken* cancel, TrainedModelCache* trained_models,
                           DataParallel* parallel) {
  TrainedRun run;
  run.device = resolve_device(config.device);
  torch::manual_seed(config.train.seed);

  report_stage(observer, "loading data");
  run.data = load_task_data(config, run.device);
  run.model = make_task_model(config, run.data, run.device);
  if (config.task == "text-classification") {  // first: a too-small embedding fails the probe
    check_vocabulary_fits(run.model, run.data, config.data.tokenizer);
  }
  if (is_scripted_model(config.model)) {  // the real input now, and the real classes
    try {
      check_model_output(
          run.model, run.data.evaluation.slice(0, std::min<int64_t>(2, run.data.evaluation.size())),
          run.data.classes, config.model.path);
    } catch (const InputError& error) {
      if (!is_language_model_task(config.task)) throw;
      // A language model too small for the corpus fails in its embedding: say why.
      throw InputError(std::string(error.what()) + " (a language model here needs at least the " +
                       std::to_string(run.data.classes) + " words of the corpus's vocabulary, " +
                       "as inputs and as outputs; data.vocabulary_cap caps it)");
    }
  }
  attach_noise(*run.model.module, config.quant, config.noise, config.train.seed);
  run.steps = train_or_reuse(run.model, run.data, config, run.device, observer, cancel,
                             trained_models, parallel, run.shared_training);
  return run;
}

RunResult run_training(const RunConfig& config, TrainingObserver* observer,
                       const CancelToken* cancel, TrainedModelCache* trained_models,
                       DataParallel* parallel) {
  const auto started = std::chrono::steady_clock::now();
  // First, so that a queued run that cannot finish fails at once; before the seed, as the
  // check builds a model from the global random stream.
  check_before_training(config);
  auto trained = train_run_model(config, observer, cancel, trained_models, parallel);
  const auto& data = trained.data;
  const auto& device = trained.device;
  auto& model = trained.model;
  auto& module = *model.module;

  RunResult result;
  result.metric_name = data.metric_name;
  result.evaluation_split = data.evaluation_split;
  result.data_split = data.split;
  result.labels = data.labels;
  if (!data.words.empty()) result.vocabulary_sha256 = sha256_hex(vocabulary_file_text(data.words));
  result.device = describe_training_device(device, parallel);
  result.steps = trained.steps;
  result.shared_training = trained.shared_training;
  if (parallel && parallel->rank() != 0) return result;  // rank 0 alone takes it from here

  torch::manual_seed(post_training_seed(config.train.seed));
  attach_noise(module, config.quant, config.noise, config.train.seed);  // fresh noise state
  model.prune();
  result.float_metric =
      evaluate(module, model.forward, data.evaluation, cancel).metric(data.metric_name);
  if (observer) {
    observer->on_eval({result.steps, float_metric_name(data.metric_name), result.float_metric});
  }
  for (const auto& further : data.further_evaluations) {
    const double metric = evaluate(module, model.forward, further.examples, cancel).metric(data.metric_name);
    result.further_evaluations.push_back({further.name, metric, 0});
    if (observer) observer->on_eval({result.steps, further_metric_name(float_metric_name(data.metric_name), further.name), metric});
  }

  if (config.quant.method == QuantMethod::IPQ) {
    if (config.quant.finetune_steps > 0) {
      report_stage(observer, "quantizing every stage without fine-tuning");
      result.metric_before_finetune = metric_without_finetuning(config, data, model, device,
                                                                cancel, result.calibration_seconds);
      if (observer) {
        observer->on_eval({0, before_finetune_name(data.metric_name), *result.metric_before_finetune});
      }
    }
    const StageMetric measure = [&](size_t stage, bool after_finetune) {
      const double metric = probe_metric(model, data, config, cancel);
      const auto name = after_finetune ? after_finetune_name(data.metric_name)
                                       : after_quantization_name(data.metric_name);
      if (observer) observer->on_eval({static_cast<int64_t>(stage), name, metric});
      return metric;
    };
    result.stages = run_ipq(module, model.forward, data.train, config, model.default_ipq_stages,
                            observer, cancel, ipq_loss(config, data, model, device), measure);
    result.calibration_seconds += calibration_seconds(result.stages);
  }
  // Activation-aware PQ of the layers still to quantize (one-shot PQ; none after iPQ).
  const auto weighed = activation_aware_layers(compressed_layers(module, config.quant), config.quant);
  if (!weighed.empty()) report_stage(observer, "gathering activation statistics");
  const auto moments = gather_input_moments(module, model.forward, data.train, weighed, config, cancel);
  result.calibration_seconds += moments.seconds;
  report_stage(observer, "compressing");
  result.compressed = compress_weights(module, config.quant, config.train.seed, cancel, moments);
  if (config.quant.method != QuantMethod::None && has_batchnorm(module)) {
    report_stage(observer, "re-estimating BatchNorm");
    recalibrate_batchnorm(module, model.forward, data.train, config.train.batch_size,
                          config.quant.batchnorm_batches, config.train.seed, cancel);
  }
  add_plain_tensors(module, config.quant, result.compressed);
  result.size = result.compressed.size();
  report_stage(observer, "evaluating");
  result.metric = evaluate_compressed_model(config, data, result.compressed, device, cancel)
                      .metric(data.metric_name);
  if (observer) observer->on_eval({result.steps, result.metric_name, result.metric});
  if (!data.further_evaluations.empty()) {
    auto compressed_model = load_compressed_model(config, data, result.compressed, device);
    for (size_t i = 0; i < data.further_evaluations.size(); ++i) {
      const auto& further = data.further_evaluations[i];
      auto& scored = result.further_evaluations[i];
      scored.metric = evaluate(*compressed_model.module, compressed_model.forward, further.examples, cancel)
                          .metric(data.metric_name);
      if (observer) observer->on_eval({result.steps, further_metric_name(data.metric_name, further.name), scored.metric});
    }
  }
  if (config.quant.method == QuantMethod::PQ) {  // one stage: every layer at once
    StageResult stage{{}, result.metric, std::nullopt, moments.seconds};
    for (const auto& layer : compressed_layers(module, config.quant)) {
      if (uses_codebooks(quant_for_layer(config.quant, layer.name).method)) {
        stage.layers.push_back(layer.name);
      }
    }
    result.stages.push_back(std::move(stage));
    if (observer) observer->on_eval({1, after_quantization_name(data.metric_name), result.metric});
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace qn
