#include "layer_table.h"

#include <QComboBox>
#include <QHeaderView>

#include "byte_format.h"
#include "config/layer_quant.h"
#include "nn/quantizable_layer.h"

namespace qn::ui {
namespace {

// What a user acts on first: how each layer is stored and what it then weighs.
enum Column { kName, kStorage, kBytesCompressed, kBytesNow, kParameters, kShape, kKind, kColumns };

QString shape_text(const std::vector<int64_t>& shape) {
  QStringList sizes;
  for (const int64_t size : shape) sizes << QString::number(size);
  return sizes.join(QChar(0x00D7));  // 64×16×3×3
}

QTableWidgetItem* number_item(const QString& text, qint64 value) {
  auto* item = new QTableWidgetItem(text);
  item->setData(Qt::UserRole, value);
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

}  // namespace

const QVector<LayerStorageChoice>& layer_storage_choices() {
  static const QVector<LayerStorageChoice> choices = {
      {"int8", 8, 0}, {"int4", 4, 0}, {"pq K=256", 0, 256}, {"pq K=64", 0, 64}, {"pq K=16", 0, 16}};
  return choices;
}

LayerQuantOverride storage_override(const QString& layer, int choice) {
  const auto& chosen = layer_storage_choices().at(choice);
  LayerQuantOverride entry;
  entry.pattern = exact_layer_pattern(layer.toStdString());
  entry.method = chosen.centroids > 0 ? QuantMethod::PQ : QuantMethod::Int;
  if (chosen.centroids > 0) {
    entry.centroids = chosen.centroids;
  } else {
    entry.bits = chosen.bits;
  }
  return entry;
}

namespace {

// Which of the table's choices `entry` is, if it is exactly one made for `layer`; else -1.
int chosen_storage(const LayerQuantOverride& entry, const QString& layer) {
  for (int choice = 0; choice < layer_storage_choices().size(); ++choice) {
    const auto made = storage_override(layer, choice);
    if (entry.pattern == made.pattern && entry.method == made.method && entry.bits == made.bits &&
        entry.centroids == made.centroids && !entry.observer && !entry.block_size) {
      return choice;
    }
  }
  return -1;
}

}  // namespace

QVector<LayerRow> layer_rows(const SizePreview& preview,
                             const std::vector<LayerQuantOverride>& overrides) {
  QVector<LayerRow> rows;
  for (const auto& [layer, compressed, storage, override_index] : preview.layers) {
    const auto weight = weight_tensor_name(layer.name);
    for (const auto& entry : preview.size.entries()) {
      if (entry.name != weight) continue;
      rows.push_back({QString::fromStdString(layer.name), QString::fromStdString(to_string(layer.kind)),
                      shape_text(entry.shape), entry.numel, entry.numel * 4,
                      entry.bytes.total(), compressed, QString::fromStdString(storage),
                      override_index ? QString("quant.layers[%1]").arg(*override_index) : QString(),
                      override_index && *override_index < overrides.size()
                          ? chosen_storage(overrides[*override_index], QString::fromStdString(layer.name))
                          : -1});
    }
  }
  return rows;
}

LayerTable::LayerTable(QWidget* parent) : QTableWidget(0, kColumns, parent) {
  setHorizontalHeaderLabels({"layer", "stored as", "compressed", "now", "parameters", "shape", "kind"});
  horizontalHeaderItem(kName)->setToolTip("Unchecked layers are left uncompressed (quant.exclude)");
  verticalHeader()->hide();
  horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  horizontalHeader()->setStretchLastSection(true);
  setSelectionMode(QAbstractItemView::NoSelection);
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  connect(this, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (item->column() != kName) return;
    Q_EMIT compressionToggled(item->text(), item->checkState() == Qt::Checked);
  });
}

void LayerTable::show_layers(const QVector<LayerRow>& rows) {
  const QSignalBlocker block(this);
  setRowCount(static_cast<int>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) {
    const auto& layer = rows[row];
    auto* name = new QTableWidgetItem(layer.name);
    name->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
    name->setCheckState(layer.compressed ? Qt::Checked : Qt::Unchecked);
    setItem(row, kName, name);
    setItem(row, kKind, new QTableWidgetItem(layer.kind));
    setItem(row, kShape, new QTableWidgetItem(layer.shape));
    setItem(row, kParameters, number_item(QString::number(layer.parameters), layer.parameters));
    setItem(row, kBytesNow, number_item(format_bytes(static_cast<double>(layer.fp32_bytes)),
                                        layer.fp32_bytes));
    auto* storage = new QTableWidgetItem(layer.storage);
    if (!layer.set_by.isEmpty()) storage->setToolTip("set by " + layer.set_by);
    setItem(row, kStorage, storage);
    setCellWidget(row, kStorage, layer.compressed ? storage_menu(layer) : nullptr);
    auto* compressed =
        number_item(format_bytes(static_cast<double>(layer.bytes)), layer.bytes);
    if (!layer.compressed) compressed->setToolTip("left uncompressed: stored as it is");
    setItem(row, kBytesCompressed, compressed);
  }
}

QComboBox* LayerTable::storage_menu(const LayerRow& layer) {
  auto* menu = new QComboBox;
  // The first entry shows how the layer is stored now, whatever set it.
  menu->addItem(layer.chosen >= 0 ? "as the run" : layer.storage);
  for (const auto& choice : layer_storage_choices()) menu->addItem(choice.label);
  menu->setCurrentIndex(layer.chosen + 1);
  menu->setToolTip(layer.set_by.isEmpty() ? "how this layer is stored: as the run, or its own quantizer "
                                            "(a quant.layers entry)"
                                          : "set by " + layer.set_by);
  connect(menu, &QComboBox::currentIndexChanged, this, [this, name = layer.name](int index) {
    Q_EMIT storageChosen(name, index - 1);
  });
  return menu;
}

QSize LayerTable::sizeHint() const {
  return {600, QTableWidget::sizeHint().height()};
}

}  // namespace qn::ui
