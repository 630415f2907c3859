#pragma once

#include <QString>

namespace qn::ui {

// "812 B", "152.3 KB", "4.10 MB": sizes as axes and tables show them (1 KB = 1000 B, as
// file managers count).
QString format_bytes(double bytes);

}  // namespace qn::ui
