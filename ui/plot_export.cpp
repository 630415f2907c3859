#include "plot_export.h"

#include <QFileInfo>
#include <QSvgGenerator>
#include "qcustomplot_include.h"

namespace qn::ui {
namespace {

bool save_svg(QCustomPlot& plot, const QString& path) {
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(plot.size());
  svg.setViewBox(plot.rect());
  svg.setTitle("QNStudio plot");
  QCPPainter painter;
  if (!painter.begin(&svg)) return false;
  plot.toPainter(&painter, plot.width(), plot.height());
  return painter.end();
}

}  // namespace

bool export_plot(QCustomPlot& plot, const QString& path, QString* error) {
  const auto suffix = QFileInfo(path).suffix().toLower();
  bool saved = false;
  if (suffix == "png") {
    saved = plot.savePng(path, 0, 0, 2.0);
  } else if (suffix == "svg") {
    saved = save_svg(plot, path);
  } else if (suffix == "pdf") {
    saved = plot.savePdf(path);
  } else {
    if (error) *error = QStringLiteral("'%1': plots export as .png, .svg or .pdf").arg(path);
    return false;
  }
  if (!saved && error) *error = QStringLiteral("cannot write '%1'").arg(path);
  return saved;
}

}  // namespace qn::ui
