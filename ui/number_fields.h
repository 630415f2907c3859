#pragma once
// Number fields that show what was typed, in range or not, so that a value out of range is
// refused visibly (RunSetupPanel marks it and says the range) instead of being clipped or
// losing keystrokes in silence, as Qt's spin boxes do.
#include <QDoubleSpinBox>
#include <QSpinBox>

namespace qn::ui {

// An integer field: a number out of range stays in the field as typed (not acceptable:
// hasAcceptableInput() is false) until editing ends, when the last value in range returns.
class BoundedSpinBox : public QSpinBox {
  Q_OBJECT

 public:
  using QSpinBox::QSpinBox;

 protected:
  QValidator::State validate(QString& text, int& position) const override;
};

// A real field that reads and shows scientific notation ("3e-4", as learning rates are
// written) and keeps full precision; out of range, as BoundedSpinBox.
class ScientificSpinBox : public QDoubleSpinBox {
  Q_OBJECT

 public:
  explicit ScientificSpinBox(QWidget* parent = nullptr);

  double valueFromText(const QString& text) const override;
  QString textFromValue(double value) const override;

 protected:
  QValidator::State validate(QString& text, int& position) const override;
};

// Why `box`'s text is refused ("99999999 is outside 1 to 65536"), or empty when it is
// acceptable.
QString range_problem(const QAbstractSpinBox& box);

}  // namespace qn::ui
