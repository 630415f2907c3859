#include "nn/script_form.h"

#include <cstdio>

namespace qn {

std::string script_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  std::string literal = text;
  // "2" would be an int in TorchScript; a float literal keeps float arithmetic.
  if (literal.find_first_of(".en") == std::string::npos) literal += ".0";
  return literal;
}

std::string script_list_child(const std::string& list, int64_t index) {
  return "getattr(self." + list + ", \"" + std::to_string(index) + "\")";
}

}  // namespace qn
