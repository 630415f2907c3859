#include "train/weight_decoders.h"

#include <cstring>

#include "common/error.h"

namespace qn {
namespace {

// Codes of `bits` bits each, packed least significant bit first (quant/bit_packing.h):
// code i is read from the three bytes starting at bit i * bits (bits <= 16 spans at most
// three), shifted and masked.
constexpr const char* kUnpackSource = R"(
def unpack(self, packed: Tensor, bits: int, count: int) -> Tensor:
    if bits == 0:
        return torch.zeros([count]).long()
    padded = torch.cat([packed, packed.new_zeros([2])]).long()
    start = torch.arange(count) * bits
    first = torch.div(start, 8, rounding_mode="floor")
    word = padded[first] + padded[first + 1] * 256 + padded[first + 2] * 65536
    return torch.bitwise_and(torch.bitwise_right_shift(word, start - first * 8), (1 << bits) - 1)
)";

// (code - zero_point) * scale, as dequantize_codes computes it.
constexpr const char* kIntSource = R"(
def decode(self) -> Tensor:
    codes = self.unpack(self.codes, self.bits, self.count).float().view(self.shape)
    zero_point = self.zero_points.float().view(self.channel_shape)
    return (codes - zero_point) * self.scales.view(self.channel_shape)
)";

// codebook[codes] reshaped to the weight (quant/block_layout.h: blocks in memory order).
constexpr const char* kPqSource = R"(
def decode(self) -> Tensor:
    codes = self.unpack(self.codes, self.bits, self.count)
    return self.codebook.float()[codes].reshape(self.shape)
)";

// The codebook's one-byte codes dequantized with its one scale and zero point first.
constexpr const char* kPqInt8Source = R"(
def decode(self) -> Tensor:
    codes = self.unpack(self.codes, self.bits, self.count)
    zero_point = self.codebook_zero_point.float()
    codebook = (self.codebook.float() - zero_point) * self.codebook_scale
    return codebook[codes].reshape(self.shape)
)";

constexpr const char* kHalfSource = R"(
def decode(self) -> Tensor:
    return self.values.float()
)";

torch::Tensor bytes_tensor(std::string_view bytes, torch::ScalarType type,
                           std::vector<int64_t> shape) {
  auto tensor = torch::empty(shape, torch::TensorOptions().dtype(type));
  if (static_cast<size_t>(tensor.nbytes()) != bytes.size()) {
    throw InputError("a section of " + std::to_string(bytes.size()) + " bytes cannot hold " +
                     std::to_string(tensor.nbytes()));
  }
  std::memcpy(tensor.data_ptr(), bytes.data(), bytes.size());
  return tensor;
}

std::string decoder_class(const QnzTensor& tensor) {
  if (tensor.method == "fp16") return "HalfValues";
  if (tensor.method == "pq") return "PqFp16Codebook";
  if (tensor.method == "pq+int8") return "PqInt8Codebook";
  if (tensor.method.rfind("int", 0) == 0) return "IntCodes";
  throw InputError("tensor '" + tensor.name + "' is stored as " + tensor.method +
                   ", which has no TorchScript decoder");
}

c10::List<int64_t> int_list(const std::vector<int64_t>& values) { return c10::List<int64_t>(values); }

}  // namespace

WeightDecoders::WeightDecoders() : unit_(std::make_shared<torch::jit::CompilationUnit>()) {}

torch::jit::Module WeightDecoders::instance(const std::string& kind) {
  const auto found = classes_.find(kind);
  if (found != classes_.end()) return torch::jit::Module(unit_, found->second);
  torch::jit::Module module(c10::QualifiedName("__torch__.qnstudio." + kind), unit_);
  classes_[kind] = module.type();
  return module;
}

torch::jit::Module WeightDecoders::decoder(const QnzTensor& tensor, const QnzFile& file) {
  const auto kind = decoder_class(tensor);
  const bool defined = classes_.count(kind) > 0;
  auto module = instance(kind);
  module.register_attribute("training", c10::BoolType::get(), false);
  const auto packed = [&](int bits, int64_t count) {
    module.register_attribute("bits", c10::IntType::get(), int64_t{bits});
    module.register_attribute("count", c10::IntType::get(), count);
    module.register_attribute("shape", c10::ListType::ofInts(), int_list(tensor.shape));
    const auto& codes = tensor.section("codes");
    module.register_buffer("codes", bytes_tensor(file.data(codes), torch::kUInt8, {int64_t(codes.bytes)}));
  };
  std::string source;
  if (kind == "HalfValues") {
    module.register_buffer("values", bytes_tensor(file.data(tensor.section("values")),
                                                  torch::kHalf, tensor.shape));
    source = kHalfSource;
  } else if (kind == "IntCodes") {
    packed(tensor.bits, tensor.numel());
    const int64_t channels = tensor.per_channel ? tensor.shape.at(0) : 1;
    std::vector<int64_t> channel_shape(tensor.shape.size(), 1);
    channel_shape.at(0) = channels;
    module.register_attribute("channel_shape", c10::ListType::ofInts(), int_list(channel_shape));
    const auto scales = file.data(tensor.section("scales"));
    module.register_buffer("scales", bytes_tensor(scales.substr(0, 4 * channels), torch::kFloat, {channels}));
    module.register_buffer("zero_points",
                           bytes_tensor(scales.substr(4 * channels), torch::kUInt8, {channels}));
    source = std::string(kUnpackSource) + kIntSource;
  } else {
    packed(tensor.stored_bits(), tensor.numel() / tensor.block_size);
    const auto codebook = file.data(tensor.section("codebook"));
    const std::vector<int64_t> centroids = {tensor.centroids, tensor.block_size};
    if (kind == "PqInt8Codebook") {
      const size_t values = size_t(tensor.centroids * tensor.block_size);
      module.register_buffer("codebook", bytes_tensor(codebook.substr(0, values), torch::kUInt8, centroids));
      module.register_buffer("codebook_scale", bytes_tensor(codebook.substr(values, 4), torch::kFloat, {1}));
      module.register_buffer("codebook_zero_point",
                             bytes_tensor(codebook.substr(values + 4, 1), torch::kUInt8, {1}));
      source = std::string(kUnpackSource) + kPqInt8Source;
    } else {
      module.register_buffer("codebook", bytes_tensor(codebook, torch::kHalf, centroids));
      source = std::string(kUnpackSource) + kPqSource;
    }
  }
  if (!defined) module.define(source);
  return module;
}

}  // namespace qn
