#pragma once

#include <string>

namespace qn::cli {

// Progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise (logs, CI).
class Progress {
 public:
  Progress(std::string label, int total);
  ~Progress();

  void update(int done, const std::string& status);

 private:
  std::string label_;
  int total_;
  bool terminal_;
  bool drawn_ = false;
};

}  // namespace qn::cli
