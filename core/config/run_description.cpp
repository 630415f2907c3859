#include "config/run_description.h"

#include <cstdio>

#include "common/error.h"

namespace qn {
namespace {

std::string number_text(double value, const char* format) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string describe_quantizer(const QuantConfig& quant) {
  switch (quant.method) {
    case QuantMethod::None:
      return quant.plain_bits == 16 ? "fp16" : "fp32";
    case QuantMethod::Int:
      return "int" + std::to_string(quant.bits) + " (" + quant.observer + ")";
    case QuantMethod::PQ:
    case QuantMethod::IPQ:
      break;
  }
  return std::string(quant.method == QuantMethod::IPQ ? "iPQ" : "PQ") +
         (quant.centroid_bits == 8 ? "+int8" : "") + " K=" + std::to_string(quant.centroids) +
         (quant.pq_objective == "activations" ? " activation-aware" : "");
}

std::string describe_noise(const NoiseSpec& noise) {
  switch (noise.mode) {
    case NoiseMode::None:
      return "none";
    case NoiseMode::Ste:
      return "STE";
    case NoiseMode::QuantNoise:
      break;
  }
  return "Quant-Noise p=" + number_text(noise.p, "%.2f") + " (" + to_string(noise.form) + ")";
}

std::string describe_model(const ModelConfig& model) {
  if (model.arch == "transformer-lm") {
    return model.arch + " dim " + std::to_string(model.dim) + " layers " +
           std::to_string(model.layers) + " heads " + std::to_string(model.heads) + " ffn " +
           std::to_string(model.ffn) + " context " + std::to_string(model.context);
  }
  return model.arch + " width " + std::to_string(model.width) + " hidden " +
         std::to_string(model.hidden);
}

std::string describe_training(const RunConfig& config) {
  const auto& train = config.train;
  const auto length = train.max_steps > 0 ? std::to_string(train.max_steps) + " steps"
                                          : std::to_string(train.epochs) + " epochs";
  return config.task + ", " + describe_model(config.model) + ", " + length + ", batch " +
         std::to_string(train.batch_size) + ", lr " + number_text(train.lr, "%g") + ", seed " +
         std::to_string(train.seed);
}

}  // namespace

std::string RunDescription::one_line() const {
  return quantizer + ", " + noise + ", " + task_and_seed;
}

RunDescription describe_run(const RunConfig& config) {
  return {describe_quantizer(config.quant), describe_noise(config.noise),
          describe_training(config), config.task + " seed " + std::to_string(config.train.seed)};
}

RunDescription describe_run(const std::optional<RunConfig>& stored_config) {
  if (stored_config) return describe_run(*stored_config);
  const std::string unreadable = "unreadable config (written by another version)";
  return {unreadable, unreadable, unreadable, unreadable};
}

}  // namespace qn
