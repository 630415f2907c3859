#include "progress.h"

#include <unistd.h>

#include <iostream>

namespace qn::cli {

Progress::Progress(std::string label, int total)
    : label_(std::move(label)), total_(total), terminal_(isatty(STDERR_FILENO) != 0) {}

Progress::~Progress() {
  if (terminal_ && drawn_) std::cerr << "\n";
}

void Progress::update(int done, const std::string& status) {
  if (!terminal_) {
    std::cerr << label_ << " " << done << "/" << total_ << "  " << status << "\n";
    return;
  }
  constexpr int kWidth = 30;
  const int filled = total_ > 0 ? kWidth * done / total_ : kWidth;
  std::cerr << "\r" << label_ << " [" << std::string(filled, '#')
            << std::string(kWidth - filled, '.') << "] " << done << "/" << total_ << "  " << status
            << "\x1b[K" << std::flush;
  drawn_ = true;
}

}  // namespace qn::cli
