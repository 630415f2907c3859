#pragma once

#include <QGroupBox>

#include "config/run_config.h"

class QComboBox;
class QSpinBox;

namespace qn::ui {

// The image-folder task's data fields in the setup panel (docs/data.md, Streaming images):
// image size, transform (stretch, or torchvision's crops streamed from disk), the shorter
// side before the evaluation crop, resampling, normalisation, decoder threads. It edits
// those keys of a DataConfig and leaves the rest (explicit mean and std, the labels file)
// as they are.
class ImageDataFields : public QGroupBox {
  Q_OBJECT

 public:
  explicit ImageDataFields(QWidget* parent = nullptr);

  void read_from(const DataConfig& data);
  void write_to(DataConfig& data) const;

 Q_SIGNALS:
  void edited();

 private:
  void enable_for_transform();

  QSpinBox* image_size_;
  QComboBox* transform_;
  QSpinBox* resize_side_;
  QComboBox* resampling_;
  QComboBox* normalize_;
  QSpinBox* workers_;
};

}  // namespace qn::ui
