#include "image_data_fields.h"

#include <QComboBox>
#include <QFormLayout>
#include <QSignalBlocker>

#include "number_fields.h"

namespace qn::ui {
namespace {

QSpinBox* spin(int min, int max, const QString& zero_text, const QString& tip) {
  auto* box = new BoundedSpinBox;
  box->setRange(min, max);
  if (!zero_text.isEmpty()) box->setSpecialValueText(zero_text);
  box->setToolTip(tip);
  return box;
}

QComboBox* choices(std::initializer_list<std::pair<const char*, const char*>> items, const QString& tip) {
  auto* box = new QComboBox;
  for (const auto& [label, value] : items) box->addItem(label, QString(value));
  box->setToolTip(tip);
  return box;
}

void choose(QComboBox* box, const std::string& value) {
  const int index = box->findData(QString::fromStdString(value));
  box->setCurrentIndex(index >= 0 ? index : 0);
}

std::string chosen(const QComboBox* box) { return box->currentData().toString().toStdString(); }

}  // namespace

ImageDataFields::ImageDataFields(QWidget* parent) : QGroupBox("Images", parent) {
  image_size_ = spin(1, 4096, {}, "The side of the images the model sees (data.image_size)");
  transform_ = choices({{"stretch to a square, in memory", "stretch"},
                        {"torchvision crops, streamed from disk", "torchvision"}},
                       "stretch: every image squeezed to the side and decoded before training.\n"
                       "torchvision: RandomResizedCrop + flip to train, Resize + CenterCrop to evaluate,\n"
                       "decoded while training (ImageNet-sized folders; a pretrained model's recipe)");
  resize_side_ = spin(0, 8192, "side / 0.875",
                      "The shorter side before the evaluation's centre crop (data.resize_side):\n"
                      "256 for 224 (the default), 320 for EfficientNet-B3's 300");
  resampling_ = choices({{"bilinear", "bilinear"}, {"bicubic", "bicubic"}},
                        "How images are resized (Pillow's filters, as torchvision uses them)");
  normalize_ = choices({{"the folder's own mean and deviation", "dataset"},
                        {"ImageNet's (a pretrained model's)", "imagenet"},
                        {"explicit numbers (data.mean, data.std)", "explicit"}},
                       "What the pixels are standardised with (data.normalize)");
  workers_ = spin(0, 256, "automatic", "Threads decoding images while training (data.workers); no result changes");
  auto* form = new QFormLayout(this);
  form->addRow("image size", image_size_);
  form->addRow("transform", transform_);
  form->addRow("resize (eval)", resize_side_);
  form->addRow("resampling", resampling_);
  form->addRow("normalise", normalize_);
  form->addRow("decoders", workers_);
  for (auto* box : {image_size_, resize_side_, workers_}) {
    box->setKeyboardTracking(false);
    connect(box, qOverload<int>(&QSpinBox::valueChanged), this, &ImageDataFields::edited);
  }
  for (auto* box : {transform_, resampling_, normalize_}) {
    connect(box, qOverload<int>(&QComboBox::currentIndexChanged), this, &ImageDataFields::edited);
  }
  connect(transform_, qOverload<int>(&QComboBox::currentIndexChanged), this, &ImageDataFields::enable_for_transform);
}

void ImageDataFields::read_from(const DataConfig& data) {
  const QSignalBlocker blocks[] = {QSignalBlocker(image_size_), QSignalBlocker(transform_),
                                   QSignalBlocker(resize_side_), QSignalBlocker(resampling_),
                                   QSignalBlocker(normalize_), QSignalBlocker(workers_)};
  image_size_->setValue(static_cast<int>(data.image_size));
  choose(transform_, data.transform);
  resize_side_->setValue(static_cast<int>(data.resize_side));
  choose(resampling_, data.resampling);
  choose(normalize_, data.normalize);
  workers_->setValue(static_cast<int>(data.workers));
  enable_for_transform();
}

void ImageDataFields::write_to(DataConfig& data) const {
  data.image_size = image_size_->value();
  data.transform = chosen(transform_);
  // The stretch reads neither: they keep their defaults (the config's rules refuse others).
  const bool streamed = data.transform == "torchvision";
  data.resize_side = streamed ? resize_side_->value() : DataConfig{}.resize_side;
  data.resampling = streamed ? chosen(resampling_) : DataConfig{}.resampling;
  data.normalize = chosen(normalize_);
  if (data.normalize != "explicit") {  // the numbers are read only with explicit normalisation
    data.mean.clear();
    data.deviation.clear();
  }
  data.workers = workers_->value();
}

void ImageDataFields::enable_for_transform() {
  const bool streamed = chosen(transform_) == "torchvision";
  // The stretch reads every image whole, in memory, as it always has: no crop side, no
  // other filter, no decoder threads.
  for (QWidget* field : {static_cast<QWidget*>(resize_side_), static_cast<QWidget*>(resampling_),
                         static_cast<QWidget*>(workers_)}) {
    field->setEnabled(streamed);
  }
}

}  // namespace qn::ui
