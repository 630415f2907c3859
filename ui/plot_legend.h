#pragma once

class QCustomPlot;

namespace qn::ui {

// Moves `plot`'s legend out of the axes to a row under them, `columns` entries a row, so
// that it never hides a point or a curve (the curve and Pareto plots).
void put_legend_below(QCustomPlot& plot, int columns);

}  // namespace qn::ui
