#pragma once

#include <QGroupBox>

#include "config/run_config.h"

class QLineEdit;
class QSpinBox;

namespace qn::ui {

// The text-classification task's data fields in the setup panel (docs/data.md, Text
// classification): the evaluation tables, the text columns (one, or two for a pair), the
// label column and the labels' order, the tokenizer's folder and the most tokens an input
// keeps. The training table is the panel's data field (data.path). Lists are typed with
// commas (columns, labels) or semicolons (files, which may hold commas).
class TextDataFields : public QGroupBox {
  Q_OBJECT

 public:
  explicit TextDataFields(QWidget* parent = nullptr);

  void read_from(const DataConfig& data);
  void write_to(DataConfig& data) const;

 Q_SIGNALS:
  void edited();

 private:
  QLineEdit* eval_paths_;
  QLineEdit* text_columns_;
  QLineEdit* label_column_;
  QLineEdit* labels_;
  QLineEdit* tokenizer_;
  QSpinBox* max_tokens_;
};

}  // namespace qn::ui
