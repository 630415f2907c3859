#include "nn/quantizable_modules.h"

#include <torch/nn/functional/conv.h>

#include <cmath>

namespace qn {
namespace {

torch::Tensor uniform_init(std::vector<int64_t> shape, int64_t fan_in) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return torch::empty(shape).uniform_(-bound, bound);
}

}  // namespace

QLinearImpl::QLinearImpl(int64_t in_features, int64_t out_features, bool bias) {
  weight_ = register_parameter("weight", uniform_init({out_features, in_features}, in_features));
  if (bias) bias_ = register_parameter("bias", uniform_init({out_features}, in_features));
}

torch::Tensor QLinearImpl::forward(const torch::Tensor& input) {
  observe_input(input);
  if (lookup()) return lookup()->linear(input, bias_);
  return torch::linear(input, forward_weight(is_training()), bias_);
}

std::string QLinearImpl::script_forward() const {
  return "def forward(self, input: Tensor) -> Tensor:\n"
         "    return torch.linear(input, self.weight, " +
         std::string(bias_.defined() ? "self.bias" : "None") + ")\n";
}

QConv2dImpl::QConv2dImpl(const QConv2dOptions& options) : options_(options) {
  const int64_t k = options.kernel_size;
  const int64_t fan_in = options.in_channels / options.groups * k * k;
  weight_ = register_parameter(
      "weight",
      uniform_init({options.out_channels, options.in_channels / options.groups, k, k}, fan_in));
  if (options.bias)
    bias_ = register_parameter("bias", uniform_init({options.out_channels}, fan_in));
}

torch::Tensor QConv2dImpl::forward(const torch::Tensor& input) {
  observe_input(input);
  if (lookup()) return lookup()->pointwise_conv(input, bias_, options_.stride);
  const int64_t padding = options_.kernel_size / 2;  // "same" for odd kernels at stride 1
  return torch::conv2d(input, forward_weight(is_training()), bias_, options_.stride, padding,
                       /*dilation=*/1, options_.groups);
}

std::string QConv2dImpl::script_forward() const {
  const auto pair = [](int64_t value) {
    return "[" + std::to_string(value) + ", " + std::to_string(value) + "]";
  };
  return "def forward(self, input: Tensor) -> Tensor:\n"
         "    return torch.conv2d(input, self.weight, " +
         std::string(bias_.defined() ? "self.bias" : "None") + ", " + pair(options_.stride) +
         ", " + pair(options_.kernel_size / 2) + ", [1, 1], " + std::to_string(options_.groups) +
         ")\n";
}

QEmbeddingImpl::QEmbeddingImpl(int64_t vocabulary, int64_t dim) {
  weight_ = register_parameter("weight",
                               torch::randn({vocabulary, dim}) / std::sqrt(static_cast<double>(dim)));
}

torch::Tensor QEmbeddingImpl::forward(const torch::Tensor& tokens) {
  if (lookup()) return lookup()->rows(tokens);
  return torch::embedding(current_weight(), tokens);
}

std::string QEmbeddingImpl::script_forward() const {
  return "def forward(self, tokens: Tensor) -> Tensor:\n"
         "    return torch.embedding(self.weight, tokens)\n";
}

}  // namespace qn
