#include "run_setup_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "byte_format.h"
#include "common/error.h"
#include "config/run_config.h"
#include "data/task_data.h"
#include "train/size_preview.h"

// The presets are compiled into this static library; Qt needs them registered by hand.
static void register_preset_resources() { Q_INIT_RESOURCE(qnstudio); }

namespace qn::ui {
namespace {

struct Preset {
  const char* label;
  const char* resource;
};
const Preset kPresets[] = {
    {"Fashion-MNIST, ConvNet", ":/presets/fmnist-convnet.json"},
    {"Brown corpus, Transformer LM", ":/presets/brown-transformer-lm.json"},
};

// The quantizer choices and the quant.* values each sets.
struct QuantizerChoice {
  const char* label;
  const char* method;
  int bits;           // int only; 0: from the bits box (intN)
  int centroid_bits;  // PQ only
};
const QuantizerChoice kQuantizers[] = {
    {"fp32", "none", 8, 16},      {"int8", "int", 8, 16},          {"int4", "int", 4, 16},
    {"intN", "int", 0, 16},       {"PQ", "pq", 8, 16},             {"iPQ", "ipq", 8, 16},
    {"iPQ + int8", "ipq", 8, 8},
};

const char* const kNoiseModes[] = {"none", "ste", "quant-noise"};
constexpr int kRateSteps = 100;  // the slider moves p in steps of 0.01

nlohmann::json read_preset(const char* resource) {
  QFile file(resource);
  file.open(QIODevice::ReadOnly);
  return nlohmann::json::parse(file.readAll().toStdString());
}

QGroupBox* form_group(const char* title,
                      std::initializer_list<std::pair<const char*, QWidget*>> rows) {
  auto* group = new QGroupBox(title);
  auto* form = new QFormLayout(group);
  for (const auto& [label, widget] : rows) form->addRow(label, widget);
  return group;
}

QSpinBox* spin(int min, int max, int value) {
  auto* box = new QSpinBox;
  box->setRange(min, max);
  box->setValue(value);
  return box;
}

}  // namespace

// One edit of the setup, undone by showing the config before it.
class ConfigEdit : public QUndoCommand {
 public:
  ConfigEdit(RunSetupPanel* panel, nlohmann::json before, nlohmann::json after)
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
  void show(const nlohmann::json& config) {
    panel_->replaying_ = true;
    panel_->set_config(config);
    panel_->recorded_ = config;
    panel_->replaying_ = false;
  }
  RunSetupPanel* panel_;
  nlohmann::json before_, after_;
  bool first_ = true;
};

RunSetupPanel::RunSetupPanel(QWidget* parent) : QWidget(parent) {
  register_preset_resources();
  undo_stack_ = new QUndoStack(this);
  preset_ = new QComboBox;
  for (const auto& preset : kPresets) preset_->addItem(preset.label);
  data_dir_ = new QLineEdit;
  data_dir_->setPlaceholderText("default location");
  width_ = spin(1, 4096, 16);
  hidden_ = spin(1, 65536, 512);
  epochs_ = spin(0, 1000, 3);
  max_steps_ = spin(0, 100000000, 0);
  max_steps_->setSpecialValueText("epochs decide");
  batch_ = spin(1, 65536, 128);
  lr_ = new QDoubleSpinBox;
  lr_->setDecimals(5);
  lr_->setRange(1e-5, 10);
  lr_->setSingleStep(1e-4);
  seed_ = spin(0, 1000000, 0);
  eval_every_ = spin(0, 100000000, 0);
  eval_every_->setSpecialValueText("at the end");
  eval_every_->setSuffix(" steps");
  eval_every_->setToolTip("How often to evaluate the model while it trains, for the metric's "
                          "curve in the live view; changes no result");
  device_ = new QComboBox;
  device_->addItems({"auto", "cpu", "cuda"});

  quantizer_ = new QComboBox;
  for (const auto& choice : kQuantizers) quantizer_->addItem(choice.label);
  observer_ = new QComboBox;
  observer_->addItems({"minmax", "channel", "histogram"});
  bits_ = spin(2, 8, 3);
  linear_block_ = spin(1, 4096, 8);
  conv1x1_block_ = spin(1, 4096, 4);
  conv_block_ = spin(1, 4096, 9);
  embedding_block_ = spin(1, 4096, 8);
  centroids_ = spin(1, 65536, 256);
  finetune_steps_ = spin(0, 1000000, 200);

  noise_ = new QComboBox;
  noise_->addItems({"none (post-training)", "STE (QAT, p = 1)", "Quant-Noise"});
  form_ = new QComboBox;
  form_->addItems({"proxy", "exact"});
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

  auto* rate_row = new QWidget;
  auto* rate_layout = new QHBoxLayout(rate_row);
  rate_layout->setContentsMargins(0, 0, 0, 0);
  rate_layout->addWidget(rate_slider_, 1);
  rate_layout->addWidget(rate_);
  auto* task = form_group("Task and model", {{"preset", preset_}, {"data", data_dir_},
                                             {"width / dim", width_}, {"hidden / FFN", hidden_}});
  auto* training = form_group("Training", {{"epochs", epochs_}, {"max steps", max_steps_},
                                           {"batch", batch_}, {"learning rate", lr_},
                                           {"seed", seed_}, {"evaluate every", eval_every_},
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

  auto* layout = new QVBoxLayout(this);
  for (auto* group : {task, training, quant, noise}) layout->addWidget(group);
  layout->addWidget(status_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(run_button_, 1);
  buttons->addWidget(sweep_button_);
  layout->addLayout(buttons);
  layout->addStretch(1);

  validation_timer_ = new QTimer(this);
  validation_timer_->setSingleShot(true);
  validation_timer_->setInterval(150);  // after a short typing pause
  // The engine's check builds the model (milliseconds for the presets, seconds for a huge
  // one): after a typing pause it runs on the thread pool, and only the latest answer shows.
  connect(validation_timer_, &QTimer::timeout, this, [this] {
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
  });

  connect(preset_, qOverload<int>(&QComboBox::currentIndexChanged), this,
          &RunSetupPanel::load_preset);
  connect(rate_slider_, &QSlider::valueChanged, this,
          [this](int value) { rate_->setValue(double(value) / kRateSteps); });
  connect(rate_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double value) {
    const QSignalBlocker block(rate_slider_);
    rate_slider_->setValue(static_cast<int>(std::lround(value * kRateSteps)));
  });
  for (auto* box : {width_, hidden_, epochs_, max_steps_, batch_, seed_, eval_every_, bits_, linear_block_,
                    conv1x1_block_, conv_block_, embedding_block_, centroids_, finetune_steps_}) {
    connect(box, qOverload<int>(&QSpinBox::valueChanged), this, &RunSetupPanel::schedule_validation);
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
  connect(run_button_, &QPushButton::clicked, this, [this] {
    validate_now();
    if (valid_) Q_EMIT runRequested(config());
  });
  connect(sweep_button_, &QPushButton::clicked, this, [this] {
    validate_now();
    if (valid_) Q_EMIT sweepRequested(config());
  });
  load_preset(0);
  undo_stack_->clear();  // the starting point is not an edit
  recorded_ = config();
}

void RunSetupPanel::load_preset(int index) {
  set_config(to_json(parse_run_config(read_preset(kPresets[index].resource))));
}

nlohmann::json RunSetupPanel::config() const {
  auto json = base_;
  const bool language_model = json["model"].value("arch", "") == "transformer-lm";
  if (!data_dir_->text().isEmpty()) {
    json["data"][data_location_key(json.value("task", ""))] = data_dir_->text().toStdString();
  }
  json["model"][language_model ? "dim" : "width"] = width_->value();
  json["model"][language_model ? "ffn" : "hidden"] = hidden_->value();
  json["train"]["epochs"] = epochs_->value();
  json["train"]["max_steps"] = max_steps_->value();
  json["train"]["batch_size"] = batch_->value();
  json["train"]["lr"] = lr_->value();
  json["train"]["seed"] = seed_->value();
  json["train"]["eval_every"] = eval_every_->value();
  json["device"] = device_->currentText().toStdString();
  const auto& choice = kQuantizers[quantizer_->currentIndex()];
  auto& quant = json["quant"];
  quant["method"] = choice.method;
  quant["bits"] = choice.bits > 0 ? choice.bits : bits_->value();
  quant["observer"] = observer_->currentText().toStdString();
  quant["centroid_bits"] = choice.centroid_bits;
  quant["block_size"] = {{"linear", linear_block_->value()},
                         {"conv1x1", conv1x1_block_->value()},
                         {"conv", conv_block_->value()},
                         {"embedding", embedding_block_->value()}};
  quant["centroids"] = centroids_->value();
  quant["finetune_steps"] = finetune_steps_->value();
  auto& noise = json["noise"];
  noise["mode"] = kNoiseModes[noise_->currentIndex()];
  noise["form"] = form_->currentText().toStdString();
  noise["p"] = rate_->value();
  return json;
}

void RunSetupPanel::set_config(const nlohmann::json& config) {
  loading_ = true;
  base_ = config;
  const auto get = [&](const char* pointer, auto fallback) {
    return config.value(nlohmann::json::json_pointer(pointer), fallback);
  };
  const bool language_model = get("/model/arch", std::string()) == "transformer-lm";
  {
    const QSignalBlocker block(preset_);
    preset_->setCurrentIndex(language_model ? 1 : 0);
  }
  const auto location = "/data/" + data_location_key(get("/task", std::string()));
  data_dir_->setText(QString::fromStdString(get(location.c_str(), std::string())));
  width_->setValue(get(language_model ? "/model/dim" : "/model/width", 16));
  hidden_->setValue(get(language_model ? "/model/ffn" : "/model/hidden", 512));
  epochs_->setValue(get("/train/epochs", 1));
  max_steps_->setValue(get("/train/max_steps", 0));
  batch_->setValue(get("/train/batch_size", 128));
  lr_->setValue(get("/train/lr", 0.001));
  seed_->setValue(get("/train/seed", 0));
  eval_every_->setValue(get("/train/eval_every", 0));
  device_->setCurrentText(QString::fromStdString(get("/device", std::string("auto"))));
  const auto method = get("/quant/method", std::string("none"));
  const int bits = get("/quant/bits", 8);
  const int centroid_bits = get("/quant/centroid_bits", 16);
  int choice = 0;
  for (int i = 0; i < static_cast<int>(std::size(kQuantizers)); ++i) {
    const auto& candidate = kQuantizers[i];
    const bool same_method = method == candidate.method;
    const bool same_bits = method != "int" || candidate.bits == bits || candidate.bits == 0;
    const bool same_codebook = method != "ipq" || candidate.centroid_bits == centroid_bits;
    if (same_method && same_bits && same_codebook) {
      choice = i;
      break;
    }
  }
  quantizer_->setCurrentIndex(choice);
  bits_->setValue(bits);
  observer_->setCurrentText(QString::fromStdString(get("/quant/observer", std::string("minmax"))));
  const auto block = config.value(nlohmann::json::json_pointer("/quant/block_size"), nlohmann::json::object());
  linear_block_->setValue(block.value("linear", 8));
  conv1x1_block_->setValue(block.value("conv1x1", 4));
  conv_block_->setValue(block.value("conv", 9));
  embedding_block_->setValue(block.value("embedding", 8));
  centroids_->setValue(get("/quant/centroids", 256));
  finetune_steps_->setValue(get("/quant/finetune_steps", 0));
  const auto mode = get("/noise/mode", std::string("none"));
  noise_->setCurrentIndex(mode == "ste" ? 1 : mode == "quant-noise" ? 2 : 0);
  form_->setCurrentText(QString::fromStdString(get("/noise/form", std::string("proxy"))));
  rate_->setValue(get("/noise/p", 0.0));
  loading_ = false;
  validate_now();
}

void RunSetupPanel::schedule_validation() {
  if (loading_) return;
  update_enabled_fields();
  run_button_->setEnabled(false);  // until the check has run
  sweep_button_->setEnabled(false);
  ++check_generation_;  // a check of the config before this edit no longer counts
  validation_timer_->start();
  Q_EMIT configEdited();
}

void RunSetupPanel::update_enabled_fields() {
  const QString method = kQuantizers[quantizer_->currentIndex()].method;
  const bool pq = method == "pq" || method == "ipq";
  bits_->setEnabled(kQuantizers[quantizer_->currentIndex()].bits == 0);
  observer_->setEnabled(method == "int");
  for (auto* box : {linear_block_, conv1x1_block_, conv_block_, embedding_block_, centroids_}) {
    box->setEnabled(pq);
  }
  finetune_steps_->setEnabled(method == "ipq");
  const bool quant_noise = noise_->currentIndex() == 2;
  form_->setEnabled(quant_noise && pq);
  rate_->setEnabled(quant_noise);
  rate_slider_->setEnabled(quant_noise);
}

void RunSetupPanel::validate_now() {
  validation_timer_->stop();
  ++check_generation_;  // an answer still coming from the thread pool is out of date
  update_enabled_fields();
  record_edit();
  show_check(check_config(config()));
}

bool RunSetupPanel::checking() const {
  return validation_timer_->isActive() || checks_running_ > 0;
}

void RunSetupPanel::record_edit() {
  if (replaying_ || recorded_.is_null()) return;
  auto current = config();
  if (current != recorded_) {
    undo_stack_->push(new ConfigEdit(this, recorded_, current));
    recorded_ = std::move(current);
  }
}

ConfigCheck check_config(const nlohmann::json& config) {
  try {
    const auto preview = preview_size(parse_run_config(config));
    return {true, QStringLiteral("Size once compressed: %1%2 (x%3 against fp32 %4)")
                      .arg(preview.exact ? "" : "at most ",
                           format_bytes(static_cast<double>(preview.size.total_bytes())))
                      .arg(preview.size.compression(), 0, 'f', 1)
                      .arg(format_bytes(static_cast<double>(preview.size.fp32_bytes())))};
  } catch (const std::exception& problem) {  // qn::Error, or a shape LibTorch refuses
    return {false, QString::fromStdString(problem.what())};
  }
}

void RunSetupPanel::show_check(const ConfigCheck& check) {
  valid_ = check.valid;
  status_->setStyleSheet(valid_ ? QString() : QStringLiteral("color: #b00020"));
  status_->setText(check.message);
  run_button_->setEnabled(valid_);
  sweep_button_->setEnabled(valid_);
}

QString RunSetupPanel::status_text() const { return status_->text(); }

}  // namespace qn::ui
