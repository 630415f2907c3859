#pragma once

#include <string>

namespace qn {

// What compresses the weights (docs/method.md): the config's quant.method.
enum class QuantMethod {
  None,  // weights stay in float (fp32, or fp16 with quant.plain_bits 16)
  Int,   // scalar intN, 2..8 bits, with a range observer
  PQ,    // product quantization: k-means codebooks over blocks of weights, in one shot
  IPQ,   // PQ stage by stage, fine-tuning the rest and the centroids after each stage
};

QuantMethod parse_quant_method(const std::string& name);  // "none", "int", "pq", "ipq"
std::string to_string(QuantMethod method);

// PQ and iPQ share codebooks over blocks: block sizes, K and the noise form apply to them.
bool uses_codebooks(QuantMethod method);

}  // namespace qn
