#include "plot_legend.h"

#include <algorithm>

#include "qcustomplot_include.h"

namespace qn::ui {
namespace {

constexpr int kNoWidthLimit = 1 << 20;  // pixels: wider than any screen

// As many columns as the widest entry allows in the plot's width, at most `max_columns`.
void fit_columns(QCustomPlot& plot, int max_columns) {
  auto* legend = plot.legend;
  int widest = 1;
  for (int i = 0; i < legend->itemCount(); ++i) {  // cells, some empty in a wrapped grid
    if (const auto* item = legend->item(i)) widest = std::max(widest, item->minimumOuterSizeHint().width());
  }
  const auto margins = legend->margins();
  const int available = plot.width() - margins.left() - margins.right() - 10;
  const int columns = std::clamp(available / (widest + legend->columnSpacing()), 1, max_columns);
  if (legend->wrap() == columns) return;
  legend->setWrap(columns);
  legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, /*rearrange=*/true);
}

}  // namespace

void put_legend_below(QCustomPlot& plot, int max_columns) {
  auto* legend_row = new QCPLayoutGrid;
  plot.plotLayout()->addElement(1, 0, legend_row);
  legend_row->setMargins(QMargins(5, 0, 5, 5));
  // QCustomPlot 2.1 takes a column's maximum width from every element in it, and an empty
  // legend hints a maximum width of 0: without a limit of our own, a view with no runs would
  // squeeze the axes into a sliver.
  legend_row->setMaximumSize(kNoWidthLimit, QWIDGETSIZE_MAX);
  legend_row->addElement(0, 0, plot.legend);
  plot.legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot.legend->setWrap(max_columns);
  plot.legend->setBorderPen(Qt::NoPen);
  plot.plotLayout()->setRowStretchFactor(1, 0.001);
  // Before every replot (a resize replots), since entries come and go with the runs shown.
  QObject::connect(&plot, &QCustomPlot::beforeReplot, &plot,
                   [&plot, max_columns] { fit_columns(plot, max_columns); });
}

}  // namespace qn::ui
