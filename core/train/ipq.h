#pragma once

#include <torch/nn/module.h>

#include <vector>

#include "config/run_config.h"
#include "data/labelled_images.h"
#include "nn/quantizable_layer.h"
#include "train/classifier_training.h"

namespace qn {

// iPQ's stages, bottom to top (PAPER.md: "for ConvNets bottom to top"): consecutive
// quantizable layers of one parent module form a stage. For the ConvNet: stem | blocks.0 |
// blocks.1 | blocks.2 | hidden and classifier.
std::vector<std::vector<NamedLayer>> ipq_stages(torch::nn::Module& model);

// Iterative product quantization of a trained classifier: stage by stage, PQ-encode the
// stage's layers (k-means, K clamped to 4 blocks a centroid), switch them to trainable
// codebooks, then fine-tune the remaining float weights and every codebook so far for
// quant.finetune_steps steps (at a tenth of train.lr, cosine). Reports each stage to the
// observer once its layers are encoded, before fine-tuning.
void run_ipq(torch::nn::Module& model, const Forward& forward, const LabelledImages& train,
             const RunConfig& config, TrainingObserver* observer, const CancelToken* cancel);

}  // namespace qn
