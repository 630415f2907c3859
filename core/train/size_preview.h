#pragma once

#include "config/run_config.h"
#include "quant/size_report.h"

namespace qn {

struct SizePreview {
  SizeReport size;
  // False for language models: their vocabulary, and so their size, is only known once
  // the corpus is read; the preview uses data.vocabulary_cap, the most it can be.
  bool exact = true;
};

// The size a config's model will have once compressed, from its shapes alone, before any
// data is loaded or any k-means runs: what the GUI's setup panel shows while the user edits.
// Image tasks use their standard shapes (Fashion-MNIST and IDX 1x28x28, CIFAR-10 3x32x32,
// 10 classes). A config that cannot run is an InputError naming the problem, e.g. a block
// size that does not divide a layer ("layer 'stem' ... block size 4 does not divide ...").
SizePreview preview_size(const RunConfig& config);

}  // namespace qn
