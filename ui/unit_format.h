#pragma once

#include <QString>

namespace qn::ui {

// "812 B", "152.3 KB", "4.10 MB": sizes as axes and tables show them (1 KB = 1000 B, as
// file managers count).
QString format_bytes(double bytes);
// "45 s", "3 min 20 s", "2 h 05 min": durations as the queue shows them.
QString format_duration(double seconds);

}  // namespace qn::ui
