#pragma once

#include <cstdint>

#include "config/run_config.h"
#include "train/size_preview.h"

namespace qn {

// Every check a run can fail before any data is loaded or any step trained, so that a run
// that cannot finish fails in a second, not after its training (docs/architecture.md, The life of a run):
//  - the config's rules (validate: a config built in code is held to them too);
//  - the device: "cuda" on a machine without one;
//  - where the data is (check_data_location);
//  - a torchscript model: its file loads, holds a quantizable layer, and a batch of the
//    task's standard shape goes through it to logits of the right shape (model_probe.h);
//  - everything the model's shapes tell (preview_size): the model size bound, each layer's
//    block size, the iPQ stage patterns.
// Throws the first problem as an InputError naming it; else returns the size the run will
// have (the preview the checks computed). Reads no data; builds the model once, on the CPU.
// Called by run_training, by `qnoise train` before it records the run, when runs are
// queued (enqueue_sweep, enqueue_run) and by the GUI's setup panel and Sweep dialog. The
// model is built once a config a process: the callers of one run (the panel, the queue,
// the trainer; `qnoise train` and its run) share its answer. The rules, the device and the
// data's place are checked every time.
SizePreview check_before_training(const RunConfig& config);

// How many times this process built a model to check a config (a test counts one a run).
int64_t model_checks_performed();

}  // namespace qn
