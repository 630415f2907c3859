#pragma once
// Every field of RunConfig, declared once with its JSON key and how it enters the config's
// two fingerprints (config_fingerprints.h): parsing and writing the config
// (run_config.cpp), its hash and its training key all walk these lists, so a field added
// here without its tags does not compile, and one added elsewhere is in none of them.
// Internal to config/.
#include "config/run_config.h"

namespace qn::config_fields {

// Whether a field enters the config hash (config_fingerprints.h, config_hash).
enum class InHash {
  Yes,
  No,                   // changes no result (how often to evaluate along the way)
  OmitAtDefault,        // added after stores held runs: left out at its default, so that a
                        // config keeps the hash it had before the field existed
  ImageFolderTaskOnly,  // read by the image-folder task only
};

// Whether a field enters the training key (config_fingerprints.h, training_key).
enum class InTrainingKey {
  Yes,
  No,                  // acts after training, or decides only where training runs
  OmitAtDefault,       // as InHash::OmitAtDefault
  // The quant section enters only with training noise, and only what that noise reads:
  AfterTraining,       // read by compression, after training
  NoiseQuantizerKind,  // quant.method: int, or "codebooks" (PQ and iPQ train alike)
  IntNoise,            // read by int noise only
  CodebookNoise,       // read by PQ noise only
  ExactCodebookNoise,  // read by PQ noise in its exact form only (the centroids)
  NoiseRate,           // noise.p: read by Quant-Noise only (STE quantizes every weight)
  NoiseForm,           // noise.form: read with training noise only
};

struct FieldTags {
  InHash hash;
  InTrainingKey training;
};

inline constexpr FieldTags kKept{InHash::Yes, InTrainingKey::Yes};
inline constexpr FieldTags kAfterTraining{InHash::Yes, InTrainingKey::AfterTraining};
// Added after stores held runs: left out of both fingerprints at its default.
inline constexpr FieldTags kAddedLater{InHash::OmitAtDefault, InTrainingKey::OmitAtDefault};

// Each section's fields, in order: visit(key, field, tags).
template <class Visit>
void visit_fields(DataConfig& data, Visit&& visit) {
  visit("dir", data.dir, kKept);
  visit("path", data.path, kKept);
  visit("train_limit", data.train_limit, kKept);
  visit("eval_limit", data.eval_limit, {InHash::OmitAtDefault, InTrainingKey::OmitAtDefault});
  visit("vocabulary_cap", data.vocabulary_cap, kKept);
  visit("image_size", data.image_size, {InHash::ImageFolderTaskOnly, InTrainingKey::Yes});
  visit("transform", data.transform, kAddedLater);
  visit("resize_side", data.resize_side, kAddedLater);
  visit("resampling", data.resampling, kAddedLater);
  visit("normalize", data.normalize, kAddedLater);
  visit("mean", data.mean, kAddedLater);
  visit("std", data.deviation, kAddedLater);
  visit("eval_labels", data.eval_labels, kAddedLater);
  visit("eval_paths", data.eval_paths, kAddedLater);
  visit("text_columns", data.text_columns, kAddedLater);
  visit("label_column", data.label_column, kAddedLater);
  visit("labels", data.labels, kAddedLater);
  visit("tokenizer", data.tokenizer, kAddedLater);
  visit("max_tokens", data.max_tokens, kAddedLater);
  // How many threads decode, and how much memory a folder may take, change no batch.
  visit("workers", data.workers, {InHash::No, InTrainingKey::No});
  visit("cache_mb", data.cache_mb, {InHash::No, InTrainingKey::No});
}

template <class Visit>
void visit_fields(ModelConfig& model, Visit&& visit) {
  visit("arch", model.arch, kKept);
  visit("width", model.width, kKept);
  visit("hidden", model.hidden, kKept);
  visit("dim", model.dim, kKept);
  visit("layers", model.layers, kKept);
  visit("heads", model.heads, kKept);
  visit("ffn", model.ffn, kKept);
  visit("context", model.context, kKept);
  visit("tied_embeddings", model.tied_embeddings, kKept);
  visit("dropout", model.dropout, kKept);
  visit("layerdrop", model.layerdrop, kKept);
  visit("keep_layers", model.keep_layers, {InHash::Yes, InTrainingKey::No});
  visit("path", model.path, {InHash::OmitAtDefault, InTrainingKey::Yes});
  visit("sha256", model.sha256, {InHash::OmitAtDefault, InTrainingKey::Yes});
  visit("input", model.input, {InHash::OmitAtDefault, InTrainingKey::Yes});
}

template <class Visit>
void visit_fields(TrainConfig& train, Visit&& visit) {
  visit("epochs", train.epochs, kKept);
  visit("max_steps", train.max_steps, kKept);
  visit("batch_size", train.batch_size, kKept);
  visit("lr", train.lr, kKept);
  visit("seed", train.seed, kKept);
  visit("optimizer", train.optimizer, kKept);
  visit("schedule", train.schedule, kKept);
  visit("warmup_steps", train.warmup_steps, kKept);
  visit("weight_decay", train.weight_decay, kKept);
  visit("clip_grad_norm", train.clip_grad_norm, kKept);
  visit("precision", train.precision, kAddedLater);
  visit("eval_every", train.eval_every, {InHash::No, InTrainingKey::Yes});
}

template <class Visit>
void visit_fields(QuantConfig& quant, Visit&& visit) {
  visit("method", quant.method, {InHash::Yes, InTrainingKey::NoiseQuantizerKind});
  visit("bits", quant.bits, {InHash::Yes, InTrainingKey::IntNoise});
  visit("observer", quant.observer, {InHash::Yes, InTrainingKey::IntNoise});
  visit("block_size", quant.block_size, {InHash::Yes, InTrainingKey::CodebookNoise});
  visit("centroids", quant.centroids, {InHash::Yes, InTrainingKey::ExactCodebookNoise});
  visit("centroid_bits", quant.centroid_bits, kAfterTraining);
  visit("plain_bits", quant.plain_bits, kAfterTraining);
  visit("finetune_steps", quant.finetune_steps, kAfterTraining);
  visit("stages", quant.stages, kAfterTraining);
  visit("exclude", quant.exclude, {InHash::OmitAtDefault, InTrainingKey::Yes});
  visit("layers", quant.layers, {InHash::OmitAtDefault, InTrainingKey::Yes});
  visit("distillation", quant.distillation, kAfterTraining);
  visit("average_centroid_grads", quant.average_centroid_grads, kAfterTraining);
  visit("pq_objective", quant.pq_objective,
        {InHash::OmitAtDefault, InTrainingKey::AfterTraining});
  visit("calibration_batches", quant.calibration_batches,
        {InHash::OmitAtDefault, InTrainingKey::AfterTraining});
  visit("batchnorm_batches", quant.batchnorm_batches,
        {InHash::OmitAtDefault, InTrainingKey::AfterTraining});
}

template <class Visit>
void visit_fields(NoiseSpec& noise, Visit&& visit) {
  visit("mode", noise.mode, kKept);
  visit("p", noise.p, {InHash::Yes, InTrainingKey::NoiseRate});
  visit("form", noise.form, {InHash::Yes, InTrainingKey::NoiseForm});
}

// The top level: its plain keys, then each section by name.
template <class Visit, class VisitSection>
void visit_config(RunConfig& config, Visit&& visit, VisitSection&& section) {
  visit("task", config.task, kKept);
  visit("device", config.device, {InHash::Yes, InTrainingKey::No});
  section("data", config.data);
  section("model", config.model);
  section("train", config.train);
  section("quant", config.quant);
  section("noise", config.noise);
}

}  // namespace qn::config_fields
