#pragma once

class QWidget;

namespace qn::ui {

// Help > Quick start: what to do first, what each view shows, the paper in five lines and
// the keyboard shortcuts, in one window a new user reads in two minutes.
void show_quick_start(QWidget* parent);

}  // namespace qn::ui
