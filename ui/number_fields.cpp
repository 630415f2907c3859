#include "number_fields.h"

#include <QLineEdit>
#include <QRegularExpression>
#include <limits>

namespace qn::ui {
namespace {

// A whole number, or the start of one ("-").
bool looks_like_integer(const QString& text) {
  static const QRegularExpression integer(R"(^\s*[-+]?\d*\s*$)");
  return integer.match(text).hasMatch();
}

// A real in plain or scientific notation, or the start of one ("1e", "-0.").
bool looks_like_real(const QString& text) {
  static const QRegularExpression real(R"(^\s*[-+]?(\d+\.?\d*|\.\d*)?([eE][-+]?\d*)?\s*$)");
  return real.match(text).hasMatch();
}

QString shown(double value) { return QString::number(value, 'g', 6); }

}  // namespace

QValidator::State BoundedSpinBox::validate(QString& text, int& position) const {
  const auto state = QSpinBox::validate(text, position);
  // Qt calls a number above the maximum invalid and drops the keystroke; kept, it is marked.
  return state == QValidator::Invalid && looks_like_integer(text) ? QValidator::Intermediate : state;
}

ScientificSpinBox::ScientificSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {
  // QDoubleSpinBox rounds every value to its decimals; the text shows what is kept.
  setDecimals(std::numeric_limits<double>::max_digits10);
}

double ScientificSpinBox::valueFromText(const QString& text) const {
  bool ok = false;
  const double value = text.trimmed().toDouble(&ok);
  return ok ? value : locale().toDouble(text.trimmed());
}

QString ScientificSpinBox::textFromValue(double value) const { return shown(value); }

QValidator::State ScientificSpinBox::validate(QString& text, int&) const {
  bool ok = false;
  const double value = text.trimmed().toDouble(&ok);
  if (ok) return value >= minimum() && value <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
  return looks_like_real(text) ? QValidator::Intermediate : QValidator::Invalid;
}

QString range_problem(const QAbstractSpinBox& box) {
  if (box.hasAcceptableInput()) return {};
  const auto text = box.text().trimmed();
  QString range;
  if (const auto* integer = qobject_cast<const QSpinBox*>(&box)) {
    range = QStringLiteral("%1 to %2").arg(integer->minimum()).arg(integer->maximum());
  } else if (const auto* real = qobject_cast<const QDoubleSpinBox*>(&box)) {
    range = QStringLiteral("%1 to %2").arg(shown(real->minimum()), shown(real->maximum()));
  }
  return text.isEmpty() ? QStringLiteral("a number from %1 is needed").arg(range)
                        : QStringLiteral("%1 is outside %2").arg(text, range);
}

}  // namespace qn::ui
