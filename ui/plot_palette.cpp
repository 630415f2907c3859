#include "plot_palette.h"

namespace qn::ui {

QColor palette_colour(size_t index) {
  static const QColor kPalette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},
                                    {214, 39, 40},  {148, 103, 189}, {140, 86, 75},
                                    {227, 119, 194}, {127, 127, 127}, {188, 189, 34},
                                    {23, 190, 207}};
  return kPalette[index % (sizeof kPalette / sizeof kPalette[0])];
}

}  // namespace qn::ui
