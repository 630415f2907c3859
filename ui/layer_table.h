#pragma once

#include <QComboBox>
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
  // The table's own choice for this layer (an index into layer_storage_choices()), when
  // the entry that sets it is one the table made.
  int chosen = -1;
};

// The quant.layers entry that gives exactly `layer` the choice at `choice`
// (layer_storage_choices()).
LayerQuantOverride storage_override(const QString& layer, int choice);

// The rows of a size preview of a config with these quant.layers entries: every
// quantizable layer with its weight's sizes.
QVector<LayerRow> layer_rows(const SizePreview& preview,
                             const std::vector<LayerQuantOverride>& overrides);

// A layer's own quantizer, chosen in the table: a quant.layers entry for exactly that layer.
// `centroids` 0 means an int quantizer of `bits`.
struct LayerStorageChoice {
  QString label;  // "int4", "pq K=64"
  int bits = 0;
  qint64 centroids = 0;
};
// The choices the "stored as" column offers besides "as the run".
const QVector<LayerStorageChoice>& layer_storage_choices();

// The model's quantizable layers (name, kind, shape, parameters, bytes now, how and in how
// many bytes it is stored once compressed), each with a check box: unchecked, the layer is
// left uncompressed (quant.exclude); and in "stored as", a menu that gives the layer its
// own quantizer (quant.layers). Showing new rows keeps the scroll position and emits
// nothing.
class LayerTable : public QTableWidget {
  Q_OBJECT

 public:
  explicit LayerTable(QWidget* parent = nullptr);
  void show_layers(const QVector<LayerRow>& rows);
  // Wide enough for every column; it scrolls when the panel is narrower.
  QSize sizeHint() const override;

 private:
  QComboBox* storage_menu(const LayerRow& layer);

 Q_SIGNALS:
  void compressionToggled(const QString& layer, bool compressed);
  // -1: as the run (the layer's own entry removed); else an index into
  // layer_storage_choices().
  void storageChosen(const QString& layer, int choice);
};

}  // namespace qn::ui
