#pragma once

#include <string>
#include <vector>

#include "data/image_files.h"
#include "data/labelled_images.h"

namespace qn {

// The image-folder task's data (docs/data.md, Tasks and their data): a folder with
// one subfolder of PNG or JPEG images per class, as torchvision's ImageFolder reads it.
//
// - Classes: the subfolder names in bytewise order; label i is the i-th name. Names that
//   start with '.' (.git, .ipynb_checkpoints) are skipped, as are files whose extension is
//   not .png, .jpg or .jpeg (in any case). Images in folders nested in a class folder
//   belong to that class.
// - Splits: when the folder has train/ with class subfolders and test/ or val/ beside it,
//   they are the splits; the classes are train/'s, and the held-out folder may lack a class
//   but not add one. A val/ of images without class folders (ImageNet's as it ships) is
//   labelled by a file (data/eval_labels.h: `eval_labels`, else one found beside it). Otherwise
//   one image in five is held out for test: those whose path relative to the folder has a
//   SHA-256 whose first 8 bytes, read as a big-endian number, are a multiple of 5. A file
//   keeps its split whatever the seed, whatever files are added or removed, and wherever
//   the folder is moved.
// - Order: each split is ordered by that same number, so that `train_limit` > 0 keeps a
//   fixed sample of every class rather than the first class's files.
// - Pixels: decoded by stb_image, 8 bits a channel (16-bit PNGs are reduced), alpha
//   dropped. One channel if every image loaded (the training images kept and the test
//   split) is gray, R = G = B at every pixel, however it is stored; else three (RGB), gray
//   images repeated in each. Values in [0, 1], each image stretched, not cropped, to
//   `side` x `side`: bilinear, antialiased when shrinking (a weighted mean of the covered
//   pixels), as torchvision's Resize.
//
// InputErrors name the folder or file: no class subfolders, fewer than 2 classes, a class
// folder with no images, a test/ class that train/ lacks, a split left empty, a flat val/
// without a labels file or with a bad one, and a file that does not decode (with
// stb_image's reason).

// The folder's classes and files, before anything is decoded.
struct ImageFolderListing {
  std::vector<std::string> classes;
  ImageFiles train;  // each split in key order
  ImageFiles test;
  std::string split;  // which rule made the test split, in words
};

ImageFolderListing list_image_folder(const std::string& folder, const std::string& eval_labels = "");

// The number of classes list_image_folder finds, from folder names alone (no image is read,
// nothing is checked): 0 if `folder` is not a folder.
int64_t count_image_folder_classes(const std::string& folder);

// The listing's images decoded: (N, channels, side, side). `train_limit` > 0 keeps the
// first N training images (in key order).
// `budget_mb` > 0: a folder that would take more memory decoded is refused before any
// decoding (data.cache_mb).
ImageSplits load_image_folder(const std::string& folder, int64_t side, int64_t train_limit = 0,
                              const std::string& eval_labels = "", int64_t budget_mb = 0);

}  // namespace qn
