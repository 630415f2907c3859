// `qnoise bench loader`: the streamed image data's speed and memory on a folder of class
// subfolders, as torchvision's ImageFolder + DataLoader is timed beside it
// (experiments/image_loader/run.sh): one epoch (or --batches) of the transform asked for,
// timed from the first batch to the last; the start (listing, first batch) apart.
#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench/resident_memory.h"
#include "commands.h"
#include "common/error.h"
#include "data/image_folder.h"
#include "data/image_stream.h"

namespace qn::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kAhead = 2;  // batches announced ahead of the one used, as the trainer does

struct BenchLoaderArgs {
  std::string dir;
  int workers = 1;
  int64_t batch_size = 64;
  int64_t image_size = 224;
  int64_t resize_side = 256;
  std::string transform = "train";
  std::string normalize = "imagenet";
  int64_t batches = 0;  // 0: one epoch; more than an epoch's go on into the next
  uint64_t seed = 0;
  bool no_dct_scaling = false;
  bool json = false;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

ImageTransform transform_of(const BenchLoaderArgs& args) {
  ImageTransform transform;
  transform.kind = args.transform == "train" ? ImageTransform::Kind::RandomCropFlip
                                             : ImageTransform::Kind::ResizeCentreCrop;
  transform.size = args.image_size;
  transform.resize_side = args.resize_side;
  if (args.normalize == "imagenet") transform.normalization = imagenet_normalization();
  transform.dct_scaling = !args.no_dct_scaling;
  return transform;
}

int run_bench_loader(const BenchLoaderArgs& args) {
  const auto start = Clock::now();
  auto listing = list_image_folder(args.dir);
  auto files = std::move(listing.train);  // every file: the held-out share too
  files.append(listing.test);
  const auto file_count = static_cast<int64_t>(files.size());
  ImageRows source(std::move(files), transform_of(args), args.seed, args.workers);
  // As the trainer asks: shuffled epochs in batches, each announced kAhead batches before
  // it is used; past one epoch, the next is drawn afresh.
  auto generator = at::make_generator<at::CPUGeneratorImpl>(args.seed);
  std::vector<torch::Tensor> orders;
  const int64_t epoch_batches = (file_count + args.batch_size - 1) / args.batch_size;
  const int64_t batches = args.batches > 0 ? args.batches : epoch_batches;
  const auto batch_rows = [&](int64_t batch) {
    const auto epoch = static_cast<size_t>(batch / epoch_batches);
    while (orders.size() <= epoch) orders.push_back(torch::randperm(file_count, generator, torch::kLong));
    const int64_t start = (batch % epoch_batches) * args.batch_size;
    return orders[epoch].narrow(0, start, std::min(args.batch_size, file_count - start));
  };
  for (int64_t batch = 0; batch < std::min<int64_t>(batches, 1 + kAhead); ++batch) source.prefetch(batch_rows(batch));
  source.rows(batch_rows(0));
  const double startup = seconds_since(start);
  const auto first = Clock::now();
  int64_t images = 0;  // after the first batch: the timed ones
  for (int64_t batch = 1; batch < batches; ++batch) {
    images += source.rows(batch_rows(batch)).size();
    if (batch + kAhead < batches) source.prefetch(batch_rows(batch + kAhead));
  }
  const double seconds = seconds_since(first);
  const nlohmann::json result = {{"engine", "qnstudio"},
                                 {"workers", args.workers},
                                 {"files", file_count},
                                 {"transform", args.transform},
                                 {"images", images},
                                 {"seconds", seconds},
                                 {"images_per_second", seconds > 0 ? images / seconds : 0.0},
                                 {"startup_seconds", startup},
                                 {"peak_rss_bytes", peak_resident_bytes()}};
  if (args.json) {
    std::cout << result.dump() << "\n";
  } else {
    std::printf("%lld images in %.2f s: %.1f images/s with %d worker(s); start %.2f s; peak RSS %.1f MB\n",
                static_cast<long long>(images), seconds, result["images_per_second"].get<double>(),
                args.workers, startup, result["peak_rss_bytes"].get<double>() / 1e6);
  }
  return 0;
}

}  // namespace

void add_bench_loader_command(CLI::App& bench, int& exit_code) {
  auto args = std::make_shared<BenchLoaderArgs>();
  auto* loader = bench.add_subcommand("loader", "streamed image data: decode + transform speed and memory");
  loader->add_option("--dir", args->dir, "folder of class subfolders of JPEG/PNG images")->required();
  loader->add_option("--workers", args->workers, "decoder threads")->check(CLI::Range(1, 256));
  loader->add_option("--batch-size", args->batch_size, "images a batch")->check(CLI::PositiveNumber);
  loader->add_option("--image-size", args->image_size, "side of the output images")->check(CLI::PositiveNumber);
  loader->add_option("--resize-side", args->resize_side, "eval: the shorter side before the centre crop");
  loader->add_option("--transform", args->transform, "train (RandomResizedCrop + flip) or eval (resize + centre crop)")
      ->check(CLI::IsMember({"train", "eval"}));
  loader->add_option("--normalize", args->normalize, "imagenet or none")->check(CLI::IsMember({"imagenet", "none"}));
  loader->add_option("--batches", args->batches, "batches to time (default: one epoch; more go on into the next)");
  loader->add_option("--seed", args->seed, "the epoch order's and the crops' seed");
  loader->add_flag("--no-dct-scaling", args->no_dct_scaling, "decode every JPEG at full size");
  loader->add_flag("--json", args->json, "one JSON line");
  loader->callback([args, &exit_code] { exit_code = run_bench_loader(*args); });
}

}  // namespace qn::cli
