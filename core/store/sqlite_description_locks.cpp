#include "store/sqlite_description_locks.h"

#include <fcntl.h>
#include <sqlite3.h>

#include <cstdarg>
#include <mutex>

#include "common/error.h"

namespace qn {
namespace {

int open_file_description_command(int command) {
  switch (command) {
    case F_SETLK: return F_OFD_SETLK;
    case F_SETLKW: return F_OFD_SETLKW;
    case F_GETLK: return F_OFD_GETLK;
    default: return command;
  }
}

// SQLite calls fcntl with a struct flock* for the lock commands and with an int for the
// rest (F_GETFD, F_SETFD).
int fcntl_with_description_locks(int descriptor, int command, ...) {
  va_list arguments;
  va_start(arguments, command);
  int result;
  if (command == F_SETLK || command == F_SETLKW || command == F_GETLK) {
    auto* lock = va_arg(arguments, struct flock*);
    lock->l_pid = 0;  // the open-file-description commands refuse any other value
    result = ::fcntl(descriptor, open_file_description_command(command), lock);
  } else {
    result = ::fcntl(descriptor, command, va_arg(arguments, int));
  }
  va_end(arguments);
  return result;
}

void install() {
  sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
  if (vfs == nullptr || vfs->iVersion < 3 || vfs->xSetSystemCall == nullptr ||
      vfs->xSetSystemCall(vfs, "fcntl",
                          reinterpret_cast<sqlite3_syscall_ptr>(&fcntl_with_description_locks)) !=
          SQLITE_OK) {
    throw RuntimeFailure(
        "this SQLite's default VFS does not let QNStudio lock stores safely (no replaceable "
        "fcntl in its unix VFS)");
  }
}

}  // namespace

void use_open_file_description_locks() {
  static std::once_flag installed;
  std::call_once(installed, install);
}

}  // namespace qn
