#include "plot_legend.h"

#include "qcustomplot_include.h"

namespace qn::ui {
namespace {

constexpr int kNoWidthLimit = 1 << 20;  // pixels: wider than any screen

}  // namespace

void put_legend_below(QCustomPlot& plot, int columns) {
  auto* legend_row = new QCPLayoutGrid;
  plot.plotLayout()->addElement(1, 0, legend_row);
  legend_row->setMargins(QMargins(5, 0, 5, 5));
  // QCustomPlot 2.1 takes a column's maximum width from every element in it, and an empty
  // legend hints a maximum width of 0: without a limit of our own, a view with no runs would
  // squeeze the axes into a sliver.
  legend_row->setMaximumSize(kNoWidthLimit, QWIDGETSIZE_MAX);
  legend_row->addElement(0, 0, plot.legend);
  plot.legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot.legend->setWrap(columns);
  plot.legend->setBorderPen(Qt::NoPen);
  plot.plotLayout()->setRowStretchFactor(1, 0.001);
}

}  // namespace qn::ui
