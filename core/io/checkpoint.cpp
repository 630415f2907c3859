#include "io/checkpoint.h"

#include <torch/types.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

#include "common/error.h"
#include "io/little_endian.h"
#include "io/qnz_writer.h"
#include "quant/bit_packing.h"
#include "quant/int_quantizer.h"
#include "quant/plain_quantizer.h"
#include "quant/pq_quantizer.h"

namespace qn {
namespace {

// Tensor payloads are copied as they lie in memory, which is the file's byte order only on
// a little-endian host (every platform LibTorch supports today).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, ".qnz tensors are little-endian");

std::string raw_bytes(const torch::Tensor& tensor) {
  const auto cpu = tensor.detach().to(torch::kCPU).contiguous();
  return std::string(static_cast<const char*>(cpu.data_ptr()), cpu.nbytes());
}

torch::Tensor tensor_from_bytes(std::string_view bytes, const std::vector<int64_t>& shape,
                                torch::ScalarType type) {
  auto tensor = torch::empty(shape, torch::TensorOptions().dtype(type));
  TORCH_CHECK(tensor.nbytes() == bytes.size(), "the reader checked every section's size");
  std::memcpy(tensor.data_ptr(), bytes.data(), bytes.size());
  return tensor;
}

// The file names layer kinds in lower case: "linear", "conv2d", "embedding".
std::string layer_name(LayerKind kind) {
  auto name = to_string(kind);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

LayerKind parse_layer_name(const std::string& name) {
  for (const auto kind : {LayerKind::Linear, LayerKind::Conv2d, LayerKind::Embedding}) {
    if (layer_name(kind) == name) return kind;
  }
  throw std::logic_error("the reader admits only linear, conv2d and embedding layers");
}

// intN scale and zero-point section: C fp32 scales, then C one-byte zero points.
std::string scale_bytes(const AffineParams& params) {
  return raw_bytes(params.scale.to(torch::kFloat)) + raw_bytes(params.zero_point.to(torch::kUInt8));
}

AffineParams params_from_bytes(std::string_view bytes, int bits, bool per_channel) {
  const int64_t channels = static_cast<int64_t>(bytes.size() / 5);
  AffineParams params;
  params.bits = bits;
  params.per_channel = per_channel;
  params.scale = tensor_from_bytes(bytes.substr(0, 4 * channels), {channels}, torch::kFloat);
  params.zero_point =
      tensor_from_bytes(bytes.substr(4 * channels), {channels}, torch::kUInt8).to(torch::kLong);
  return params;
}

QnzTensorBytes encode_tensor(const std::string& name, const CompressedTensor& tensor) {
  QnzTensorBytes out;
  out.entry.name = name;
  out.entry.method = tensor.method();
  out.entry.shape = tensor.shape();
  const auto add = [&](const char* kind, std::string bytes) {
    out.entry.sections.push_back({kind});
    out.sections.push_back(std::move(bytes));
  };
  if (const auto* plain = dynamic_cast<const PlainTensor*>(&tensor)) {
    const auto type = plain->width() == PlainWidth::Fp32 ? torch::kFloat : torch::kHalf;
    add("values", raw_bytes(plain->decode().to(type)));
  } else if (const auto* scalar = dynamic_cast<const IntTensor*>(&tensor)) {
    out.entry.bits = scalar->params().bits;
    out.entry.per_channel = scalar->params().per_channel;
    add("codes", raw_bytes(pack_bits(scalar->codes(), scalar->params().bits)));
    add("scales", scale_bytes(scalar->params()));
  } else if (const auto* pq = dynamic_cast<const PqTensor*>(&tensor)) {
    out.entry.layer = layer_name(pq->layout().layer().kind);
    out.entry.block_size = pq->layout().block_size();
    out.entry.centroids = pq->codebook().size();
    add("codes", raw_bytes(pack_bits(pq->codes(), pq->code_bits())));
    const auto& int8 = pq->codebook().int8();
    if (int8) {
      std::string codebook = raw_bytes(int8->codes());
      append_f32(codebook, int8->params().scale.item<float>());
      codebook.push_back(static_cast<char>(int8->params().zero_point.item<int64_t>()));
      add("codebook", std::move(codebook));
    } else {
      add("codebook", raw_bytes(pq->codebook().centroids().to(torch::kHalf)));
    }
  } else {
    throw std::logic_error("tensor '" + name + "': no .qnz encoding for method " +
                           tensor.method());
  }
  return out;
}

std::shared_ptr<const CompressedTensor> decode_tensor(const QnzFile& file,
                                                      const QnzTensor& entry) {
  if (entry.method == "fp32" || entry.method == "fp16") {
    const bool fp32 = entry.method == "fp32";
    const auto values = tensor_from_bytes(file.data(entry.section("values")), entry.shape,
                                          fp32 ? torch::kFloat : torch::kHalf);
    return std::make_shared<PlainTensor>(values, fp32 ? PlainWidth::Fp32 : PlainWidth::Fp16);
  }
  const auto packed_codes = [&] {
    const auto bytes = file.data(entry.section("codes"));
    return tensor_from_bytes(bytes, {static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  };
  if (entry.bits > 0) {
    auto codes = unpack_bits(packed_codes(), entry.bits, entry.numel())
                     .to(torch::kUInt8)
                     .reshape(entry.shape);
    return std::make_shared<IntTensor>(
        params_from_bytes(file.data(entry.section("scales")), entry.bits, entry.per_channel),
        std::move(codes));
  }
  BlockLayout layout({entry.name, parse_layer_name(entry.layer)}, entry.shape, entry.block_size);
  const auto codebook_bytes = file.data(entry.section("codebook"));
  const std::vector<int64_t> codebook_shape = {entry.centroids, entry.block_size};
  auto codebook = [&] {
    if (entry.method == "pq") {
      return Codebook::from_fp16(tensor_from_bytes(codebook_bytes, codebook_shape, torch::kHalf));
    }
    const auto values = static_cast<size_t>(entry.centroids * entry.block_size);
    auto int8 = IntTensor(params_from_bytes(codebook_bytes.substr(values), 8, false),
                          tensor_from_bytes(codebook_bytes.substr(0, values), codebook_shape,
                                            torch::kUInt8));
    return Codebook::from_int8(std::move(int8));
  }();
  auto codes = unpack_bits(packed_codes(), code_bits_for(entry.centroids), layout.block_count());
  return std::make_shared<PqTensor>(std::move(layout), std::move(codebook), std::move(codes));
}

}  // namespace

std::string encode_checkpoint(const CompressedModel& model, const nlohmann::json& config,
                              const nlohmann::json& result) {
  std::vector<QnzTensorBytes> tensors;
  for (const auto& [name, tensor] : model.tensors()) {
    tensors.push_back(encode_tensor(name, *tensor));
    tensors.back().entry.aliases = model.aliases(name);
  }
  return write_qnz(config, result, tensors);
}

CompressedModel decode_checkpoint(const QnzFile& file) {
  CompressedModel model;
  for (const auto& entry : file.tensors) {
    model.add(entry.name, decode_tensor(file, entry));
    if (!entry.aliases.empty()) model.add_aliases(entry.name, entry.aliases);
  }
  return model;
}

}  // namespace qn
