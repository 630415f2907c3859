#pragma once

#include <QColor>
#include <cstddef>

namespace qn::ui {

// The colour of the index-th line of a plot (the curves, the response lines): ten
// well-separated hues, cycling.
QColor palette_colour(size_t index);

}  // namespace qn::ui
