#include "setup_presets.h"

#include <QFile>
#include <nlohmann/json.hpp>

// Q_INIT_RESOURCE declares a function of the global namespace: called from outside qn::ui.
static void register_qnstudio_resources() { Q_INIT_RESOURCE(qnstudio); }

namespace qn::ui {
namespace {

enum PresetIndex { kConvNetPreset, kTransformerPreset, kImageFolderPreset, kTextPairsPreset, kYourModelPreset };

}  // namespace

const std::vector<Preset>& setup_presets() {
  static const std::vector<Preset> presets = {
      {"Fashion-MNIST, ConvNet", ":/presets/fmnist-convnet.json", false},
      {"Brown corpus, Transformer LM", ":/presets/brown-transformer-lm.json", false},
      {"Image folder (ImageNet layout), ConvNet", ":/presets/imagenet-folder-convnet.json", false},
      {"Sentence pairs (MNLI layout), your model...", ":/presets/mnli-pairs.json", true},
      {"Your model (TorchScript)...", nullptr, true},
  };
  return presets;
}

int preset_index(const RunConfig& config) {
  if (config.task == "text-classification") return kTextPairsPreset;
  if (is_scripted_model(config.model)) return kYourModelPreset;
  if (config.task == "image-folder") return kImageFolderPreset;
  return is_language_model_task(config.task) ? kTransformerPreset : kConvNetPreset;
}

void register_resources() { register_qnstudio_resources(); }

RunConfig read_preset(const char* resource) {
  QFile file(resource);
  file.open(QIODevice::ReadOnly);
  return read_config_fields(nlohmann::json::parse(file.readAll().toStdString()));
}

}  // namespace qn::ui
