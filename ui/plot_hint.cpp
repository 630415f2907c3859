#include "plot_hint.h"

#include "qcustomplot_include.h"

namespace qn::ui {
namespace {

constexpr auto kHintName = "qnstudio-empty-hint";

QCPItemText* hint_item(QCustomPlot& plot) {
  for (int i = 0; i < plot.itemCount(); ++i) {
    if (plot.item(i)->objectName() == kHintName) return qobject_cast<QCPItemText*>(plot.item(i));
  }
  return nullptr;
}

}  // namespace

void set_empty_hint(QCustomPlot& plot, const QString& hint) {
  // The axis rect carries the axes, the grid and the plottables: hidden, they all are.
  plot.axisRect()->setVisible(hint.isEmpty());
  // A legend shown is hidden with the axes, and shown again with them.
  constexpr auto kLegendHidden = "qnstudio-legend-hidden";
  if (!hint.isEmpty() && plot.legend->visible()) {
    plot.legend->setVisible(false);
    plot.setProperty(kLegendHidden, true);
  } else if (hint.isEmpty() && plot.property(kLegendHidden).toBool()) {
    plot.legend->setVisible(true);
    plot.setProperty(kLegendHidden, false);
  }
  auto* text = hint_item(plot);
  if (hint.isEmpty()) {
    if (text) plot.removeItem(text);
    return;
  }
  if (!text) {
    text = new QCPItemText(&plot);
    text->setObjectName(kHintName);
    // Not a child of the (hidden) axis rect: QCustomPlot 2.1 makes an item its clip rect's
    // child, and unsetting the clipping alone keeps it so; with no clip rect first, it is not.
    text->setClipAxisRect(nullptr);
    text->setClipToAxisRect(false);
    text->position->setType(QCPItemPosition::ptViewportRatio);
    text->position->setCoords(0.5, 0.45);
    text->setPositionAlignment(Qt::AlignCenter);
    text->setTextAlignment(Qt::AlignCenter);
    text->setColor(QColor(90, 90, 90));
    QFont font = plot.font();
    font.setPointSizeF(font.pointSizeF() * 1.1);
    text->setFont(font);
  }
  text->setText(hint);
}

}  // namespace qn::ui
