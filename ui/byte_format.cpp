#include "byte_format.h"

namespace qn::ui {

QString format_bytes(double bytes) {
  if (bytes < 1000) return QString::number(bytes, 'f', 0) + " B";
  if (bytes < 1e6) return QString::number(bytes / 1e3, 'f', bytes < 1e4 ? 2 : 1) + " KB";
  if (bytes < 1e9) return QString::number(bytes / 1e6, 'f', bytes < 1e7 ? 2 : 1) + " MB";
  return QString::number(bytes / 1e9, 'f', 2) + " GB";
}

}  // namespace qn::ui
