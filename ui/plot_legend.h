#pragma once

class QCustomPlot;

namespace qn::ui {

// Moves `plot`'s legend out of the axes to a row under them, so that it never hides a
// point or a curve (the curve, Pareto and response plots). Its entries fill up to
// `max_columns` columns, fewer when the plot is too narrow for them: entries wrap onto more
// rows and are never clipped (the number an entry carries stays readable).
void put_legend_below(QCustomPlot& plot, int max_columns);

}  // namespace qn::ui
