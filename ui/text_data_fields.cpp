#include "text_data_fields.h"

#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QToolButton>

#include "number_fields.h"

namespace qn::ui {
namespace {

QString joined(const std::vector<std::string>& items, const QString& separator) {
  QStringList list;
  for (const auto& item : items) list << QString::fromStdString(item);
  return list.join(separator);
}

std::vector<std::string> split(const QString& text, QChar separator) {
  std::vector<std::string> items;
  for (const auto& item : text.split(separator, Qt::SkipEmptyParts)) {
    const auto trimmed = item.trimmed();
    if (!trimmed.isEmpty()) items.push_back(trimmed.toStdString());
  }
  return items;
}

QLineEdit* line(const QString& placeholder, const QString& tip) {
  auto* edit = new QLineEdit;
  edit->setPlaceholderText(placeholder);
  edit->setToolTip(tip);
  return edit;
}

// A line edit with a "..." button that fills it from a file dialog.
QWidget* with_browse(QLineEdit* edit, std::function<QString(QWidget*)> choose) {
  auto* row = new QWidget;
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(edit, 1);
  auto* button = new QToolButton;
  button->setText("...");
  button->setToolTip(edit->toolTip());
  layout->addWidget(button);
  QObject::connect(button, &QToolButton::clicked, edit, [edit, choose, row] {
    const auto chosen = choose(row);
    if (!chosen.isEmpty()) edit->setText(chosen);
  });
  return row;
}

}  // namespace

TextDataFields::TextDataFields(QWidget* parent) : QGroupBox("Texts", parent) {
  eval_paths_ = line("dev_matched.tsv; dev_mismatched.tsv",
                     "The evaluation tables (data.eval_paths), separated by ';': the first gives the\n"
                     "run's accuracy, each is reported (MNLI's matched and mismatched)");
  text_columns_ = line("sentence1, sentence2",
                       "The column holding the text, or the two holding a pair (data.text_columns)");
  label_column_ = line("label", "The column holding the label (data.label_column)");
  labels_ = line("sorted from the training table",
                 "The labels in the order of the model's outputs (data.labels), separated by ','");
  tokenizer_ = line("folder of vocab.json + merges.txt, vocab.txt, or a .model",
                    "The model's own tokenizer (data.tokenizer): GPT-2 / RoBERTa byte-level BPE\n"
                    "(vocab.json or encoder.json with merges.txt or vocab.bpe, and fairseq's dict.txt),\n"
                    "BERT's WordPiece (vocab.txt) or a SentencePiece model (spiece.model,\n"
                    "sentencepiece.bpe.model: ALBERT, T5, XLM-R)");
  max_tokens_ = new BoundedSpinBox;
  max_tokens_->setRange(1, 65536);
  max_tokens_->setToolTip("The most tokens an input keeps, special tokens included (data.max_tokens);\n"
                          "a longer pair loses tokens from the end of its longer text first");
  max_tokens_->setKeyboardTracking(false);
  auto* form = new QFormLayout(this);
  form->addRow("evaluation tables", with_browse(eval_paths_, [](QWidget* parent) {
                 return QFileDialog::getOpenFileNames(parent, "Evaluation tables", QString(),
                                                      "Tables (*.tsv *.csv *.jsonl);;All files (*)")
                     .join("; ");
               }));
  form->addRow("text columns", text_columns_);
  form->addRow("label column", label_column_);
  form->addRow("labels", labels_);
  form->addRow("tokenizer", with_browse(tokenizer_, [](QWidget* parent) {
                 return QFileDialog::getExistingDirectory(parent, "The tokenizer's folder");
               }));
  form->addRow("max tokens", max_tokens_);
  for (auto* edit : {eval_paths_, text_columns_, label_column_, labels_, tokenizer_}) {
    connect(edit, &QLineEdit::textChanged, this, &TextDataFields::edited);
  }
  connect(max_tokens_, qOverload<int>(&QSpinBox::valueChanged), this, &TextDataFields::edited);
}

void TextDataFields::read_from(const DataConfig& data) {
  const QSignalBlocker blocks[] = {QSignalBlocker(eval_paths_), QSignalBlocker(text_columns_),
                                   QSignalBlocker(label_column_), QSignalBlocker(labels_),
                                   QSignalBlocker(tokenizer_), QSignalBlocker(max_tokens_)};
  eval_paths_->setText(joined(data.eval_paths, "; "));
  text_columns_->setText(joined(data.text_columns, ", "));
  label_column_->setText(QString::fromStdString(data.label_column));
  labels_->setText(joined(data.labels, ", "));
  tokenizer_->setText(QString::fromStdString(data.tokenizer));
  max_tokens_->setValue(static_cast<int>(data.max_tokens));
}

void TextDataFields::write_to(DataConfig& data) const {
  data.eval_paths = split(eval_paths_->text(), ';');
  data.text_columns = split(text_columns_->text(), ',');
  data.label_column = label_column_->text().trimmed().toStdString();
  data.labels = split(labels_->text(), ',');
  data.tokenizer = tokenizer_->text().trimmed().toStdString();
  data.max_tokens = max_tokens_->value();
}

}  // namespace qn::ui
