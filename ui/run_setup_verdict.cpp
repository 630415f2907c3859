// The setup panel's verdict on its config: the engine's check (run on the thread pool,
// the latest answer shown), the number fields' ranges, which fields apply, and the undo
// steps: split from run_setup_panel.cpp, which builds and fills the panel.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFutureWatcher>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>
#include <cmath>

#include "byte_format.h"
#include "config/choices.h"
#include "number_fields.h"
#include "run_setup_panel.h"
#include "train/run_check.h"

namespace qn::ui {
namespace {

// JSON compares; RunConfig has no equality of its own.
bool same_config(const RunConfig& a, const RunConfig& b) { return to_json(a) == to_json(b); }

}  // namespace

// One edit of the setup, undone by showing the config before it.
class ConfigEdit : public QUndoCommand {
 public:
  ConfigEdit(RunSetupPanel* panel, RunConfig before, RunConfig after)
      : QUndoCommand("edit the run setup"),
        panel_(panel),
        before_(std::move(before)),
        after_(std::move(after)) {}
  void undo() override { show(before_); }
  void redo() override {
    if (!first_) show(after_);
    first_ = false;  // the first redo is the edit itself, already on screen
  }

 private:
  void show(const RunConfig& config) {
    panel_->replaying_ = true;
    panel_->set_config(config);
    panel_->recorded_ = config;
    panel_->replaying_ = false;
  }
  RunSetupPanel* panel_;
  RunConfig before_, after_;
  bool first_ = true;
};

void RunSetupPanel::schedule_validation() {
  if (loading_) return;
  update_enabled_fields();
  run_button_->setEnabled(false);  // until the check has run
  sweep_button_->setEnabled(false);
  propose_button_->setEnabled(false);
  ++check_generation_;  // a check of the config before this edit no longer counts
  validation_timer_->start();
}

void RunSetupPanel::update_enabled_fields() {
  // A TorchScript model's shapes are its own.
  width_->setEnabled(!is_scripted_model(base_.model));
  hidden_->setEnabled(!is_scripted_model(base_.model));
  const auto& choice = quantizer_choices().at(static_cast<size_t>(quantizer_->currentIndex()));
  const bool pq = uses_codebooks(choice.method);
  bits_->setEnabled(choice.method == QuantMethod::Int && choice.bits == 0);
  observer_->setEnabled(choice.method == QuantMethod::Int);
  for (auto* box : {linear_block_, conv1x1_block_, conv_block_, embedding_block_, centroids_}) {
    box->setEnabled(pq);
  }
  finetune_steps_->setEnabled(choice.method == QuantMethod::IPQ);
  const bool quant_noise =
      noise_mode_choices().at(static_cast<size_t>(noise_->currentIndex())).mode == NoiseMode::QuantNoise;
  form_->setEnabled(quant_noise && pq);
  rate_->setEnabled(quant_noise);
  rate_slider_->setEnabled(quant_noise);
  // Greyed fields show the value that applies: int8's and int4's width, STE's p = 1 and
  // post-training's p = 0; Quant-Noise starts at the paper's rate.
  if (choice.method == QuantMethod::Int && choice.bits != 0) {
    const QSignalBlocker block(bits_);
    bits_->setValue(choice.bits);
  }
  if (quant_noise && quant_noise_rate_ <= 0) quant_noise_rate_ = recommended_noise_rate(choice.method);
  const bool ste =
      noise_mode_choices().at(static_cast<size_t>(noise_->currentIndex())).mode == NoiseMode::Ste;
  const QSignalBlocker block(rate_);
  rate_->setValue(quant_noise ? quant_noise_rate_ : ste ? 1.0 : 0.0);
  const QSignalBlocker block_slider(rate_slider_);
  rate_slider_->setValue(static_cast<int>(std::lround(rate_->value() * kRateSteps)));
}

// The engine's check builds the model (milliseconds for the presets, seconds for a big
// model of the user's): it runs on the thread pool, and only the latest answer shows.
void RunSetupPanel::start_check() {
  record_edit();
  const auto config = this->config();
  const int generation = ++check_generation_;
  auto* watcher = new QFutureWatcher<ConfigCheck>(this);
  ++checks_running_;
  connect(watcher, &QFutureWatcher<ConfigCheck>::finished, this, [this, watcher, generation] {
    --checks_running_;
    if (generation == check_generation_) show_check(watcher->result());
    watcher->deleteLater();
  });
  watcher->setFuture(QtConcurrent::run(check_config, config));
}

bool RunSetupPanel::checking() const {
  return validation_timer_->isActive() || checks_running_ > 0;
}

void RunSetupPanel::record_edit() {
  if (replaying_ || !recorded_) return;
  auto current = config();
  if (!same_config(current, *recorded_)) {
    undo_stack_->push(new ConfigEdit(this, *recorded_, current));
    recorded_ = std::move(current);
  }
}

ConfigCheck check_config(const RunConfig& config) {
  try {
    const auto preview = check_before_training(config);
    return {true,
            QStringLiteral("Size once compressed: %1%2 (x%3 against fp32 %4)")
                .arg(preview.exact ? "" : "at most ",
                     format_bytes(static_cast<double>(preview.size.total_bytes())))
                .arg(preview.size.compression(), 0, 'f', 1)
                .arg(format_bytes(static_cast<double>(preview.size.fp32_bytes()))),
            layer_rows(preview, config.quant.layers)};
  } catch (const std::exception& problem) {  // qn::Error, or a shape LibTorch refuses
    return {false, QString::fromStdString(problem.what()), {}};
  }
}

void RunSetupPanel::show_check(const ConfigCheck& check) {
  valid_ = check.valid;
  check_message_ = check.message;
  if (valid_) layers_->show_layers(check.layers);  // a refused config keeps the last listing
  show_verdict();
}

void RunSetupPanel::check_ranges() {
  QStringList problems;
  for (const auto& [name, box] : number_fields_) {
    const auto problem = range_problem(*box);
    box->setStyleSheet(problem.isEmpty() ? QString() : QStringLiteral("QAbstractSpinBox { border: 2px solid #b00020; }"));
    if (!problem.isEmpty()) problems << name + " " + problem;
  }
  range_problems_ = problems.join("; ");
  show_verdict();
}

void RunSetupPanel::show_verdict() {
  // A field out of range is refused before the engine's check: the value typed is not the
  // one the config holds.
  const bool runnable = valid_ && range_problems_.isEmpty();
  status_->setStyleSheet(runnable ? QString() : QStringLiteral("color: #b00020"));
  status_->setText(range_problems_.isEmpty()
                       ? check_message_
                       : "Cannot run: " + range_problems_ + " (leaving the field restores its last value)");
  run_button_->setEnabled(runnable);
  sweep_button_->setEnabled(runnable);
  propose_button_->setEnabled(runnable);
}

QString RunSetupPanel::status_text() const { return status_->text(); }

}  // namespace qn::ui
