#pragma once

#include <string>

#include "data/labelled_images.h"

namespace qn {

// One CIFAR-10 binary batch: records of 1 label byte (0..9) then 3072 pixel bytes (the
// 32x32 red plane, then green, then blue, row-major). Returns (N, 3, 32, 32) floats in
// [0, 1] and their labels. An empty or truncated file (its size not a whole number of
// records) or a label above 9 is an InputError naming the file.
LabelledImages read_cifar10_batch(const std::string& path);

// The binary distribution's folder (cifar-10-batches-bin): data_batch_1.bin ..
// data_batch_5.bin for training, test_batch.bin for test. `train_limit` > 0 keeps the
// first N training images. A missing file is an InputError naming it.
ImageSplits load_cifar10_folder(const std::string& folder, int64_t train_limit = 0);

}  // namespace qn
