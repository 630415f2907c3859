#include "unit_format.h"

namespace qn::ui {

QString format_bytes(double bytes) {
  if (bytes < 1000) return QString::number(bytes, 'f', 0) + " B";
  if (bytes < 1e6) return QString::number(bytes / 1e3, 'f', bytes < 1e4 ? 2 : 1) + " KB";
  if (bytes < 1e9) return QString::number(bytes / 1e6, 'f', bytes < 1e7 ? 2 : 1) + " MB";
  return QString::number(bytes / 1e9, 'f', 2) + " GB";
}

QString format_duration(double seconds) {
  const auto whole = static_cast<long long>(seconds + 0.5);
  if (whole < 60) return QStringLiteral("%1 s").arg(whole);
  if (whole < 3600) return QStringLiteral("%1 min %2 s").arg(whole / 60).arg(whole % 60, 2, 10, QChar('0'));
  return QStringLiteral("%1 h %2 min").arg(whole / 3600).arg(whole / 60 % 60, 2, 10, QChar('0'));
}

}  // namespace qn::ui
