#pragma once

#include <string>

namespace qn {

// "812 B", "152.3 KB", "4.10 MB": sizes as the tables and axes show them (1 KB = 1000 B, as
// file managers count; three significant figures below 10 of a unit). A negative size (a
// difference) keeps its sign.
std::string byte_text(double bytes);

}  // namespace qn
