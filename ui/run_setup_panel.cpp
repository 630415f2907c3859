#include "run_setup_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

#include "byte_format.h"
#include "number_fields.h"
#include "setup_presets.h"
#include "config/layer_quant.h"
#include "common/error.h"
#include "config/choices.h"
#include "train/run_check.h"

namespace qn::ui {
namespace {

void add_names(QComboBox* box, const std::vector<std::string>& names) {
  for (const auto& name : names) box->addItem(QString::fromStdString(name));
}


QGroupBox* form_group(const char* title,
                      std::initializer_list<std::pair<const char*, QWidget*>> rows) {
  auto* group = new QGroupBox(title);
  auto* form = new QFormLayout(group);
  for (const auto& [label, widget] : rows) form->addRow(label, widget);
  return group;
}

QSpinBox* spin(int min, int max, int value) {
  auto* box = new BoundedSpinBox;
  box->setRange(min, max);
  box->setValue(value);
  return box;
}

}  // namespace

RunSetupPanel::RunSetupPanel(QWidget* parent) : QWidget(parent) {
  register_resources();
  create_fields();
  lay_out();
  connect_fields();
  load_preset(0);
  undo_stack_->clear();  // the starting point is not an edit
  recorded_ = config();
}

void RunSetupPanel::create_fields() {
  undo_stack_ = new QUndoStack(this);
  preset_ = new QComboBox;
  for (const auto& preset : setup_presets()) preset_->addItem(preset.label);
  model_file_ = new QLabel;
  model_file_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  data_dir_ = new QLineEdit;
  data_dir_->setPlaceholderText("default location");
  images_ = new ImageDataFields;
  texts_ = new TextDataFields;
  layers_ = new LayerTable;
  layers_->setMinimumHeight(200);
  // Ranges only: the values come from the preset (set_config below).
  width_ = spin(1, 4096, 1);
  hidden_ = spin(1, 65536, 1);
  epochs_ = spin(0, 1000, 0);
  max_steps_ = spin(0, 100000000, 0);
  max_steps_->setSpecialValueText("epochs decide");
  batch_ = spin(1, 65536, 1);
  lr_ = new ScientificSpinBox;
  lr_->setRange(1e-7, 10);
  lr_->setSingleStep(1e-4);
  seed_ = spin(0, 1000000, 0);
  train_limit_ = spin(0, 2000000000, 0);
  train_limit_->setSpecialValueText("all");
  train_limit_->setToolTip("Train on only the first N training examples (0: all of them)");
  eval_limit_ = spin(0, 2000000000, 0);
  eval_limit_->setSpecialValueText("all");
  eval_limit_->setToolTip("Score on only the first N evaluation examples (0: all of them)");
  eval_every_ = spin(0, 100000000, 0);
  eval_every_->setSpecialValueText("at the end");
  eval_every_->setSuffix(" steps");
  eval_every_->setToolTip("How often to evaluate the model while it trains, for the metric's "
                          "curve in the live view; changes no result");
  device_ = new QComboBox;
  add_names(device_, device_names());

  quantizer_ = new QComboBox;
  for (const auto& choice : quantizer_choices()) quantizer_->addItem(QString::fromStdString(choice.label));
  observer_ = new QComboBox;
  add_names(observer_, observer_names());
  bits_ = spin(2, 8, 2);
  linear_block_ = spin(1, 4096, 1);
  conv1x1_block_ = spin(1, 4096, 1);
  conv_block_ = spin(1, 4096, 1);
  embedding_block_ = spin(1, 4096, 1);
  centroids_ = spin(1, 65536, 1);
  finetune_steps_ = spin(0, 1000000, 0);

  noise_ = new QComboBox;
  for (const auto& choice : noise_mode_choices()) noise_->addItem(QString::fromStdString(choice.label));
  form_ = new QComboBox;
  add_names(form_, noise_form_names());
  rate_slider_ = new QSlider(Qt::Horizontal);
  rate_slider_->setRange(0, kRateSteps);
  rate_ = new QDoubleSpinBox;
  rate_->setRange(0, 1);
  rate_->setDecimals(2);
  rate_->setSingleStep(0.05);

  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  run_button_ = new QPushButton("Run");
  run_button_->setToolTip("Queue a run of this configuration (Ctrl+R)");
  sweep_button_ = new QPushButton("Sweep...");
  sweep_button_->setToolTip("Vary quantizers, noise, p, block sizes and seeds around it (Ctrl+Shift+R)");

  target_unit_ = new QComboBox;
  target_unit_->addItems({"x (compression)", "KB"});
  target_ = new QDoubleSpinBox;
  target_->setRange(1, 1e7);
  target_->setDecimals(1);
  target_->setValue(25);
  propose_button_ = new QPushButton("Propose");
  propose_button_->setToolTip(
      "Choose a way to store each layer (int8, int4, PQ K = 256/64/16 or none) so that the model "
      "fits the target and loses the least by its layer sensitivity table (measured first if "
      "the store has none for this config), and set the config to it: qnoise solve");
  proposal_ = new QLabel;
  proposal_->setWordWrap(true);
  proposal_->setTextInteractionFlags(Qt::TextSelectableByMouse);
}

void RunSetupPanel::lay_out() {
  auto* rate_row = new QWidget;
  auto* rate_layout = new QHBoxLayout(rate_row);
  rate_layout->setContentsMargins(0, 0, 0, 0);
  rate_layout->addWidget(rate_slider_, 1);
  rate_layout->addWidget(rate_);
  auto* task = form_group("Task and model", {{"preset", preset_}, {"model file", model_file_},
                                             {"data", data_dir_}, {"width / dim", width_},
                                             {"hidden / FFN", hidden_}});
  auto* layers = new QGroupBox("Layers (unchecked: left uncompressed)");
  (new QVBoxLayout(layers))->addWidget(layers_);
  auto* training = form_group("Training", {{"epochs", epochs_}, {"max steps", max_steps_},
                                           {"batch", batch_}, {"learning rate", lr_},
                                           {"seed", seed_}, {"evaluate every", eval_every_},
                                           {"training examples", train_limit_},
                                           {"evaluation examples", eval_limit_},
                                           {"device", device_}});
  auto* quant = form_group("Quantizer", {{"method", quantizer_}, {"bits (intN)", bits_},
                                         {"observer", observer_},
                                         {"block: linear", linear_block_},
                                         {"block: conv 1x1", conv1x1_block_},
                                         {"block: conv kxk", conv_block_},
                                         {"block: embedding", embedding_block_},
                                         {"centroids K", centroids_},
                                         {"iPQ fine-tune steps", finetune_steps_}});
  auto* noise = form_group("Noise", {{"mode", noise_}, {"form (PQ)", form_}, {"rate p", rate_row}});
  auto* target_row = new QWidget;
  auto* target_layout = new QHBoxLayout(target_row);
  target_layout->setContentsMargins(0, 0, 0, 0);
  target_layout->addWidget(target_, 1);
  target_layout->addWidget(target_unit_);
  target_layout->addWidget(propose_button_);
  auto* target = form_group("Mixed precision for a target size", {{"target", target_row}});
  target->layout()->addWidget(proposal_);

  // The groups scroll; the check's verdict and Run and Sweep stay in a footer below them,
  // in view whatever the window's height.
  auto* groups = new QWidget;
  auto* groups_layout = new QVBoxLayout(groups);
  for (QWidget* group : {task, static_cast<QGroupBox*>(images_), static_cast<QGroupBox*>(texts_), layers,
                         training, quant, noise, target}) {
    groups_layout->addWidget(group);
  }
  groups_layout->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setWidget(groups);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  // The panel may be narrower than it would like (its layer table then scrolls): the
  // window's first start gives it its width where the screen has room.
  scroll->setMinimumWidth(groups->minimumSizeHint().width() + 24);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(run_button_, 1);
  buttons->addWidget(sweep_button_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(scroll, 1);
  layout->addWidget(status_);
  layout->addLayout(buttons);
}

void RunSetupPanel::connect_fields() {
  validation_timer_ = new QTimer(this);
  validation_timer_->setSingleShot(true);
  validation_timer_->setInterval(150);  // after a short typing pause
  connect(validation_timer_, &QTimer::timeout, this, &RunSetupPanel::start_check);

  connect(preset_, qOverload<int>(&QComboBox::currentIndexChanged), this,
          &RunSetupPanel::load_preset);
  connect(rate_slider_, &QSlider::valueChanged, this,
          [this](int value) { rate_->setValue(double(value) / kRateSteps); });
  connect(rate_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double value) {
    const QSignalBlocker block(rate_slider_);
    rate_slider_->setValue(static_cast<int>(std::lround(value * kRateSteps)));
    if (rate_->isEnabled()) quant_noise_rate_ = value;  // the user's, while Quant-Noise is on
  });
  for (auto* box : {width_, hidden_, epochs_, max_steps_, batch_, seed_, eval_every_, train_limit_,
                    eval_limit_, bits_, linear_block_,
                    conv1x1_block_, conv_block_, embedding_block_, centroids_, finetune_steps_}) {
    connect(box, qOverload<int>(&QSpinBox::valueChanged), this, &RunSetupPanel::schedule_validation);
  }
  number_fields_ = {{"width / dim", width_}, {"hidden / FFN", hidden_}, {"epochs", epochs_},
                    {"max steps", max_steps_}, {"batch", batch_}, {"learning rate", lr_},
                    {"seed", seed_}, {"evaluate every", eval_every_},
                    {"training examples", train_limit_}, {"evaluation examples", eval_limit_},
                    {"bits", bits_},
                    {"block: linear", linear_block_}, {"block: conv 1x1", conv1x1_block_},
                    {"block: conv kxk", conv_block_}, {"block: embedding", embedding_block_},
                    {"centroids K", centroids_}, {"iPQ fine-tune steps", finetune_steps_},
                    {"rate p", rate_}};
  for (const auto& field : number_fields_) {
    auto* box = field.second;
    // A value is taken when its editing ends (Return, or leaving the field), not at each
    // keystroke: typing 99999999 must not leave 9999, a valid step on the way, behind.
    box->setKeyboardTracking(false);
    // The editor's own signal: a spin box says nothing while its text is out of range.
    connect(box->findChild<QLineEdit*>(), &QLineEdit::textChanged, this, &RunSetupPanel::check_ranges);
    connect(box, &QAbstractSpinBox::editingFinished, this, &RunSetupPanel::check_ranges);
  }
  for (auto* box : {lr_, rate_}) {
    connect(box, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
            &RunSetupPanel::schedule_validation);
  }
  for (auto* box : {device_, quantizer_, observer_, noise_, form_}) {
    connect(box, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &RunSetupPanel::schedule_validation);
  }
  connect(data_dir_, &QLineEdit::textChanged, this, &RunSetupPanel::schedule_validation);
  connect(images_, &ImageDataFields::edited, this, &RunSetupPanel::schedule_validation);
  connect(texts_, &TextDataFields::edited, this, &RunSetupPanel::schedule_validation);
  connect(layers_, &LayerTable::compressionToggled, this, &RunSetupPanel::set_layer_compressed);
  connect(layers_, &LayerTable::storageChosen, this, &RunSetupPanel::set_layer_storage);
  connect(run_button_, &QPushButton::clicked, this, [this] {
    if (ready()) Q_EMIT runRequested(config());
  });
  connect(sweep_button_, &QPushButton::clicked, this, [this] {
    if (ready()) Q_EMIT sweepRequested(config());
  });
  connect(target_unit_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int unit) {
    target_->setValue(unit == 0 ? 25 : 150);
  });
  connect(propose_button_, &QPushButton::clicked, this, [this] {
    if (!ready()) return;
    const bool ratio = target_unit_->currentIndex() == 0;
    Q_EMIT targetSizeRequested(
        config(), ratio ? QStringList{"--target-ratio", QString::number(target_->value())}
                        : QStringList{"--target-bytes", QString::number(std::llround(target_->value() * 1000))});
  });
}

void RunSetupPanel::load_preset(int index) {
  const auto& preset = setup_presets().at(static_cast<size_t>(index));
  const auto config = preset.resource ? read_preset(preset.resource) : this->config();
  if (!preset.asks_model) {
    set_config(config);
    return;
  }
  const auto path = QFileDialog::getOpenFileName(
      this, "Your model: a torch.jit.save file", QString(),
      "TorchScript (*.pt *.pth *.ts *.torchscript);;All files (*)");
  if (path.isEmpty()) {  // cancelled: the preset shown stays the model in use
    const QSignalBlocker block(preset_);
    preset_->setCurrentIndex(preset_index(base_));
    return;
  }
  use_model_file(path, config);
}

void RunSetupPanel::use_model_file(const QString& path) { use_model_file(path, config()); }

void RunSetupPanel::use_model_file(const QString& path, RunConfig config) {
  if (!is_scripted_model(this->config().model)) {
    // A pretrained model is fine-tuned, not trained: a short budget at a small rate.
    config.train.epochs = 1;
    config.train.lr = 1e-4;
  }
  config.model.arch = "torchscript";
  config.model.path = path.toStdString();
  config.model.sha256.clear();  // pinned when the run is queued
  config.quant.exclude.clear();  // the previous model's layer names
  config.quant.layers.clear();
  set_config(config);
}

void RunSetupPanel::set_layer_storage(const QString& layer, int choice) {
  // The layer's own entry goes first (first match wins) and replaces any earlier one for
  // exactly this layer; "as the run" removes it.
  auto& layers = base_.quant.layers;
  const auto pattern = exact_layer_pattern(layer.toStdString());
  layers.erase(std::remove_if(layers.begin(), layers.end(),
                              [&](const LayerQuantOverride& entry) { return entry.pattern == pattern; }),
               layers.end());
  if (choice >= 0) layers.insert(layers.begin(), storage_override(layer, choice));
  schedule_validation();
}

void RunSetupPanel::set_layer_compressed(const QString& layer, bool compressed) {
  auto& exclude = base_.quant.exclude;
  const auto pattern = exact_layer_pattern(layer.toStdString());
  exclude.erase(std::remove(exclude.begin(), exclude.end(), pattern), exclude.end());
  if (!compressed) exclude.push_back(pattern);
  schedule_validation();
}

RunConfig RunSetupPanel::config() const {
  auto config = base_;
  if (!data_dir_->text().isEmpty()) qn::data_location(config) = data_dir_->text().toStdString();
  if (config.task == "image-folder") images_->write_to(config.data);
  if (config.task == "text-classification") texts_->write_to(config.data);
  const bool language_model = is_language_model_task(config.task);
  (language_model ? config.model.dim : config.model.width) = width_->value();
  (language_model ? config.model.ffn : config.model.hidden) = hidden_->value();
  auto& train = config.train;
  train.epochs = epochs_->value();
  train.max_steps = max_steps_->value();
  train.batch_size = batch_->value();
  train.lr = lr_->value();
  train.seed = static_cast<uint64_t>(seed_->value());
  train.eval_every = eval_every_->value();
  config.data.train_limit = train_limit_->value();
  config.data.eval_limit = eval_limit_->value();
  config.device = device_->currentText().toStdString();
  auto& quant = config.quant;
  quant.bits = bits_->value();
  quantizer_choices().at(static_cast<size_t>(quantizer_->currentIndex())).apply_to(quant);
  quant.observer = observer_->currentText().toStdString();
  quant.block_size.linear = linear_block_->value();
  quant.block_size.conv1x1 = conv1x1_block_->value();
  quant.block_size.conv = conv_block_->value();
  quant.block_size.embedding = embedding_block_->value();
  quant.centroids = centroids_->value();
  quant.finetune_steps = finetune_steps_->value();
  auto& noise = config.noise;
  noise.mode = noise_mode_choices().at(static_cast<size_t>(noise_->currentIndex())).mode;
  noise.form = parse_noise_form(form_->currentText().toStdString());
  // Quant-Noise's rate is the user's; the other modes keep the one stored (they ignore it,
  // and a stored run's config hash must not change).
  noise.p = noise.mode == NoiseMode::QuantNoise ? quant_noise_rate_ : base_.noise.p;
  return config;
}

void RunSetupPanel::set_config(const RunConfig& config) {
  loading_ = true;
  base_ = config;
  const bool language_model = is_language_model_task(config.task);
  {
    const QSignalBlocker block(preset_);
    preset_->setCurrentIndex(preset_index(config));
  }
  const bool scripted = is_scripted_model(config.model);
  const QString model_path = QString::fromStdString(config.model.path);
  model_file_->setText(scripted ? QFileInfo(model_path).fileName() : "built in");
  model_file_->setToolTip(scripted ? model_path : QString());
  data_dir_->setText(QString::fromStdString(qn::data_location(config)));
  images_->read_from(config.data);
  images_->setVisible(config.task == "image-folder");
  texts_->read_from(config.data);
  texts_->setVisible(config.task == "text-classification");
  width_->setValue(static_cast<int>(language_model ? config.model.dim : config.model.width));
  hidden_->setValue(static_cast<int>(language_model ? config.model.ffn : config.model.hidden));
  const auto& train = config.train;
  epochs_->setValue(static_cast<int>(train.epochs));
  max_steps_->setValue(static_cast<int>(train.max_steps));
  batch_->setValue(static_cast<int>(train.batch_size));
  lr_->setValue(train.lr);
  seed_->setValue(static_cast<int>(train.seed));
  eval_every_->setValue(static_cast<int>(train.eval_every));
  train_limit_->setValue(static_cast<int>(config.data.train_limit));
  eval_limit_->setValue(static_cast<int>(config.data.eval_limit));
  device_->setCurrentText(QString::fromStdString(config.device));
  const auto& quant = config.quant;
  quantizer_->setCurrentIndex(static_cast<int>(quantizer_choice_of(quant)));
  bits_->setValue(quant.bits);
  observer_->setCurrentText(QString::fromStdString(quant.observer));
  linear_block_->setValue(static_cast<int>(quant.block_size.linear));
  conv1x1_block_->setValue(static_cast<int>(quant.block_size.conv1x1));
  conv_block_->setValue(static_cast<int>(quant.block_size.conv));
  embedding_block_->setValue(static_cast<int>(quant.block_size.embedding));
  centroids_->setValue(static_cast<int>(quant.centroids));
  finetune_steps_->setValue(static_cast<int>(quant.finetune_steps));
  noise_->setCurrentIndex(static_cast<int>(noise_mode_choice_of(config.noise.mode)));
  form_->setCurrentText(QString::fromStdString(to_string(config.noise.form)));
  quant_noise_rate_ = config.noise.p;
  loading_ = false;
  validation_timer_->stop();
  update_enabled_fields();
  run_button_->setEnabled(false);
  sweep_button_->setEnabled(false);
  propose_button_->setEnabled(false);
  start_check();
}

void RunSetupPanel::show_proposal(const QString& text) { proposal_->setText(text); }

QString RunSetupPanel::proposal_text() const { return proposal_->text(); }

}  // namespace qn::ui
