#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace qn {

// What determines a run's trained model (the float model after its training, before any
// post-training step), as 64 hex digits (SHA-256) of a complete config (to_json): two runs
// with equal keys train the same model, bit for bit on one device, so one training can
// serve both (docs/engine.md, "Sweeps that train once").
//
// Left out, as they act only after training: model.keep_layers; quant.finetune_steps,
// stages, distillation, average_centroid_grads, centroid_bits and plain_bits; the device
// (the cache matches it separately). Without training noise (noise.mode none) the whole
// quant section and the noise's rate and form; with it, what the noise does not read (the
// int or the PQ settings of the other kind; K with the proxy form; the rate under STE).
// iPQ and one-shot PQ train with the same noise, so they share.
std::string training_key(const nlohmann::json& config);

}  // namespace qn
