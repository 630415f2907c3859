#pragma once

#include <QWidget>

namespace qn::ui {

// Runs the event loop for `seconds` with a 5 ms timer and prints, as one JSON line on
// stdout, the longest gap between its ticks beyond the period (the UI thread's longest
// stall: a reload, a replot, a blocked call), the 99th percentile and the tick count. The
// first half second (the window's first layout and paint) is reported apart, as the
// startup stall, so that it does not stand for the window in use. Returns the
// application's exit code.
int measure_stalls(QWidget& window, double seconds);

}  // namespace qn::ui
