#include "data/image_stream.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "common/file_bytes.h"

namespace qn {
namespace {

// SplitMix64's finaliser: independent streams from neighbouring numbers.
uint64_t mixed(uint64_t value) {
  value += 0x9E3779B97F4A7C15ULL;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31);
}

// The crop box in the coordinates of the image as decoded (smaller, if the DCT scaled it).
PixelBox scaled_box(const PixelBox& box, ImageSize full, const RgbImage& image) {
  if (image.width == full.width && image.height == full.height) return box;
  const double x = static_cast<double>(image.width) / static_cast<double>(full.width);
  const double y = static_cast<double>(image.height) / static_cast<double>(full.height);
  PixelBox scaled{static_cast<int64_t>(std::floor(static_cast<double>(box.left) * x)),
                  static_cast<int64_t>(std::floor(static_cast<double>(box.top) * y)),
                  std::max<int64_t>(1, std::llround(static_cast<double>(box.width) * x)),
                  std::max<int64_t>(1, std::llround(static_cast<double>(box.height) * y))};
  scaled.width = std::min(scaled.width, image.width - scaled.left);
  scaled.height = std::min(scaled.height, image.height - scaled.top);
  return scaled;
}

void random_crop_flip(std::string_view bytes, const std::string& name, const ImageTransform& transform,
                      std::mt19937_64& random, float* out) {
  const auto size = read_image_size(bytes, name);
  const auto box = random_resized_crop_box(size, random);
  const bool mirror = std::bernoulli_distribution(0.5)(random);
  ImageSize at_least{};
  if (transform.dct_scaling) {  // the crop must keep at least `size` pixels a side once scaled
    at_least = {(transform.size * size.width + box.width - 1) / box.width,
                (transform.size * size.height + box.height - 1) / box.height};
  }
  const auto image = decode_image(bytes, name, at_least);
  const ImageSize output{transform.size, transform.size};
  const auto resized = resize_region(image, scaled_box(box, size, image), output,
                                     {0, 0, output.width, output.height}, transform.resampling);
  write_normalized(resized, mirror, transform.normalization, out);
}

void resize_whole(std::string_view bytes, const std::string& name, const ImageTransform& transform,
                  float* out) {
  const auto image = decode_image(bytes, name);
  ResizeThenCrop plan{{transform.size, transform.size}, {0, 0, transform.size, transform.size}};
  if (transform.kind == ImageTransform::Kind::ResizeCentreCrop) {
    plan = resize_then_centre_crop({image.width, image.height}, transform.resize_side, transform.size);
  }
  const auto kept = resize_region(image, {0, 0, image.width, image.height}, plan.resized, plan.kept,
                                  transform.resampling);
  write_normalized(kept, false, transform.normalization, out);
}

torch::Tensor labels_of(const ImageFiles& files) {
  std::vector<int64_t> labels;
  labels.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i) labels.push_back(files.label(i));
  return torch::tensor(labels, torch::kLong);
}

}  // namespace

void transform_image(std::string_view bytes, const std::string& name, const ImageTransform& transform,
                     std::mt19937_64& random, float* out) {
  if (transform.kind == ImageTransform::Kind::RandomCropFlip) {
    random_crop_flip(bytes, name, transform, random, out);
  } else {
    resize_whole(bytes, name, transform, out);
  }
}

ImageRows::ImageRows(ImageFiles files, ImageTransform transform, uint64_t seed, int workers)
    : files_(std::move(files)), transform_(transform), seed_(seed), labels_(labels_of(files_)),
      visits_(files_.size(), 0) {
  if (workers < 1) throw InputError("data.workers must be at least 1");
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

ImageRows::~ImageRows() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& thread : threads_) thread.join();
}

std::shared_ptr<ImageRows::Job> ImageRows::submit(const torch::Tensor& indices) {
  auto job = std::make_shared<Job>();
  const auto count = indices.numel();
  const auto* index = indices.data_ptr<int64_t>();
  for (int64_t i = 0; i < count; ++i) {
    if (index[i] < 0 || index[i] >= size()) throw std::out_of_range("ImageRows: row out of range");
    const auto row = static_cast<size_t>(index[i]);
    job->rows.push_back(index[i]);
    job->streams.push_back(mixed(seed_ ^ mixed(static_cast<uint64_t>(index[i]) ^ mixed(visits_[row]++))));
  }
  job->inputs = torch::empty({count, 3, transform_.size, transform_.size}, torch::kFloat);
  job->pending = job->rows.size();
  if (job->pending > 0) queue_.push_back(job);
  work_ready_.notify_all();
  return job;
}

void ImageRows::prefetch(const torch::Tensor& indices) {
  const auto rows = indices.to(torch::kCPU, torch::kLong).contiguous();
  std::lock_guard lock(mutex_);
  prefetched_.push_back(submit(rows));
}

Examples ImageRows::rows(const torch::Tensor& indices) {
  const auto rows = indices.to(torch::kCPU, torch::kLong).contiguous();
  std::unique_lock lock(mutex_);
  const auto asked = [&](const Job& job) {
    return job.rows.size() == static_cast<size_t>(rows.numel()) &&
           std::equal(job.rows.begin(), job.rows.end(), rows.data_ptr<int64_t>());
  };
  // Announced requests before the one asked are dropped: their files stay visited, as they
  // were, and their rows not taken yet are never decoded (a run that stops mid-epoch leaves
  // two such batches). Rows never announced are decoded now.
  std::shared_ptr<Job> job;
  while (!prefetched_.empty() && !job) {
    if (asked(*prefetched_.front())) {
      job = prefetched_.front();
    } else {
      queue_.erase(std::remove(queue_.begin(), queue_.end(), prefetched_.front()), queue_.end());
    }
    prefetched_.pop_front();
  }
  if (!job) job = submit(rows);
  job_done_.wait(lock, [&] { return job->pending == 0; });
  if (!job->error.empty()) throw InputError(job->error);
  return {job->inputs, labels_.index_select(0, rows)};
}

void ImageRows::work() {
  const int64_t row_floats = 3 * transform_.size * transform_.size;
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    auto job = queue_.front();
    const size_t place = job->next++;
    if (job->next == job->rows.size()) queue_.erase(queue_.begin());
    const auto path = files_.path(static_cast<size_t>(job->rows[place]));
    float* out = job->inputs.data_ptr<float>() + static_cast<int64_t>(place) * row_floats;
    lock.unlock();
    std::string error;
    try {
      std::mt19937_64 random(job->streams[place]);
      transform_image(read_file_bytes(path), path, transform_, random, out);
    } catch (const std::exception& failure) {
      error = failure.what();
    }
    lock.lock();
    if (!error.empty() && job->error.empty()) job->error = error;
    if (--job->pending == 0) job_done_.notify_all();
  }
}

}  // namespace qn
