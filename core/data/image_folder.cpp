#include "data/image_folder.h"

#include <ATen/Parallel.h>
#include <stb_image.h>
#include <torch/nn/functional/upsampling.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "common/error.h"
#include "common/sha256.h"
#include "data/eval_labels.h"

namespace qn {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kHeldOutOneIn = 5;

bool is_hidden(const fs::path& path) { return path.filename().string().rfind('.', 0) == 0; }

bool has_image_extension(const fs::path& path) {
  auto extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".png" || extension == ".jpg" || extension == ".jpeg";
}

// The names of the visible subfolders of `folder`, sorted; none if it is not a folder.
std::vector<std::string> subfolders(const fs::path& folder) {
  std::vector<std::string> names;
  if (!fs::is_directory(folder)) return names;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_directory() && !is_hidden(entry.path())) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The held-out folder beside train/ (class subfolders or, for val/, flat images with a
// labels file): test/, else val/; none if train/ has no class subfolders.
std::optional<fs::path> held_out_folder(const fs::path& root) {
  if (subfolders(root / "train").empty()) return std::nullopt;
  if (!subfolders(root / "test").empty()) return root / "test";
  if (fs::is_directory(root / "val")) return root / "val";
  return std::nullopt;
}

// The images directly inside `folder` (a flat val/), sorted by name.
std::vector<fs::path> flat_images(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file() && !is_hidden(entry.path()) && has_image_extension(entry.path())) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The class names under `folder`: its subfolders, at least two.
std::vector<std::string> class_names(const fs::path& folder) {
  auto names = subfolders(folder);
  if (names.empty()) {
    throw InputError("'" + folder.string() +
                     "' has no class subfolders (one folder of PNG or JPEG images per class)");
  }
  if (names.size() < 2) {
    throw InputError("'" + folder.string() + "' has one class subfolder ('" + names[0] +
                     "'); classification needs at least 2");
  }
  return names;
}

// The relative path's SHA-256, first 8 bytes: uniform and the same on every machine.
uint64_t split_key(const fs::path& file, const fs::path& root) {
  const auto digest = sha256_hex(file.lexically_relative(root).generic_string());
  return std::stoull(digest.substr(0, 16), nullptr, 16);
}

// Where each listed image goes (a split, or one of two by the held-out rule), so that no
// list of the whole folder is held beside the splits.
using AddImage = std::function<void(const ImageFile&)>;

// The images anywhere under `class_folder`, labelled `label`, each to `add`; none is an
// InputError.
void class_images(const fs::path& class_folder, int64_t label, const fs::path& root, const AddImage& add) {
  size_t found = 0;
  for (auto entry = fs::recursive_directory_iterator(class_folder);
       entry != fs::recursive_directory_iterator(); ++entry) {
    if (is_hidden(entry->path())) {
      entry.disable_recursion_pending();
    } else if (entry->is_regular_file() && has_image_extension(entry->path())) {
      add({entry->path().string(), label, split_key(entry->path(), root)});
      ++found;
    }
  }
  if (found == 0) {
    throw InputError("class folder '" + class_folder.string() +
                     "' holds no images (.png, .jpg or .jpeg files)");
  }
}

// The images of the class folders `present` under `split_folder`, labelled by their place
// in `classes`, each to `add`.
void labelled_images(const fs::path& split_folder, const std::vector<std::string>& present,
                     const std::vector<std::string>& classes, const fs::path& root, const AddImage& add) {
  for (const auto& name : present) {
    const auto found = std::find(classes.begin(), classes.end(), name);
    if (found == classes.end()) {
      throw InputError("'" + (split_folder / name).string() + "' is a class that '" +
                       (root / "train").string() + "' lacks");
    }
    class_images(split_folder / name, found - classes.begin(), root, add);
  }
}

// A flat folder's images, labelled by the file `labels` (data/eval_labels.h).
ImageFiles labelled_flat_images(const fs::path& folder, const std::string& labels,
                                const std::vector<std::string>& classes, const fs::path& root) {
  const auto files = flat_images(folder);
  if (files.empty()) {
    throw InputError("'" + folder.string() + "' holds neither class folders nor images (.png, .jpg or .jpeg files)");
  }
  if (labels.empty()) {
    throw InputError("'" + folder.string() + "' holds images but no class folders, and no labels file was found " +
                     "beside it (LOC_val_solution.csv, val_labels.csv, val.csv or " +
                     "imagenet_2012_validation_synset_labels.txt): set data.eval_labels to its labels file");
  }
  std::vector<std::string> stems;
  for (const auto& file : files) stems.push_back(file.stem().string());
  const auto by_stem = read_eval_labels(labels, stems, classes);
  ImageFiles labelled;
  for (size_t i = 0; i < files.size(); ++i) {
    labelled.push_back({files[i].string(), by_stem.at(stems[i]), split_key(files[i], root)});
  }
  return labelled;
}

std::string decode_failure(const std::string& path) {
  const char* reason = stbi_failure_reason();
  return "cannot decode image '" + path + "': " + (reason ? reason : "unknown reason");
}

// One image decoded, or why not.
struct Decoded {
  std::string failure;
  bool gray = false;  // R = G = B at every pixel
};

// Decodes `path` as RGB into `out`, a (3, side, side) slice: stb_image drops alpha and
// repeats gray. The resize is LibTorch's antialiased bilinear (torchvision's Resize), not
// stb_image_resize: Debian builds that with its assertions on, and its triangle filter
// fails one, aborting the process, on about 1% of size pairs (36 -> 28, 17 -> 12;
// nothings/stb issue 1449).
Decoded decode_into(const std::string& path, torch::Tensor out) {
  int width, height, stored;
  const std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load(path.c_str(), &width, &height, &stored, 3), stbi_image_free);
  if (!pixels) return {decode_failure(path)};
  const auto rgb =
      torch::from_blob(pixels.get(), {height, width, 3}, torch::kUInt8).permute({2, 0, 1});
  // Checked on the pixels, not the header: many tools store gray images as RGB (JPEG
  // writers often always do).
  const bool gray = stored < 3 || (torch::equal(rgb[0], rgb[1]) && torch::equal(rgb[1], rgb[2]));
  namespace F = torch::nn::functional;
  out.copy_(F::interpolate(rgb.unsqueeze(0).to(torch::kFloat).div_(255.0),
                           F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{out.size(1), out.size(2)})
                               .mode(torch::kBilinear)
                               .align_corners(false)
                               .antialias(true))[0]);
  return {"", gray};
}

// The files' images as (N, 3, side, side), and whether every one of them is gray.
std::pair<LabelledImages, bool> decode(const ImageFiles& files, int64_t side, int64_t classes) {
  const auto count = static_cast<int64_t>(files.size());
  auto images = torch::empty({count, 3, side, side}, torch::kFloat);
  std::vector<Decoded> decoded(files.size());
  at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) decoded[i] = decode_into(files.path(static_cast<size_t>(i)), images[i]);
  });
  bool gray = true;
  for (const auto& image : decoded) {  // the first failure in file order
    if (!image.failure.empty()) throw InputError(image.failure);
    gray = gray && image.gray;
  }
  std::vector<int64_t> labels;
  for (size_t i = 0; i < files.size(); ++i) labels.push_back(files.label(i));
  return {{images, torch::tensor(labels, torch::kLong), classes}, gray};
}

}  // namespace

ImageFolderListing list_image_folder(const std::string& folder, const std::string& eval_labels) {
  const fs::path root(folder);
  ImageFolderListing listing;
  if (const auto held = held_out_folder(root)) {
    listing.classes = class_names(root / "train");
    const auto to_train = [&](const ImageFile& file) { listing.train.push_back(file); };
    labelled_images(root / "train", listing.classes, listing.classes, root, to_train);
    const auto name = held->filename().string() + "/";
    if (!subfolders(*held).empty()) {
      const auto to_test = [&](const ImageFile& file) { listing.test.push_back(file); };
      labelled_images(*held, subfolders(*held), listing.classes, root, to_test);
      listing.split = "the folder's " + name + " class folders";
    } else {
      const auto labels = eval_labels.empty() ? find_eval_labels(folder) : eval_labels;
      listing.test = labelled_flat_images(*held, labels, listing.classes, root);
      listing.split = "the flat " + name + " labelled by '" + labels + "'";
    }
  } else {
    listing.classes = class_names(root);
    labelled_images(root, listing.classes, listing.classes, root, [&](const ImageFile& file) {
      (file.key % kHeldOutOneIn == 0 ? listing.test : listing.train).push_back(file);
    });
    listing.split = "1 in 5 images, chosen by a hash of each file's path";
    if (listing.train.empty() || listing.test.empty()) {
      throw InputError("'" + folder + "' holds too few images to hold one in five out for " +
                       "test (chosen by a hash of each file's path); add images, or give " +
                       "train/ and test/ folders of class subfolders");
    }
  }
  listing.train.sort_by_key();
  listing.test.sort_by_key();
  return listing;
}

int64_t count_image_folder_classes(const std::string& folder) {
  const fs::path root(folder);
  return static_cast<int64_t>(subfolders(held_out_folder(root) ? root / "train" : root).size());
}

ImageSplits load_image_folder(const std::string& folder, int64_t side, int64_t train_limit,
                              const std::string& eval_labels, int64_t budget_mb) {
  auto listing = list_image_folder(folder, eval_labels);
  if (train_limit > 0 && train_limit < static_cast<int64_t>(listing.train.size())) {
    listing.train.resize(train_limit);
  }
  const auto images = static_cast<int64_t>(listing.train.size() + listing.test.size());
  const int64_t megabytes = images * 3 * side * side * 4 / (1 << 20);
  if (budget_mb > 0 && megabytes > budget_mb) {
    throw InputError("'" + folder + "' holds " + std::to_string(images) + " images, " + std::to_string(megabytes) +
                     " MB once decoded at " + std::to_string(side) + " px, over data.cache_mb (" +
                     std::to_string(budget_mb) + "): set data.transform to torchvision to stream them " +
                     "from disk, or raise data.cache_mb");
  }
  const auto classes = static_cast<int64_t>(listing.classes.size());
  auto [train, train_gray] = decode(listing.train, side, classes);
  auto [test, test_gray] = decode(listing.test, side, classes);
  if (train_gray && test_gray) {
    for (auto* set : {&train, &test}) set->images = set->images.narrow(1, 0, 1).contiguous();
  }
  return {train, test, listing.split};
}

}  // namespace qn
