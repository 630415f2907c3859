#include "sweep_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>

#include <QRegularExpression>
#include <type_traits>

#include "common/error.h"
#include "config/choices.h"

namespace qn::ui {
namespace {

// "0.05, 0.1 0.2" -> [0.05, 0.1, 0.2]; a word that is not a number is an error.
template <class Number>
std::vector<Number> numbers(const QString& text, const char* what) {
  constexpr bool integers = std::is_integral_v<Number>;
  std::vector<Number> values;
  for (const auto& word : text.split(QRegularExpression("[,\\s]+"), Qt::SkipEmptyParts)) {
    bool ok = false;
    const double value = word.toDouble(&ok);
    if (!ok || (integers && value != static_cast<double>(static_cast<int64_t>(value)))) {
      throw InputError(std::string(what) + ": '" + word.toStdString() + "' is not " +
                       (integers ? "an integer" : "a number"));
    }
    values.push_back(static_cast<Number>(value));
  }
  if (values.empty()) throw InputError(std::string(what) + ": give at least one value");
  return values;
}

}  // namespace

SweepDialog::SweepDialog(RunConfig base, QWidget* parent)
    : QDialog(parent), base_(std::move(base)), quantizer_indices_(sweepable_quantizers()) {
  setWindowTitle("Sweep");
  name_ = new QLineEdit("sweep");
  quantizers_ = new QListWidget;
  for (const auto index : quantizer_indices_) {
    const auto& choice = quantizer_choices()[index];
    auto* item = new QListWidgetItem(QString::fromStdString(choice.label), quantizers_);
    item->setCheckState(choice.matches(base_.quant) ? Qt::Checked : Qt::Unchecked);
  }
  quantizers_->setMaximumHeight(120);
  auto* modes = new QHBoxLayout;
  for (const auto& choice : noise_mode_choices()) {
    auto* box = new QCheckBox(QString::fromStdString(choice.label));
    box->setChecked(true);
    modes->addWidget(box);
    noise_modes_.push_back(box);
  }
  rates_ = new QLineEdit("0.05, 0.1, 0.2");
  blocks_ = new QLineEdit(QString::number(base_.quant.block_size.linear));
  seeds_ = new QLineEdit(QString::number(base_.train.seed));
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

SweepAxes SweepDialog::axes() const {
  SweepAxes axes;
  axes.name = name_->text().toStdString();
  for (int row = 0; row < quantizers_->count(); ++row) {
    if (quantizers_->item(row)->checkState() == Qt::Checked) {
      axes.quantizers.push_back(quantizer_indices_[static_cast<size_t>(row)]);
    }
  }
  for (size_t i = 0; i < noise_modes_.size(); ++i) {
    if (noise_modes_[i]->isChecked()) axes.noise_modes.push_back(noise_mode_choices()[i].mode);
  }
  axes.seeds = numbers<int64_t>(seeds_->text(), "seeds");
  axes.rates = numbers<double>(rates_->text(), "rates p");
  axes.linear_blocks = numbers<int64_t>(blocks_->text(), "block sizes");
  return axes;
}

void SweepDialog::update_plan() {
  try {
    plan_ = plan_sweep(base_, axes());
    summary_->setStyleSheet({});
    summary_->setText(QStringLiteral("%1 runs in %2 sweep(s)").arg(plan_.run_count).arg(plan_.specs.size()));
  } catch (const std::exception& problem) {  // a bad number, or a grid point that cannot run
    plan_ = {};
    summary_->setStyleSheet("color: #b00020");
    summary_->setText(QString::fromStdString(problem.what()));
  }
  ok_->setEnabled(!plan_.specs.empty());
}

}  // namespace qn::ui
