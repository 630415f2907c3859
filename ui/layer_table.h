#pragma once

#include <QTableWidget>
#include <QVector>

#include "train/size_preview.h"

namespace qn::ui {

// One quantizable layer as the setup panel lists it.
struct LayerRow {
  QString name, kind, shape;
  qint64 parameters = 0;
  qint64 fp32_bytes = 0;  // the weight now
  qint64 bytes = 0;       // the weight once compressed (stored as is when left out)
  bool compressed = true;
  QString storage;  // "int8 (minmax)", "pq K=256 b=8", "fp32"
  QString set_by;   // "quant.layers[0]" when an entry sets it, else empty
};

// The rows of a size preview: every quantizable layer with its weight's sizes.
QVector<LayerRow> layer_rows(const SizePreview& preview);

// The model's quantizable layers (name, kind, shape, parameters, bytes now, how and in how
// many bytes it is stored once compressed), each with a check box: unchecked, the layer is left uncompressed
// (quant.exclude). Showing new rows keeps the scroll position and emits nothing.
class LayerTable : public QTableWidget {
  Q_OBJECT

 public:
  explicit LayerTable(QWidget* parent = nullptr);
  void show_layers(const QVector<LayerRow>& rows);
  // Wide enough for every column; it scrolls when the panel is narrower.
  QSize sizeHint() const override;

 Q_SIGNALS:
  void compressionToggled(const QString& layer, bool compressed);
};

// The quant.exclude pattern that leaves exactly the layer `name` uncompressed: "^fc\.1$".
std::string exact_layer_pattern(const QString& name);

}  // namespace qn::ui
