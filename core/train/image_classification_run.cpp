#include "train/image_classification_run.h"

#include <chrono>

#include "common/error.h"
#include "common/runtime.h"
#include "data/labelled_images.h"
#include "nn/convnet.h"
#include "train/classifier_training.h"
#include "train/ipq.h"
#include "train/model_compression.h"
#include "train/noise_attachment.h"

namespace qn {
namespace {

constexpr const char* kFashionMnistFolder = "/usr/share/datasets/fashion-mnist";
constexpr int64_t kRecalibrationBatches = 100;

// Standardises both splits with the training set's mean and deviation.
void standardise(ImageSplits& splits) {
  const auto mean = splits.train.images.mean();
  const auto deviation = splits.train.images.std().clamp_min(1e-6);
  splits.train.images = (splits.train.images - mean) / deviation;
  splits.test.images = (splits.test.images - mean) / deviation;
}

void move_to(LabelledImages& set, const torch::Device& device) {
  set.images = set.images.to(device);
  set.labels = set.labels.to(device);
}

}  // namespace

std::string image_folder(const RunConfig& config) {
  if (!config.data.dir.empty()) return config.data.dir;
  if (config.task == "fashion-mnist") return kFashionMnistFolder;
  throw InputError("task '" + config.task + "' needs data.dir (a folder of IDX files)");
}

RunResult run_image_classification(const RunConfig& config, TrainingObserver* observer,
                                   const CancelToken* cancel) {
  const auto started = std::chrono::steady_clock::now();
  const auto device = resolve_device(config.device);
  torch::manual_seed(config.train.seed);

  auto splits = load_idx_folder(image_folder(config), config.data.train_limit);
  standardise(splits);
  move_to(splits.train, device);
  move_to(splits.test, device);

  ConvNetOptions options;
  options.in_channels = splits.train.images.size(1);
  options.image_size = splits.train.images.size(2);
  options.classes = splits.train.classes;
  options.width = config.model.width;
  options.hidden = config.model.hidden;
  ConvNet model(options);
  model->to(device);
  const Forward forward = [&](const torch::Tensor& x) { return model->forward(x); };
  attach_noise(*model, config.quant, config.noise, config.train.seed);

  RunResult result;
  result.metric_name = "accuracy";
  result.device = describe_device(device);
  if (observer) observer->on_stage("training");
  result.steps = train_classifier(*model, forward, splits.train, config.train, observer, cancel);
  result.float_metric = classification_accuracy(*model, forward, splits.test);

  if (config.quant.method == "ipq") {
    run_ipq(*model, forward, splits.train, config, observer, cancel);
  }
  if (observer) observer->on_stage("compressing");
  result.size = compress_model(*model, config.quant, config.train.seed);
  if (config.quant.method != "none") {
    recalibrate_batchnorm(*model, forward, splits.train, config.train.batch_size,
                          kRecalibrationBatches, config.train.seed);
  }
  if (observer) observer->on_stage("evaluating");
  result.metric = classification_accuracy(*model, forward, splits.test);
  if (observer) observer->on_eval({result.steps, result.metric_name, result.metric});
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace qn
