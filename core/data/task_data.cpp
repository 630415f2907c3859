#include "data/task_data.h"

#include <cstdlib>
#include <filesystem>

#include "common/data_folders.h"
#include "common/error.h"
#include "data/cifar10.h"
#include "data/image_folder.h"
#include "data/labelled_images.h"
#include "data/streamed_images.h"
#include "data/text_corpus.h"

namespace qn {
namespace {

// Where the task's data is: data.dir or data.path (data_location), else its default.
std::string resolved_data_location(const RunConfig& config) {
  const auto& given = data_location(config);
  return given.empty() ? default_data_location(config.task) : given;
}

ImageSplits load_images(const RunConfig& config) {
  const auto folder = resolved_data_location(config);
  if (config.task == "cifar10") return load_cifar10_folder(folder, config.data.train_limit);
  if (config.task == "image-folder") {
    return load_image_folder(folder, config.data.image_size, config.data.train_limit, config.data.eval_labels,
                             config.data.cache_mb);
  }
  return load_idx_folder(folder, config.data.train_limit);
}

TextCorpus load_text(const RunConfig& config) {
  const auto path = resolved_data_location(config);
  const auto documents =
      config.task == "brown-lm" ? read_brown_corpus(path) : read_text_file(path);
  return make_text_corpus(documents, config.data.vocabulary_cap);
}

Examples standardised(const LabelledImages& set, const torch::Tensor& mean,
                      const torch::Tensor& deviation) {
  return {(set.images - mean) / deviation, set.labels};
}

// The mean and deviation data.normalize asks for, shaped to broadcast over (N, C, H, W):
// the training split's own (one number for every channel, as ever), or per channel.
std::pair<torch::Tensor, torch::Tensor> normalisation(const DataConfig& data, const torch::Tensor& train_images) {
  if (data.normalize == "dataset") return {train_images.mean(), train_images.std().clamp_min(1e-6)};
  const auto numbers = configured_normalization(data);
  const auto per_channel = [](const std::array<float, 3>& values) {
    return torch::tensor(std::vector<float>(values.begin(), values.end())).view({1, 3, 1, 1});
  };
  return {per_channel(numbers.mean), per_channel(numbers.deviation)};
}

}  // namespace

std::string data_location_key(const std::string& task) {
  return is_text_task(task) ? "path" : "dir";
}

std::vector<std::string> language_model_words(const RunConfig& config) {
  check_data_location(config);
  return load_text(config).vocabulary.words();
}

void check_data_location(const RunConfig& config) {
  for (size_t i = 0; i < config.data.eval_paths.size(); ++i) {
    const auto& path = config.data.eval_paths[i];
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
      throw InputError("evaluation table '" + path + "' (data.eval_paths[" + std::to_string(i) + "]) " +
                       (std::filesystem::exists(path, error) ? "is not a file" : "does not exist"));
    }
  }
  const auto location = resolved_data_location(config);
  const bool wants_file = config.task == "text-lm" || config.task == "text-classification";
  std::error_code error;
  const auto status = std::filesystem::status(location, error);
  if (wants_file ? std::filesystem::is_regular_file(status)
                 : std::filesystem::is_directory(status)) {
    return;
  }
  const auto key = "data." + data_location_key(config.task);
  const bool defaulted = data_location(config).empty();
  const std::string problem = !std::filesystem::exists(status) ? "does not exist"
                              : wants_file                     ? "is not a file"
                                                               : "is not a folder";
  throw InputError("task '" + config.task + "' reads its data from '" + location + "' (" +
                   (defaulted ? "its default; set " + key + " to its location" : key) +
                   "), which " + problem);
}

std::string default_data_location(const std::string& task) {
  if (task == "fashion-mnist") return "/usr/share/datasets/fashion-mnist";
  if (task == "brown-lm") {
    const char* data_dir = std::getenv("QNS_DATA_DIR");
    if (data_dir && *data_dir) return std::string(data_dir) + "/brown";
    // The user's copy first, then the installed package's, then the one installer/setup.sh
    // fetched for this build; a user who has none is pointed at their own folder.
    const auto installed = installed_data_folder();
    const std::filesystem::path candidates[] = {
        user_data_folder() / "brown", installed.empty() ? installed : installed / "brown",
        std::filesystem::path(QNS_DATA_DIR) / "brown"};
    for (const auto& folder : candidates) {
      if (!folder.empty() && std::filesystem::is_directory(folder)) return folder.string();
    }
    return candidates[0].string();
  }
  if (task == "text-lm") throw InputError("task 'text-lm' needs data.path (a UTF-8 text file)");
  throw InputError("task '" + task + "' needs data.dir (the folder of its files)");
}

TaskData load_task_data(const RunConfig& config, const torch::Device& device) {
  TaskData data;
  if (config.task == "text-classification") {
    auto text = load_text_classification(config.data);
    data.train = text.train;
    data.evaluation = text.evaluations.at(0).examples;
    data.evaluation_split = "validation (" + text.evaluations[0].name + ")";
    data.further_evaluations.assign(text.evaluations.begin() + 1, text.evaluations.end());
    data.split = "the tables data.eval_paths names";
    data.metric_name = "accuracy";
    data.classes = static_cast<int64_t>(text.labels.size());
    data.token_vocabulary = text.vocabulary;
    data.largest_token_id = text.largest_id;
    data.labels = text.labels;
  } else if (is_language_model_task(config.task)) {
    const auto corpus = load_text(config);
    data.train = token_windows(corpus.train, config.model.context);
    if (config.data.train_limit > 0 && config.data.train_limit < data.train.size()) {
      data.train = data.train.slice(0, config.data.train_limit);
    }
    data.evaluation = token_windows(corpus.valid, config.model.context);
    data.evaluation_split = "validation";
    data.split = corpus.split;
    data.metric_name = "perplexity";
    data.classes = corpus.vocabulary.size();
    data.words = corpus.vocabulary.words();
  } else if (config.task == "image-folder" && config.data.transform == "torchvision") {
    return load_streamed_image_folder(config, resolved_data_location(config), device);
  } else {
    auto splits = load_images(config);
    if (config.data.normalize != "dataset" && splits.train.images.size(1) == 1) {
      // Per-channel numbers are for colour: a grey folder is read as RGB for them.
      for (auto* set : {&splits.train, &splits.test}) set->images = set->images.expand({-1, 3, -1, -1}).contiguous();
    }
    const auto [mean, deviation] = normalisation(config.data, splits.train.images);
    data.train = standardised(splits.train, mean, deviation);
    data.evaluation = standardised(splits.test, mean, deviation);
    data.evaluation_split = "test";
    data.split = splits.split.empty() ? "the data set's own test set" : splits.split;
    data.metric_name = "accuracy";
    data.image_shape = splits.train.images.sizes().slice(1).vec();
    data.classes = std::max(splits.train.classes, splits.test.classes);
  }
  if (config.data.eval_limit > 0 && config.data.eval_limit < data.evaluation.size()) {
    // Named in the split, so that a score on a sample is never read as the full one.
    data.evaluation = data.evaluation.slice(0, config.data.eval_limit);
    data.evaluation_split += " (first " + std::to_string(config.data.eval_limit) + ")";
  }
  for (auto& further : data.further_evaluations) further.examples = further.examples.to(device);
  data.train = data.train.to(device);
  data.evaluation = data.evaluation.to(device);
  return data;
}

}  // namespace qn
