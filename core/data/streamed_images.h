#pragma once

#include <string>

#include "data/image_transforms.h"
#include "data/task_data.h"

namespace qn {

// The image-folder task with data.transform "torchvision" (docs/data.md, Streaming images):
// the folder is listed (ImageNet's layout included), nothing is decoded before training;
// the training set is streamed through RandomResizedCrop + flip, the evaluation set
// through Resize + CenterCrop, both normalised as data.normalize says ("dataset": the
// per-channel mean and deviation of up to 512 training images spread over the split,
// measured once). data.train_limit and data.eval_limit keep the first files in key order.
TaskData load_streamed_image_folder(const RunConfig& config, const std::string& folder, const torch::Device& device);

// The per-channel numbers of data.normalize "imagenet" or "explicit" (not "dataset", which
// is measured on the data).
Normalization configured_normalization(const DataConfig& data);

// The decoder threads for data.workers: the number given; 0 = all the cores but one when
// training on a GPU (the CPU is otherwise idle), half of them on the CPU (LibTorch's
// threads compute the steps); at least 1.
int decoder_threads(const RunConfig& config);

}  // namespace qn
