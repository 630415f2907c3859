#include "config/quant_method.h"

#include "common/error.h"

namespace qn {

QuantMethod parse_quant_method(const std::string& name) {
  for (const auto method : {QuantMethod::None, QuantMethod::Int, QuantMethod::PQ, QuantMethod::IPQ}) {
    if (name == to_string(method)) return method;
  }
  throw InputError("config key 'quant.method' is '" + name + "'; expected one of: none, int, pq, ipq");
}

std::string to_string(QuantMethod method) {
  switch (method) {
    case QuantMethod::None:
      return "none";
    case QuantMethod::Int:
      return "int";
    case QuantMethod::PQ:
      return "pq";
    case QuantMethod::IPQ:
      return "ipq";
  }
  return "?";
}

bool uses_codebooks(QuantMethod method) {
  return method == QuantMethod::PQ || method == QuantMethod::IPQ;
}

}  // namespace qn
