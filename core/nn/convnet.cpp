#include "nn/convnet.h"

#include "common/error.h"

namespace qn {

InvertedResidualImpl::InvertedResidualImpl(int64_t in_channels, int64_t out_channels,
                                           int64_t expansion, int64_t stride)
    : depthwise_(QConv2dOptions{in_channels * expansion, in_channels * expansion,
                                /*kernel_size=*/3, stride, /*groups=*/in_channels * expansion}),
      project_(QConv2dOptions{in_channels * expansion, out_channels, /*kernel_size=*/1}),
      depthwise_norm_(in_channels * expansion),
      project_norm_(out_channels),
      residual_(stride == 1 && in_channels == out_channels) {
  if (expansion > 1) {
    expand_ = register_module("expand", QConv2d(QConv2dOptions{in_channels, in_channels * expansion,
                                                               /*kernel_size=*/1}));
    expand_norm_ = register_module("expand_norm", torch::nn::BatchNorm2d(in_channels * expansion));
  }
  register_module("depthwise", depthwise_);
  register_module("depthwise_norm", depthwise_norm_);
  register_module("project", project_);
  register_module("project_norm", project_norm_);
}

torch::Tensor InvertedResidualImpl::forward(const torch::Tensor& input) {
  auto x = expand_ ? torch::silu(expand_norm_(expand_(input))) : input;
  x = torch::silu(depthwise_norm_(depthwise_(x)));
  x = project_norm_(project_(x));
  return residual_ ? x + input : x;
}

std::string InvertedResidualImpl::script_forward() const {
  std::string source = "def forward(self, input: Tensor) -> Tensor:\n";
  source += expand_ ? "    x = torch.silu(self.expand_norm.forward(self.expand.forward(input)))\n"
                    : "    x = input\n";
  source += "    x = torch.silu(self.depthwise_norm.forward(self.depthwise.forward(x)))\n"
            "    x = self.project_norm.forward(self.project.forward(x))\n";
  source += residual_ ? "    return x + input\n" : "    return x\n";
  return source;
}

ConvNetImpl::ConvNetImpl(const ConvNetOptions& options)
    : stem_(QConv2dOptions{options.in_channels, options.width, /*kernel_size=*/3}),
      stem_norm_(options.width),
      hidden_(nullptr),
      classifier_(nullptr) {
  if (options.image_size % 4 != 0) {
    throw InputError("the convnet needs an image size divisible by 4 (got " +
                     std::to_string(options.image_size) + ")");
  }
  const int64_t c1 = options.width, c2 = options.width * 3 / 2, c3 = options.width * 5 / 2;
  register_module("stem", stem_);
  register_module("stem_norm", stem_norm_);
  blocks_->push_back(InvertedResidual(c1, c2, /*expansion=*/1, /*stride=*/2));
  blocks_->push_back(InvertedResidual(c2, c2, /*expansion=*/4, /*stride=*/1));
  blocks_->push_back(InvertedResidual(c2, c3, /*expansion=*/4, /*stride=*/2));
  register_module("blocks", blocks_);
  const int64_t side = options.image_size / 4;
  hidden_ = register_module("hidden", QLinear(c3 * side * side, options.hidden));
  classifier_ = register_module("classifier", QLinear(options.hidden, options.classes));
}

torch::Tensor ConvNetImpl::forward(const torch::Tensor& images) {
  auto x = torch::silu(stem_norm_(stem_(images)));
  for (const auto& block : *blocks_) x = block->as<InvertedResidual>()->forward(x);
  x = torch::silu(hidden_(x.flatten(1)));
  return classifier_(x);
}

std::string ConvNetImpl::script_forward() const {
  std::string source =
      "def forward(self, images: Tensor) -> Tensor:\n"
      "    x = torch.silu(self.stem_norm.forward(self.stem.forward(images)))\n";
  for (size_t i = 0; i < blocks_->size(); ++i) {
    source += "    x = " + script_list_child("blocks", static_cast<int64_t>(i)) + ".forward(x)\n";
  }
  return source +
         "    x = torch.silu(self.hidden.forward(torch.flatten(x, 1)))\n"
         "    return self.classifier.forward(x)\n";
}

}  // namespace qn
