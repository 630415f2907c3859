#pragma once

#include <condition_variable>
#include <deque>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "data/examples.h"
#include "data/image_files.h"
#include "data/image_transforms.h"

namespace qn {

// How each image file becomes a (3, size, size) float tensor: torchvision's training
// recipe (RandomResizedCrop + RandomHorizontalFlip), its evaluation one (Resize of the
// shorter side + CenterCrop), or today's stretch to a square; then ToTensor + Normalize
// (docs/data.md, Streaming images).
struct ImageTransform {
  enum class Kind { RandomCropFlip, ResizeCentreCrop, Stretch };
  Kind kind = Kind::ResizeCentreCrop;
  int64_t size = 224;
  int64_t resize_side = 256;  // ResizeCentreCrop: the shorter side before the crop
  Resampling resampling = Resampling::Bilinear;
  Normalization normalization;
  // RandomCropFlip: decode a JPEG at 1/2, 1/4 or 1/8 scale (in the DCT domain) when its crop
  // stays at least `size` a side, as Pillow's draft mode does; the other kinds never do, so
  // that they give torchvision's pixels.
  bool dct_scaling = true;
};

// One file's bytes through `transform` into `out` (3 * size * size floats); `random` draws
// the crop and the flip. Errors are InputErrors naming `name`.
void transform_image(std::string_view bytes, const std::string& name, const ImageTransform& transform,
                     std::mt19937_64& random, float* out);

// Image files as rows of a data set, decoded when asked for (Examples::rows) by a pool of
// `workers` threads: the memory held is a batch or two, whatever the number of files. The
// trainer names the next batch's rows before it computes the present one (prefetch), so
// decoding overlaps training. A file's random crop is drawn from (seed, the file, how many
// times it was asked for before), so a run's batches do not depend on the worker count.
// A file that does not decode fails the request holding it with an InputError naming it.
class ImageRows final : public RowSource {
 public:
  ImageRows(ImageFiles files, ImageTransform transform, uint64_t seed, int workers);
  ~ImageRows() override;

  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  torch::Tensor labels() const { return labels_; }  // every row's target, in memory
  Examples rows(const torch::Tensor& indices) override;
  void prefetch(const torch::Tensor& indices) override;

 private:
  // One request's rows, decoded by the pool into `inputs`.
  struct Job {
    std::vector<int64_t> rows;
    std::vector<uint64_t> streams;  // each row's random stream
    torch::Tensor inputs;
    size_t next = 0;      // the next row a worker takes
    size_t pending = 0;   // rows not yet written
    std::string error;    // the first failure
  };

  std::shared_ptr<Job> submit(const torch::Tensor& indices);  // under the lock
  void work();

  const ImageFiles files_;
  const ImageTransform transform_;
  const uint64_t seed_;
  const torch::Tensor labels_;

  std::mutex mutex_;
  std::condition_variable work_ready_, job_done_;
  std::vector<uint32_t> visits_;  // how many times each file was asked for
  std::vector<std::shared_ptr<Job>> queue_;  // jobs with rows left to take, oldest first
  std::deque<std::shared_ptr<Job>> prefetched_;  // announced requests, in order
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace qn
