#pragma once

#include <stdexcept>
#include <string>

namespace qn {

// Two kinds of failure, as in FAISS: a bug of ours is a TORCH_CHECK/abort; a problem with
// what the user gave us is a qn::Error subclass whose message is fit to show as is.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The user's input is wrong (a bad shape, a block size that does not divide a layer, a
// malformed file). Entry points map it to exit code 2 or a dialog.
class InputError : public Error {
 public:
  using Error::Error;
};

// The input was fine but the work failed (out of memory, I/O error, NaN loss).
class RuntimeFailure : public Error {
 public:
  using Error::Error;
};

}  // namespace qn
