#include "layer_table.h"

#include <QHeaderView>
#include <QRegularExpression>

#include "byte_format.h"

namespace qn::ui {
namespace {

enum Column { kName, kKind, kShape, kParameters, kBytesNow, kStorage, kBytesCompressed, kColumns };

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

QVector<LayerRow> layer_rows(const SizePreview& preview) {
  QVector<LayerRow> rows;
  for (const auto& [layer, compressed, storage, override_index] : preview.layers) {
    const auto weight = layer.name + ".weight";
    for (const auto& entry : preview.size.entries()) {
      if (entry.name != weight) continue;
      rows.push_back({QString::fromStdString(layer.name), QString::fromStdString(to_string(layer.kind)),
                      shape_text(entry.shape), entry.numel, entry.numel * 4,
                      entry.bytes.total(), compressed, QString::fromStdString(storage),
                      override_index ? QString("quant.layers[%1]").arg(*override_index) : QString()});
    }
  }
  return rows;
}

LayerTable::LayerTable(QWidget* parent) : QTableWidget(0, kColumns, parent) {
  setHorizontalHeaderLabels({"layer", "kind", "shape", "parameters", "now", "stored as", "compressed"});
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
    auto* compressed =
        number_item(format_bytes(static_cast<double>(layer.bytes)), layer.bytes);
    if (!layer.compressed) compressed->setToolTip("left uncompressed: stored as it is");
    setItem(row, kBytesCompressed, compressed);
  }
}

QSize LayerTable::sizeHint() const {
  return {600, QTableWidget::sizeHint().height()};
}

std::string exact_layer_pattern(const QString& name) {
  return ("^" + QRegularExpression::escape(name) + "$").toStdString();
}

}  // namespace qn::ui
