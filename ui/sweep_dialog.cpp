#include "sweep_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>

#include <set>

#include "config/run_config.h"
#include "sweep/sweep_spec.h"
#include "train/size_preview.h"

namespace qn::ui {
namespace {

struct QuantizerAxis {
  const char* label;
  nlohmann::json quant;  // the quant.* values this choice sets
};

const std::vector<QuantizerAxis>& quantizer_axes() {
  static const std::vector<QuantizerAxis> axes = {
      {"int8", {{"method", "int"}, {"bits", 8}}},
      {"int4", {{"method", "int"}, {"bits", 4}}},
      {"PQ", {{"method", "pq"}, {"centroid_bits", 16}}},
      {"iPQ", {{"method", "ipq"}, {"centroid_bits", 16}}},
      {"iPQ + int8", {{"method", "ipq"}, {"centroid_bits", 8}}},
  };
  return axes;
}

const char* const kNoiseModes[] = {"none", "ste", "quant-noise"};
const char* const kNoiseLabels[] = {"none", "STE", "Quant-Noise"};

// "0.05, 0.1 0.2" -> [0.05, 0.1, 0.2]; a word that is not a number is an error.
std::vector<nlohmann::json> numbers(const QString& text, bool integers, const char* what) {
  std::vector<nlohmann::json> values;
  for (const auto& word : text.split(QRegularExpression("[,\\s]+"), Qt::SkipEmptyParts)) {
    bool ok = false;
    const double value = word.toDouble(&ok);
    if (!ok || (integers && value != static_cast<int64_t>(value))) {
      throw std::invalid_argument(std::string(what) + ": '" + word.toStdString() +
                                  "' is not " + (integers ? "an integer" : "a number"));
    }
    values.push_back(integers ? nlohmann::json(static_cast<int64_t>(value)) : nlohmann::json(value));
  }
  if (values.empty()) throw std::invalid_argument(std::string(what) + ": give at least one value");
  return values;
}

// The model's shapes against the quantizer (a block size that does not divide a layer),
// once per distinct task, model and quantizer.
void check_shapes(const nlohmann::json& config, std::set<std::string>& checked) {
  const auto key = config["task"].dump() + config["model"].dump() + config["quant"].dump();
  if (!checked.insert(key).second) return;
  preview_size(parse_run_config(config));
}

}  // namespace

SweepDialog::SweepDialog(nlohmann::json base, QWidget* parent)
    : QDialog(parent), base_(std::move(base)) {
  setWindowTitle("Sweep");
  name_ = new QLineEdit("sweep");
  quantizers_ = new QListWidget;
  const auto current = base_.value("quant", nlohmann::json::object());
  for (const auto& axis : quantizer_axes()) {
    auto* item = new QListWidgetItem(axis.label, quantizers_);
    bool same = true;
    for (const auto& [key, value] : axis.quant.items()) same = same && current.value(key, nlohmann::json()) == value;
    item->setCheckState(same ? Qt::Checked : Qt::Unchecked);
  }
  quantizers_->setMaximumHeight(120);
  auto* modes = new QHBoxLayout;
  for (int i = 0; i < 3; ++i) {
    noise_modes_[i] = new QCheckBox(kNoiseLabels[i]);
    noise_modes_[i]->setChecked(true);
    modes->addWidget(noise_modes_[i]);
  }
  rates_ = new QLineEdit("0.05, 0.1, 0.2");
  blocks_ = new QLineEdit(QString::number(
      base_.value(nlohmann::json::json_pointer("/quant/block_size/linear"), 8)));
  seeds_ = new QLineEdit("0");
  summary_ = new QLabel;
  summary_->setWordWrap(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  ok_ = buttons->button(QDialogButtonBox::Ok);
  ok_->setText("Queue");

  auto* form = new QFormLayout(this);
  form->addRow("name", name_);
  form->addRow("quantizers", quantizers_);
  form->addRow("noise modes", modes);
  form->addRow("rates p (Quant-Noise)", rates_);
  form->addRow("linear block sizes (PQ)", blocks_);
  form->addRow("seeds", seeds_);
  form->addRow(summary_);
  form->addRow(buttons);

  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(quantizers_, &QListWidget::itemChanged, this, &SweepDialog::update_plan);
  for (auto* box : noise_modes_) connect(box, &QCheckBox::toggled, this, &SweepDialog::update_plan);
  for (auto* edit : {name_, rates_, blocks_, seeds_}) {
    connect(edit, &QLineEdit::textChanged, this, &SweepDialog::update_plan);
  }
  update_plan();
}

QString SweepDialog::summary() const { return summary_->text(); }

void SweepDialog::update_plan() {
  specs_.clear();
  run_count_ = 0;
  try {
    const auto seeds = numbers(seeds_->text(), true, "seeds");
    const auto rates = numbers(rates_->text(), false, "rates p");
    const auto blocks = numbers(blocks_->text(), true, "block sizes");
    std::set<std::string> checked;
    for (int q = 0; q < quantizers_->count(); ++q) {
      if (quantizers_->item(q)->checkState() != Qt::Checked) continue;
      const auto& axis = quantizer_axes()[static_cast<size_t>(q)];
      for (int mode = 0; mode < 3; ++mode) {
        if (!noise_modes_[mode]->isChecked()) continue;
        auto spec_base = base_;
        spec_base["quant"].update(axis.quant);
        spec_base["noise"]["mode"] = kNoiseModes[mode];
        // STE on PQ replaces every block by its centroid: the exact form (proxy needs p < 1).
        if (mode == 1 && axis.quant["method"] != "int") spec_base["noise"]["form"] = "exact";
        nlohmann::json grid = nlohmann::json::object();
        if (mode == 2) grid["noise.p"] = rates;
        if (axis.quant["method"] != "int") grid["quant.block_size.linear"] = blocks;
        const nlohmann::json spec = {
            {"name", name_->text().toStdString() + " (" + axis.label + ", " + kNoiseLabels[mode] + ")"},
            {"base", spec_base}, {"grid", grid}, {"seeds", seeds}};
        const auto configs = expand_sweep(parse_sweep_spec(spec));
        for (const auto& config : configs) check_shapes(config, checked);
        run_count_ += static_cast<int>(configs.size());
        specs_.push_back(spec);
      }
    }
    if (specs_.empty()) throw std::invalid_argument("pick at least one quantizer and one noise mode");
    summary_->setStyleSheet({});
    summary_->setText(QStringLiteral("%1 runs in %2 sweep(s)").arg(run_count_).arg(specs_.size()));
  } catch (const std::exception& problem) {  // a bad number, or a grid point that cannot run
    specs_.clear();
    run_count_ = 0;
    summary_->setStyleSheet("color: #b00020");
    summary_->setText(QString::fromStdString(problem.what()));
  }
  ok_->setEnabled(!specs_.empty());
}

}  // namespace qn::ui
