#pragma once

#include <vector>

#include "config/run_config.h"

namespace qn::ui {

// The setup panel's presets: a config compiled into the program (resources/presets/), and
// whether the user's model file is asked for on top of it.
struct Preset {
  const char* label;
  const char* resource;  // nullptr: the current task
  bool asks_model;       // the user's model, chosen as a file
};

// The presets and icons are compiled into this static library (resources/qnstudio.qrc); Qt
// needs them registered by hand, once, before the first is read.
void register_resources();

// Every preset, in the order the panel lists them.
const std::vector<Preset>& setup_presets();

// The preset a config is shown under: its task and model decide.
int preset_index(const RunConfig& config);

// A preset's config. Not validated here: a preset for the user's model is complete once the
// model is chosen.
RunConfig read_preset(const char* resource);

}  // namespace qn::ui
