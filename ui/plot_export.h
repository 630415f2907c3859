#pragma once

#include <QString>

class QCustomPlot;

namespace qn::ui {

// Writes `plot` as it is shown to `path`, in the format its suffix names: .png (at twice
// the screen resolution), .svg (vector, text kept as text) or .pdf. Returns false, with
// the reason in `error`, if the suffix is none of these or the file cannot be written.
bool export_plot(QCustomPlot& plot, const QString& path, QString* error);

}  // namespace qn::ui
