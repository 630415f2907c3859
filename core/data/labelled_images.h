#pragma once

#include <torch/types.h>

#include <string>

namespace qn {

// A classification image set in memory.
struct LabelledImages {
  torch::Tensor images;  // (N, channels, height, width) float32 in [0, 1]
  torch::Tensor labels;  // (N) int64 in [0, classes)
  int64_t classes = 0;

  int64_t size() const { return labels.numel(); }
};

// An IDX image file (N, H, W) and its IDX label file (N), gzipped or raw. `limit` > 0 keeps
// only the first `limit` examples (data.train_limit). Mismatched counts, or images that are
// not 3-D, are InputErrors naming the files.
LabelledImages load_idx_images(const std::string& images_path, const std::string& labels_path,
                               int64_t limit = 0);

struct ImageSplits {
  LabelledImages train;
  LabelledImages test;
  std::string split;  // which rule made the test split, in words ("" = the data set's own)
};

// The four files of an MNIST-family folder (train-images-idx3-ubyte[.gz], train-labels-
// idx1-ubyte[.gz], t10k-...), as Debian's dataset-fashion-mnist installs them in
// /usr/share/datasets/fashion-mnist. A missing file is an InputError naming it.
ImageSplits load_idx_folder(const std::string& folder, int64_t train_limit = 0);

}  // namespace qn
