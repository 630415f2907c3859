#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "quant/compressed_model.h"
#include "quant/size_report.h"
#include "train/stage_result.h"
#include "store/trained_model_cache.h"
#include "train/training_events.h"

namespace qn {

class DataParallel;

// An evaluation table after the first (text-classification's data.eval_paths: MNLI's
// mismatched set beside its matched one), scored in the same places as the run's metric.
struct FurtherEvaluation {
  std::string name;  // the file's name
  double float_metric = 0;
  double metric = 0;
};

struct RunResult {
  std::string metric_name;  // "accuracy" or "perplexity"
  std::string evaluation_split;  // "test" (images) or "validation" (text)
  double metric = 0;        // of the compressed model, rebuilt from `compressed`
  double float_metric = 0;  // of the trained model before compression (noise off)
  CompressedModel compressed;  // every tensor as the checkpoint stores it
  SizeReport size;             // compressed.size()
  double seconds = 0;
  std::string device;
  int64_t steps = 0;
  std::vector<StageResult> stages;  // PQ and iPQ
  // iPQ with fine-tuning: the metric of every stage quantized from the trained model with
  // no fine-tuning (what quant.finetune_steps = 0 gives), BatchNorm re-estimated.
  std::optional<double> metric_before_finetune;
  // The trained model came from the store, trained by an earlier run of the same training
  // (training_key); its curve was replayed.
  bool shared_training = false;
  // quant.pq_objective activations: the wall time spent gathering the layers' input
  // statistics (every iPQ stage's, and those of the metric without fine-tuning); else 0.
  double calibration_seconds = 0;
  std::string data_split;  // how the evaluation data was held out (TaskData::split)
  std::vector<FurtherEvaluation> further_evaluations;
  // text-classification: the name of each output, in order (what a user of the export
  // needs to read its logits).
  std::vector<std::string> labels;
  // brown-lm, text-lm: the SHA-256 of the vocabulary's file (vocabulary_file_text): an
  // export rebuilds the vocabulary from the corpus and writes it only if it hashes the same.
  std::string vocabulary_sha256;
};

// One run, any task: check the config (check_before_training), load the data, build the
// model, train with the configured noise, prune (model.keep_layers), run iPQ if asked (with
// distillation if asked), compress with the configured quantizer, re-estimate BatchNorm,
// store the other tensors, and evaluate a fresh model built from the compressed tensors,
// exactly as `qnoise eval` rebuilds it from the exported file. Deterministic given the
// config on one device.
//
// Reports its stages to `observer` in order: "loading data", "training", iPQ's own
// ("ipq stage 1/5: stem"...), "gathering activation statistics" (activation-aware one-shot
// PQ), "compressing", "re-estimating BatchNorm" (quantized models
// with BatchNorm), "evaluating". Every stage after loading the data checks `cancel` between
// units of work (a step, a k-means distance chunk, a layer, a batch) and stops with
// RunCancelled.
//
// With `trained_models`, the training is shared (docs/engine.md, "Sweeps that train
// once"): a trained model of the same training_key found there is loaded instead of
// trained, and its training events replayed to `observer`; one trained here is kept there
// if the cache wants it. Everything after training starts from a fixed random state, so a
// run's result does not depend on which way its trained model came.
//
// With `parallel`, this process is one rank of a data-parallel group that trains the run
// together (train_model); a trained model is then neither looked up in `trained_models`
// nor shared. Ranks other than 0 return after training, with only the training's fields
// set: rank 0 alone compresses, evaluates and reports.
RunResult run_training(const RunConfig& config, TrainingObserver* observer,
                       const CancelToken* cancel, TrainedModelCache* trained_models = nullptr,
                       DataParallel* parallel = nullptr);

}  // namespace qn
