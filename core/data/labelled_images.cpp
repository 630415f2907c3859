#include "data/labelled_images.h"

#include <filesystem>

#include "common/error.h"
#include "data/idx_file.h"

namespace qn {
namespace {

// `stem` or `stem.gz` inside `folder`, whichever exists.
std::string find_idx(const std::string& folder, const std::string& stem) {
  const auto base = std::filesystem::path(folder) / stem;
  for (const auto& candidate : {base.string() + ".gz", base.string()}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  throw InputError("'" + folder + "' has no " + stem + " (nor " + stem + ".gz)");
}

}  // namespace

LabelledImages load_idx_images(const std::string& images_path, const std::string& labels_path,
                               int64_t limit) {
  auto images = read_idx(images_path);
  auto labels = read_idx(labels_path);
  if (images.dim() != 3) {
    throw InputError("'" + images_path + "' holds a " + std::to_string(images.dim()) +
                     "-D array, not images (N, height, width)");
  }
  if (labels.dim() != 1 || labels.size(0) != images.size(0)) {
    throw InputError("'" + labels_path + "' holds " + std::to_string(labels.numel()) +
                     " labels for the " + std::to_string(images.size(0)) + " images of '" +
                     images_path + "'");
  }
  if (images.size(0) == 0) throw InputError("'" + images_path + "' holds no images");
  if (limit > 0 && limit < images.size(0)) {
    images = images.narrow(0, 0, limit);
    labels = labels.narrow(0, 0, limit);
  }
  LabelledImages set;
  set.images = images.unsqueeze(1).to(torch::kFloat).div_(255.0);
  set.labels = labels.to(torch::kLong);
  set.classes = set.labels.max().item<int64_t>() + 1;
  return set;
}

ImageSplits load_idx_folder(const std::string& folder, int64_t train_limit) {
  // Looked up in order, so that the first missing file is the one named.
  const auto train_images = find_idx(folder, "train-images-idx3-ubyte");
  const auto train_labels = find_idx(folder, "train-labels-idx1-ubyte");
  const auto test_images = find_idx(folder, "t10k-images-idx3-ubyte");
  const auto test_labels = find_idx(folder, "t10k-labels-idx1-ubyte");
  ImageSplits splits{load_idx_images(train_images, train_labels, train_limit),
                     load_idx_images(test_images, test_labels)};
  splits.test.classes = splits.train.classes = std::max(splits.train.classes, splits.test.classes);
  return splits;
}

}  // namespace qn
