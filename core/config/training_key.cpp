#include "config/training_key.h"

#include "common/sha256.h"

namespace qn {
namespace {

// Bumped when training itself changes, so that a store never hands a run a model trained
// by other code.
constexpr int kTrainingKeyVersion = 1;

void erase_all(nlohmann::json& object, std::initializer_list<const char*> keys) {
  for (const auto* key : keys) object.erase(key);
}

// The quant keys training noise reads, by the quantizer kind the noise imitates.
nlohmann::json noise_quantizer(const nlohmann::json& quant, const nlohmann::json& noise) {
  nlohmann::json kept = quant;
  erase_all(kept, {"finetune_steps", "stages", "distillation", "average_centroid_grads",
                   "centroid_bits", "plain_bits", "pq_objective", "calibration_batches",
                   "batchnorm_batches"});
  const auto method = quant.value("method", "");
  if (method == "int") {
    erase_all(kept, {"block_size", "centroids"});
  } else {
    kept["method"] = "codebooks";  // pq and ipq train alike
    erase_all(kept, {"bits", "observer"});
    if (noise.value("form", "") != "exact") kept.erase("centroids");
  }
  return kept;
}

}  // namespace

std::string training_key(const nlohmann::json& config) {
  nlohmann::json key = config;
  key.erase("device");
  if (key.contains("model")) key["model"].erase("keep_layers");
  // The evaluation sample shapes the training curve (eval_every), so it is part of the key;
  // left out at its default, so that models trained before the key existed are still found.
  if (key.contains("data") && key["data"].value("eval_limit", 0) == 0) key["data"].erase("eval_limit");
  auto& noise = key["noise"];
  if (noise.value("mode", "none") == "none") {
    key.erase("quant");
    erase_all(noise, {"p", "form"});
  } else {
    key["quant"] = noise_quantizer(key.value("quant", nlohmann::json::object()), noise);
    if (noise.value("mode", "") == "ste") noise.erase("p");
  }
  key["training_key_version"] = kTrainingKeyVersion;
  return sha256_hex(key.dump());
}

}  // namespace qn
