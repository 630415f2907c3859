#pragma once

#include <QStringList>
#include <QWidget>
#include <optional>
#include <utility>
#include <vector>

#include "config/run_config.h"
#include "image_data_fields.h"
#include "text_data_fields.h"
#include "layer_table.h"

class QComboBox;
class QAbstractSpinBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSlider;
class QSpinBox;
class QTimer;
class QUndoStack;

namespace qn::ui {

// The engine's verdict on a config: valid with the size it will have, or why not.
struct ConfigCheck {
  bool valid = false;
  QString message;
  QVector<LayerRow> layers;  // of a valid config
};
// Makes every check the engine makes before training (core's check_before_training: the
// config's rules, the device, the data location, the model's shapes) and says the size the
// run will have; safe to call from any thread, and called on the thread pool (it builds the
// model: a user's TorchScript model is read and hashed).
ConfigCheck check_config(const RunConfig& config);

// The run-setup panel: a preset (task and model; or the user's own TorchScript model, chosen
// as a file) plus what people vary: training length,
// batch, learning rate, seed, device; the quantizer (fp32, int8, int4, intN, PQ, iPQ,
// iPQ + int8) and its observer, block sizes per layer kind and K; the noise (none, STE,
// Quant-Noise with its form and rate p, slider and spin box kept in step). Every edit is
// checked against the engine at once (the config's rules and the model's shapes) and the
// panel shows either the exact size the run will have or why it cannot run; Run is enabled
// only for a config that can. The panel edits a typed RunConfig: the preset, or the config
// last set, with the widgets' values applied. The model's layers are listed with their
// sizes now and once compressed; unchecking one leaves it uncompressed (quant.exclude).
class RunSetupPanel : public QWidget {
  Q_OBJECT

 public:
  explicit RunSetupPanel(QWidget* parent = nullptr);

  // The complete config the widgets describe (the preset with their values applied).
  RunConfig config() const;
  // Shows `config` in the widgets (a preset, the last session's config, a run's).
  void set_config(const RunConfig& config);
  bool valid() const { return valid_; }
  // Valid, and the answer is about the config shown (no check pending): Run may go.
  bool ready() const { return valid_ && !checking(); }
  // Takes the user's TorchScript model at `path` (what choosing "Your model" asks for):
  // the current task and training, the model's own weights as the starting point.
  void use_model_file(const QString& path);
  // The same from `config` (a preset's, before its model is chosen).
  void use_model_file(const QString& path, RunConfig config);
  // Whether a check is scheduled or running, its answer not shown yet.
  bool checking() const;
  QString status_text() const;
  QPushButton* run_button() const { return run_button_; }
  QPushButton* propose_button() const { return propose_button_; }
  QDoubleSpinBox* target_size() const { return target_; }
  // What the window says about the target-size proposal: progress, the solver's answer, or
  // why there is none.
  void show_proposal(const QString& text);
  QString proposal_text() const;
  // Every checked edit (a widget, a preset, a run's config taken over) is one step here.
  QUndoStack* undo_stack() const { return undo_stack_; }

  // Widgets, for tests and shortcuts.
  QComboBox* quantizer() const { return quantizer_; }
  QSpinBox* centroids() const { return centroids_; }
  QSpinBox* linear_block() const { return linear_block_; }
  QSpinBox* conv_block() const { return conv_block_; }
  QSpinBox* max_steps() const { return max_steps_; }
  QSpinBox* batch() const { return batch_; }
  QSpinBox* bits() const { return bits_; }
  QDoubleSpinBox* learning_rate() const { return lr_; }
  QDoubleSpinBox* noise_rate() const { return rate_; }
  QComboBox* noise_mode() const { return noise_; }
  QSpinBox* model_width() const { return width_; }
  QSpinBox* model_hidden() const { return hidden_; }
  LayerTable* layer_table() const { return layers_; }

 Q_SIGNALS:
  // A config that passed the engine's check, once per click.
  void runRequested(const qn::RunConfig& config);
  void sweepRequested(const qn::RunConfig& config);
  // "Propose" under the target size: the window asks `qnoise solve` for the mixed config of
  // `config` within the target, given as `qnoise solve` takes it ("--target-bytes", "N" or
  // "--target-ratio", "R").
  void targetSizeRequested(const qn::RunConfig& config, QStringList target);

 private:
  void load_preset(int index);
  void set_layer_compressed(const QString& layer, bool compressed);
  void set_layer_storage(const QString& layer, int choice);
  void schedule_validation();
  void start_check();  // on the thread pool; Run waits for its answer
  void update_enabled_fields();

  RunConfig base_;  // the preset, or the config last set; the widgets override it
  QComboBox* preset_;
  QLabel* model_file_;
  QLineEdit* data_dir_;
  LayerTable* layers_;
  ImageDataFields* images_;  // shown for the image-folder task
  TextDataFields* texts_;    // shown for the text-classification task
  QSpinBox *width_, *hidden_;
  QSpinBox *epochs_, *max_steps_, *batch_, *seed_, *eval_every_;
  QSpinBox* train_limit_;  // data.train_limit, 0 = all
  QSpinBox* eval_limit_;   // data.eval_limit, 0 = all
  QDoubleSpinBox* lr_;
  QComboBox* device_;
  QComboBox *quantizer_, *observer_;
  QSpinBox* bits_;
  QSpinBox *linear_block_, *conv1x1_block_, *conv_block_, *embedding_block_;
  QSpinBox *centroids_, *finetune_steps_;
  QComboBox *noise_, *form_;
  QSlider* rate_slider_;
  QDoubleSpinBox* rate_;
  // Quant-Noise's p as the user set it (the rate field shows 1 for STE and 0 for none).
  double quant_noise_rate_ = 0;
  static constexpr int kRateSteps = 100;  // the slider moves p in steps of 0.01
  QLabel* status_;
  QPushButton *run_button_, *sweep_button_;
  QComboBox* target_unit_;  // KB, or a compression ratio
  QDoubleSpinBox* target_;
  QPushButton* propose_button_;
  QLabel* proposal_;
  void record_edit();  // an undo step, if the config changed since the last one
  // The constructor's three parts: the widgets with their ranges, their layout (groups
  // that scroll, the verdict and Run in a footer), and their signals.
  void create_fields();
  void lay_out();
  void connect_fields();
  void show_check(const ConfigCheck& check);
  // Marks the number fields whose text is out of range and refuses the config while any is.
  void check_ranges();
  // The status line and the buttons from the engine's verdict and the fields' ranges.
  void show_verdict();

  QTimer* validation_timer_;
  int check_generation_ = 0;  // the latest check's; older answers are dropped
  int checks_running_ = 0;
  bool valid_ = false;
  QString check_message_;   // the engine's last verdict on the config
  QString range_problems_;  // fields whose text is out of range, with their ranges
  std::vector<std::pair<QString, QAbstractSpinBox*>> number_fields_;  // named as on screen
  bool loading_ = false;
  QUndoStack* undo_stack_;
  std::optional<RunConfig> recorded_;  // the config as of the last undo step
  bool replaying_ = false;   // undo/redo is setting the widgets: record nothing

  friend class ConfigEdit;
};

}  // namespace qn::ui
