#pragma once

#include <QDialog>
#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "sweep/sweep_axes.h"
#include <vector>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace qn::ui {

// Sweep: picks axes around the setup panel's config (quantizers, noise modes, rates p,
// linear block sizes, seeds) and shows how many runs they make, or why they cannot run.
// The result is one sweep spec per quantizer and noise mode, so that p varies only under
// Quant-Noise and block sizes only under PQ: no run is a duplicate of another. Every
// distinct model and quantizer is checked against the shapes before anything is queued.
class SweepDialog : public QDialog {
  Q_OBJECT

 public:
  explicit SweepDialog(RunConfig base, QWidget* parent = nullptr);

  // The sweep specs the axes describe (empty if they are invalid).
  const std::vector<nlohmann::json>& specs() const { return plan_.specs; }
  int run_count() const { return static_cast<int>(plan_.run_count); }

  QListWidget* quantizers() const { return quantizers_; }
  QLineEdit* rates() const { return rates_; }
  QLineEdit* seeds() const { return seeds_; }
  QLineEdit* linear_blocks() const { return blocks_; }
  QString summary() const;
  // In the order of noise_mode_choices().
  QCheckBox* noise_mode(size_t index) const { return noise_modes_.at(index); }

 private:
  SweepAxes axes() const;  // InputError for a field that is not a list of numbers
  void update_plan();

  RunConfig base_;
  std::vector<size_t> quantizer_indices_;  // the list's rows, into quantizer_choices()
  QLineEdit* name_;
  QListWidget* quantizers_;
  std::vector<QCheckBox*> noise_modes_;
  QLineEdit *rates_, *blocks_, *seeds_;
  QLabel* summary_;
  QPushButton* ok_;
  PlannedSweep plan_;
};

}  // namespace qn::ui
