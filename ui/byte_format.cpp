#include "byte_format.h"

#include "common/byte_text.h"

namespace qn::ui {

QString format_bytes(double bytes) { return QString::fromStdString(byte_text(bytes)); }

}  // namespace qn::ui
