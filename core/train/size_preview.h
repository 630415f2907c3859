#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "data/task_data.h"
#include "quant/layer_kind.h"
#include "quant/size_report.h"
#include "train/task_model.h"

namespace qn {

// One quantizable layer of a previewed model; its weight's size is size.entries()' entry
// "<name>.weight".
struct LayerPreview {
  LayerInfo layer;
  bool compressed = true;  // false: quant.exclude (or a quant.layers method none) leaves it
  // How its weight is stored: "int4 (histogram)", "pq K=256 b=8", "fp32"...
  std::string storage;
  std::optional<size_t> override_index;  // the quant.layers entry that sets it, if any
};

struct SizePreview {
  SizeReport size;
  std::vector<LayerPreview> layers;  // every quantizable layer, bottom to top
  // False where the data decides part of the shapes. Language models: their vocabulary is
  // only known once the corpus is read; the preview uses data.vocabulary_cap, the most it
  // can be, or with no cap (0) the smallest vocabulary, 3 words: then the size is the
  // least it can be. image-folder with the stretch transform: its channels are only known
  // from its pixels; the preview assumes 3.
  bool exact = true;
};

// The shapes a config's task has before its data is read: Fashion-MNIST and IDX 1x28x28,
// CIFAR-10 3x32x32, 10 classes; image-folder 3 x data.image_size x data.image_size and its
// class folders counted (10 while there is no such folder); text tasks a vocabulary of
// data.vocabulary_cap words (or the smallest, 3, with no cap).
TaskData nominal_task(const RunConfig& config);

// The size a config's model will have once compressed, from its shapes alone, before any
// data is loaded or any k-means runs: what the GUI's setup panel shows while the user edits.
// Image tasks use nominal_task's shapes. On the way it makes every check the shapes allow,
// and a config that cannot run is an InputError naming the problem: a model over
// kMaxModelParameters; a block size that does not divide a layer ("layer 'stem' ... block
// size 4 does not divide ..."); an iPQ stage pattern (quant.stages) or a quant.layers
// pattern that matches no layer.
// K needs no check: each layer lowers it to a quarter of its blocks (centroids_for_layer).
// check_before_training adds what the shapes cannot tell.
SizePreview preview_size(const RunConfig& config);
// The same for a model already built for nominal_task(config): check_before_training builds
// a user's TorchScript model once, for its probe and its preview. Prunes it (LayerDrop).
SizePreview preview_size(const RunConfig& config, TaskModel& model);

}  // namespace qn
