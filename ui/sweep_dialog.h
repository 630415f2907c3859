#pragma once

#include <QDialog>
#include <nlohmann/json.hpp>
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
  explicit SweepDialog(nlohmann::json base, QWidget* parent = nullptr);

  // The sweep specs the axes describe (empty if they are invalid).
  const std::vector<nlohmann::json>& specs() const { return specs_; }
  int run_count() const { return run_count_; }

  QListWidget* quantizers() const { return quantizers_; }
  QLineEdit* rates() const { return rates_; }
  QLineEdit* seeds() const { return seeds_; }
  QLineEdit* linear_blocks() const { return blocks_; }
  QString summary() const;
  QCheckBox* noise_mode(int index) const { return noise_modes_[index]; }

 private:
  void update_plan();

  nlohmann::json base_;
  QLineEdit* name_;
  QListWidget* quantizers_;
  QCheckBox* noise_modes_[3];
  QLineEdit *rates_, *blocks_, *seeds_;
  QLabel* summary_;
  QPushButton* ok_;
  std::vector<nlohmann::json> specs_;
  int run_count_ = 0;
};

}  // namespace qn::ui
