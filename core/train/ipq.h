#pragma once

#include <torch/nn/module.h>

#include <functional>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "data/examples.h"
#include "nn/quantizable_layer.h"
#include "train/stage_result.h"
#include "train/trainer.h"

namespace qn {

// iPQ's stages, in order. With `patterns` (regular expressions searched in layer names):
// stage i holds the layers that match pattern i and no earlier one; layers that match none
// form a last stage; a pattern that matches nothing is an InputError naming it. Without
// patterns, by depth, bottom to top (docs/method.md section 4.1): consecutive quantizable
// layers of one parent module form a stage. For the ConvNet: stem | blocks.0 | blocks.1 |
// blocks.2 | hidden and classifier. A model with more than 16 such stages (EfficientNet-B3
// has 105) has them merged, in order, into 8 of about equal weight counts.
std::vector<std::vector<NamedLayer>> ipq_stages(const std::vector<NamedLayer>& layers,
                                                const std::vector<std::string>& patterns = {});
// The stages of every quantizable layer of `model`.
std::vector<std::vector<NamedLayer>> ipq_stages(torch::nn::Module& model,
                                                const std::vector<std::string>& patterns = {});

// The stages run_ipq takes: of the layers the config compresses (compressed_layers), by
// quant.stages, else by `default_stages` (the model's).
std::vector<std::vector<NamedLayer>> configured_ipq_stages(
    torch::nn::Module& model, const QuantConfig& quant,
    const std::vector<std::string>& default_stages);

// Iterative product quantization of a trained model: stage by stage, PQ-encode the stage's
// layers (k-means, K clamped to 4 blocks a centroid), switch them to trainable codebooks
// (quant.average_centroid_grads: mean instead of sum), then fine-tune the remaining float
// weights and every codebook so far for quant.finetune_steps steps (a tenth of train.lr,
// cosine) with `loss` (cross-entropy if empty; distillation passes its own). Stages come
// from quant.stages, else `default_stages`. Reports each stage to the observer once its
// layers are encoded, before fine-tuning. Checks `cancel` inside k-means and at every
// fine-tuning step (RunCancelled).
//
// Returns the stages with their layers and, with `measure`, their metrics: measure(stage,
// after_finetune) is called once a stage's layers are encoded (after_finetune false) and
// once its fine-tuning is done (true, only when quant.finetune_steps > 0); it must leave
// the model and the random streams as it found them.
using StageMetric = std::function<double(size_t stage, bool after_finetune)>;
std::vector<StageResult> run_ipq(torch::nn::Module& model, const Forward& forward,
                                 const Examples& train, const RunConfig& config,
                                 const std::vector<std::string>& default_stages,
                                 TrainingObserver* observer, const CancelToken* cancel,
                                 const LossFunction& loss = {}, const StageMetric& measure = {});

}  // namespace qn
