#pragma once

#include <string>

namespace qn {

// "45 s", "3 min 20 s", "2 h 05 min": durations as the CLI and the GUI print them.
std::string format_duration(double seconds);

}  // namespace qn
