#pragma once

// A task a small network learns in a few dozen steps on the CPU, for the training tests.

#include <ATen/CPUGeneratorImpl.h>

#include "data/examples.h"
#include "nn/convnet.h"

namespace qn::test {

// 8x8 single-channel images whose class (of 4) is the quadrant holding the bright spot.
inline Examples quadrant_images(int64_t count, uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  Examples set;
  set.targets = torch::randint(0, 4, {count}, generator, torch::kLong);
  set.inputs = 0.1 * torch::randn({count, 1, 8, 8}, generator, torch::kFloat);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t label = set.targets[i].item<int64_t>();
    set.inputs[i][0].narrow(0, (label / 2) * 4, 4).narrow(1, (label % 2) * 4, 4).add_(1.0);
  }
  return set;
}

inline ConvNet small_convnet() {
  ConvNetOptions options;
  options.image_size = 8;
  options.classes = 4;
  options.width = 4;
  options.hidden = 16;
  return ConvNet(options);
}

}  // namespace qn::test
