#include "train/run_check.h"

#include <atomic>
#include <filesystem>
#include <string>

#include "common/bounded_memo.h"
#include "common/runtime.h"
#include "data/task_data.h"
#include "data/tokenizer.h"
#include "train/mixed_precision.h"
#include "train/model_probe.h"
#include "train/size_preview.h"
#include "train/task_model.h"

namespace qn {
namespace {

// What decides the model's part of a check: the config, but for its model's pinned hash
// (set when a run is queued) and what the check never reads (how the model trains, its
// noise: a sweep over the noise or the seed builds its model once); for a user's model its file as it is now (size and
// modification time); and the classes the data's folders give (image-folder counts them
// on disk, cheaply). So queueing and training reuse the setup panel's check of the same
// config, model and data, and a model file or class folder changed since is checked again.
std::string model_check_key(const RunConfig& config) {
  auto unpinned = config;
  unpinned.model.sha256.clear();
  unpinned.train = TrainConfig{};
  unpinned.noise = NoiseSpec{};
  std::string key = to_json(unpinned).dump() + "|classes=" + std::to_string(nominal_task(config).classes);
  if (is_scripted_model(config.model)) {
    std::error_code error;
    const auto bytes = std::filesystem::file_size(config.model.path, error);
    const auto written = std::filesystem::last_write_time(config.model.path, error);
    key += '|' + std::to_string(error ? 0 : bytes) + '|' +
           std::to_string(error ? 0 : written.time_since_epoch().count());
  }
  return key;
}

// The model's part of the check: the model built (a user's read, hashed and loaded once,
// for its probe and its preview) and the size previewed.
SizePreview check_model(const RunConfig& config) {
  if (!is_scripted_model(config.model)) return preview_size(config);
  const auto nominal = nominal_task(config);
  auto model = make_task_model(config, nominal, torch::kCPU);
  if (config.task == "text-classification") {  // the tokenizer read now, not after the tables
    TaskData vocabulary;
    vocabulary.token_vocabulary = load_tokenizer(config.data.tokenizer)->vocabulary_size();
    check_vocabulary_fits(model, vocabulary, config.data.tokenizer);
  }
  check_model_output(model, probe_batch(config), nominal.classes, config.model.path);
  return preview_size(config, model);
}

// The previews of configs that passed, by model_check_key, for this process's threads
// (the GUI checks on its thread pool, queues on its store thread, trains on its engine
// thread). A config that failed is checked again: the user may have fixed its cause.
BoundedMemo<SizePreview>& memo() {
  static BoundedMemo<SizePreview> instance(64);  // a session edits a few configs
  return instance;
}

std::atomic<int64_t> models_checked{0};

}  // namespace

SizePreview check_before_training(const RunConfig& config) {
  // The cheap checks every time: the rules, the device (and the precision it can autocast
  // in), where the data is.
  validate(config);
  check_precision(config.train.precision, resolve_device(config.device));
  check_data_location(config);
  const auto key = model_check_key(config);
  if (auto preview = memo().find(key)) return *preview;
  ++models_checked;
  auto preview = check_model(config);
  memo().keep(key, preview);
  return preview;
}

int64_t model_checks_performed() { return models_checked.load(); }

}  // namespace qn
