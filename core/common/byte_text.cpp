#include "common/byte_text.h"

#include <cmath>
#include <cstdio>

namespace qn {

std::string byte_text(double bytes) {
  const double magnitude = std::abs(bytes);
  char text[32];
  if (magnitude < 1e3) {
    std::snprintf(text, sizeof text, "%.0f B", bytes);
  } else if (magnitude < 1e6) {
    std::snprintf(text, sizeof text, magnitude < 1e4 ? "%.2f KB" : "%.1f KB", bytes / 1e3);
  } else if (magnitude < 1e9) {
    std::snprintf(text, sizeof text, magnitude < 1e7 ? "%.2f MB" : "%.1f MB", bytes / 1e6);
  } else {
    std::snprintf(text, sizeof text, "%.2f GB", bytes / 1e9);
  }
  return text;
}

}  // namespace qn
