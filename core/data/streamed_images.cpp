#include "data/streamed_images.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "common/error.h"
#include "data/image_folder.h"
#include "data/image_stream.h"

namespace qn {
namespace {

constexpr int64_t kStatisticsImages = 512;
constexpr int64_t kStatisticsBatch = 64;

// The evaluation transform's images, unnormalised: their per-channel mean and deviation,
// summed a batch at a time (512 images at 456 px would be 1.3 GB at once).
Normalization measured_normalization(const ImageFiles& train, ImageTransform transform, int workers) {
  transform.normalization = Normalization{};
  ImageFiles sample;
  const auto count = std::min<int64_t>(kStatisticsImages, static_cast<int64_t>(train.size()));
  for (int64_t i = 0; i < count; ++i) {  // spread over the split, which key order shuffles
    sample.push_back(train[static_cast<size_t>(i * static_cast<int64_t>(train.size()) / count)]);
  }
  ImageRows rows(std::move(sample), transform, 0, workers);
  auto sum = torch::zeros({3}, torch::kDouble), squares = torch::zeros({3}, torch::kDouble);
  for (int64_t start = 0; start < count; start += kStatisticsBatch) {
    const auto batch = rows.rows(torch::arange(start, std::min(count, start + kStatisticsBatch), torch::kLong))
                           .inputs.to(torch::kDouble);
    sum += batch.sum({0, 2, 3});
    squares += batch.square().sum({0, 2, 3});
  }
  const double values = static_cast<double>(count * transform.size * transform.size);
  const auto mean = sum / values;
  // The sample deviation (n - 1), as torch::std gives.
  const auto deviation = ((squares - values * mean.square()) / (values - 1)).clamp_min(1e-12).sqrt();
  Normalization measured;
  for (int c = 0; c < 3; ++c) {
    measured.mean[c] = static_cast<float>(mean[c].item<double>());
    measured.deviation[c] = static_cast<float>(deviation[c].item<double>());
  }
  return measured;
}

Examples streamed(ImageFiles files, const ImageTransform& transform, uint64_t seed, int workers,
                  const torch::Device& device) {
  auto source = std::make_shared<ImageRows>(std::move(files), transform, seed, workers);
  return Examples{{}, source->labels(), source, torch::kCPU}.to(device);
}

}  // namespace

Normalization configured_normalization(const DataConfig& data) {
  if (data.normalize == "imagenet") return imagenet_normalization();
  Normalization normalization;
  for (int c = 0; c < 3; ++c) {  // explicit (validate checked there are three of each)
    normalization.mean[c] = static_cast<float>(data.mean[c]);
    normalization.deviation[c] = static_cast<float>(data.deviation[c]);
  }
  return normalization;
}

int decoder_threads(const RunConfig& config) {
  if (config.data.workers > 0) return static_cast<int>(config.data.workers);
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return std::max(1, config.device.rfind("cuda", 0) == 0 ? cores - 1 : cores / 2);
}

TaskData load_streamed_image_folder(const RunConfig& config, const std::string& folder, const torch::Device& device) {
  auto listing = list_image_folder(folder, config.data.eval_labels);
  const auto& data = config.data;
  if (data.train_limit > 0 && data.train_limit < static_cast<int64_t>(listing.train.size())) {
    listing.train.resize(static_cast<size_t>(data.train_limit));
  }
  TaskData task;
  task.evaluation_split = "test";
  if (data.eval_limit > 0 && data.eval_limit < static_cast<int64_t>(listing.test.size())) {
    listing.test.resize(static_cast<size_t>(data.eval_limit));
    task.evaluation_split += " (first " + std::to_string(data.eval_limit) + ")";
  }
  const int workers = decoder_threads(config);
  ImageTransform evaluation;
  evaluation.kind = ImageTransform::Kind::ResizeCentreCrop;
  evaluation.size = data.image_size;
  evaluation.resize_side =
      data.resize_side > 0 ? data.resize_side : std::llround(static_cast<double>(data.image_size) / 0.875);
  evaluation.resampling = data.resampling == "bicubic" ? Resampling::Bicubic : Resampling::Bilinear;
  evaluation.normalization = data.normalize == "dataset" ? measured_normalization(listing.train, evaluation, workers)
                                                         : configured_normalization(data);
  auto training = evaluation;
  training.kind = ImageTransform::Kind::RandomCropFlip;

  task.train = streamed(std::move(listing.train), training, config.train.seed, workers, device);
  task.evaluation = streamed(std::move(listing.test), evaluation, 0, workers, device);
  task.split = listing.split;
  task.metric_name = "accuracy";
  task.image_shape = {3, data.image_size, data.image_size};
  task.classes = static_cast<int64_t>(listing.classes.size());
  return task;
}

}  // namespace qn
