#pragma once

class QCustomPlot;
class QString;

namespace qn::ui {

// An empty plot says what to select or do, in its middle, instead of showing bare axes
// (0 to 5, or whatever range QCustomPlot last computed). `hint` empty: the axes and their
// contents show again. Call it on every redraw, empty or not.
void set_empty_hint(QCustomPlot& plot, const QString& hint);

}  // namespace qn::ui
