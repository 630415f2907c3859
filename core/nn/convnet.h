#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>

#include "nn/quantizable_modules.h"
#include "nn/script_form.h"

namespace qn {

struct ConvNetOptions {
  int64_t in_channels = 1;
  int64_t image_size = 28;  // square images; must be divisible by 4
  int64_t classes = 10;
  int64_t width = 16;    // channels of the stem; the blocks widen to 1.5x and 2.5x
  int64_t hidden = 512;  // the fully connected hidden layer
};

// An inverted residual block, as in MobileNetV2 and EfficientNet: 1x1 expansion (none when
// the expansion is 1, as in EfficientNet's first block), 3x3 depthwise convolution
// (carrying the stride), 1x1 projection, each with BatchNorm; a residual connection when
// the shape allows.
class InvertedResidualImpl : public torch::nn::Module, public ScriptForm {
 public:
  InvertedResidualImpl(int64_t in_channels, int64_t out_channels, int64_t expansion,
                       int64_t stride);
  torch::Tensor forward(const torch::Tensor& input);
  std::string script_forward() const override;

 private:
  QConv2d expand_{nullptr}, depthwise_, project_;
  torch::nn::BatchNorm2d expand_norm_{nullptr}, depthwise_norm_, project_norm_;
  bool residual_;
};
TORCH_MODULE(InvertedResidual);

// A small ConvNet for 28x28 images in the spirit of EfficientNet, with most of its weights
// in a fully connected classifier on the flattened feature map: extreme compression only
// shows where layers are large (a K = 256 codebook alone costs 4 KiB). With the defaults:
// stem 3x3 (1 -> 16), blocks 16 -> 24 (expansion 1, stride 2), 24 -> 24 and 24 -> 40
// (expansion 4, the last with stride 2), then 40*7*7 = 1960 -> 512 -> 10: 1.03M
// parameters, 97% of them in the classifier.
class ConvNetImpl : public torch::nn::Module, public ScriptForm {
 public:
  explicit ConvNetImpl(const ConvNetOptions& options);
  torch::Tensor forward(const torch::Tensor& images);  // (N, C, H, W) -> (N, classes) logits
  std::string script_forward() const override;

 private:
  QConv2d stem_;
  torch::nn::BatchNorm2d stem_norm_;
  torch::nn::ModuleList blocks_;
  QLinear hidden_, classifier_;
};
TORCH_MODULE(ConvNet);

}  // namespace qn
