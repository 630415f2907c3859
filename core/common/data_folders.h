#pragma once
// Where QNStudio's files live outside the source tree: the user's folder (the store, data
// the user adds) and the folder an installed package puts data in beside the programs.
#include <filesystem>

namespace qn {

// $XDG_DATA_HOME/qnstudio, else ~/.local/share/qnstudio (the XDG base directory
// specification), created if missing; the current folder when there is no home.
std::filesystem::path user_data_folder();

// <prefix>/share/qnstudio for programs installed in <prefix>/bin (the .deb: /usr), found
// from the running executable so an installed tree can move; empty when it does not exist,
// as in a build tree.
std::filesystem::path installed_data_folder();

}  // namespace qn
