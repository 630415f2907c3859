#include "data/cifar10.h"

#include <filesystem>
#include <fstream>

#include "common/error.h"

namespace qn {
namespace {

constexpr int64_t kSide = 32;
constexpr int64_t kPixels = 3 * kSide * kSide;
constexpr int64_t kRecord = 1 + kPixels;
constexpr int64_t kClasses = 10;

LabelledImages concatenate(const std::vector<LabelledImages>& parts) {
  std::vector<torch::Tensor> images, labels;
  for (const auto& part : parts) {
    images.push_back(part.images);
    labels.push_back(part.labels);
  }
  return {torch::cat(images), torch::cat(labels), kClasses};
}

}  // namespace

LabelledImages read_cifar10_batch(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw InputError("cannot open CIFAR-10 batch '" + path + "'");
  const int64_t bytes = in.tellg();
  if (bytes <= 0 || bytes % kRecord != 0) {
    throw InputError("'" + path + "' is not a CIFAR-10 batch: " + std::to_string(bytes) +
                     " bytes is not a whole number of " + std::to_string(kRecord) +
                     "-byte records (truncated?)");
  }
  auto raw = torch::empty({bytes / kRecord, kRecord}, torch::kUInt8);
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(raw.data_ptr<uint8_t>()), bytes)) {
    throw InputError("cannot read '" + path + "'");
  }
  auto labels = raw.select(1, 0).to(torch::kLong);
  if (labels.max().item<int64_t>() >= kClasses) {
    throw InputError("'" + path + "' holds a label above 9: not a CIFAR-10 batch");
  }
  auto images = raw.narrow(1, 1, kPixels).reshape({-1, 3, kSide, kSide}).to(torch::kFloat) / 255.0;
  return {images, labels, kClasses};
}

ImageSplits load_cifar10_folder(const std::string& folder, int64_t train_limit) {
  auto file = [&](const std::string& name) {
    const auto path = (std::filesystem::path(folder) / name).string();
    if (!std::filesystem::exists(path)) {
      throw InputError("'" + folder + "' has no " + name + " (the CIFAR-10 binary version)");
    }
    return path;
  };
  std::vector<LabelledImages> batches;
  for (int i = 1; i <= 5; ++i) {
    batches.push_back(read_cifar10_batch(file("data_batch_" + std::to_string(i) + ".bin")));
  }
  ImageSplits splits{concatenate(batches), read_cifar10_batch(file("test_batch.bin"))};
  if (train_limit > 0 && train_limit < splits.train.size()) {
    splits.train.images = splits.train.images.narrow(0, 0, train_limit);
    splits.train.labels = splits.train.labels.narrow(0, 0, train_limit);
  }
  return splits;
}

}  // namespace qn
