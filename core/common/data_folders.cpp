#include "common/data_folders.h"

#include <cstdlib>
#include <system_error>

#include "common/error.h"

namespace qn {

std::filesystem::path user_data_folder() {
  const char* data_home = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  const std::filesystem::path base = data_home && *data_home ? std::filesystem::path(data_home)
                                     : home && *home ? std::filesystem::path(home) / ".local/share"
                                                     : std::filesystem::current_path();
  const auto folder = base / "qnstudio";
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) throw InputError("cannot create '" + folder.string() + "': " + error.message());
  return folder;
}

std::filesystem::path installed_data_folder() {
  std::error_code error;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return {};
  const auto folder = executable.parent_path().parent_path() / "share" / "qnstudio";
  return std::filesystem::is_directory(folder, error) ? folder : std::filesystem::path{};
}

}  // namespace qn
