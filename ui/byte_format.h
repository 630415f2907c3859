#pragma once

#include <QString>

namespace qn::ui {

// A size as axes and tables show it: core's byte_text (core/common/byte_text.h) as a
// QString, so that the GUI and the exported comparisons write sizes alike.
QString format_bytes(double bytes);

}  // namespace qn::ui
