#pragma once
// A config's two fingerprints, both walked from the tags of its fields
// (config/config_fields.h), so that a new field cannot be forgotten by either:
//  - the config hash decides whether a run of this config is already done (a sweep run
//    again skips it);
//  - the training key decides whether two runs train the same model, bit for bit on one
//    device, so that one training serves both (docs/engine.md, "Sweeps that train once").
// Both take a complete config as to_json writes it; stores written by earlier versions keep
// their hashes and keys (tests/core/test_config_fingerprints.cpp checks the committed ones).
#include <nlohmann/json.hpp>
#include <string>

namespace qn {

// 16 hex digits (FNV-1a 64 of the canonical JSON of the fields that enter it): equal
// configs, equal hashes, whatever the key order. Left out: what changes no result
// (train.eval_every), the image side outside the image-folder task, and fields added after
// stores held runs while they are at their defaults.
std::string config_hash(const nlohmann::json& config);

// 64 hex digits (SHA-256). Left out, as they act only after training: model.keep_layers and
// the quant settings only compression reads; the device (the cache matches it apart).
// Without training noise (noise.mode none) the whole quant section and the noise's rate and
// form; with it, what the noise does not read (the int or the PQ settings of the other
// kind; K with the proxy form; the rate under STE). iPQ and one-shot PQ train alike.
std::string training_key(const nlohmann::json& config);

}  // namespace qn
