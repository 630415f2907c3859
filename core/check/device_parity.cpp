#include "check/device_parity.h"

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "check/check_support.h"
#include "config/run_config.h"
#include "data/task_data.h"
#include "io/checkpoint.h"
#include "io/qnz_reader.h"
#include "noise/noise_mask.h"
#include "noise/weight_noise.h"
#include "quant/affine_quantizer.h"
#include "quant/block_layout.h"
#include "quant/kmeans.h"
#include "quant/range_observer.h"
#include "train/compressed_model_loader.h"
#include "train/model_compression.h"
#include "train/task_model.h"
#include "train/trainer.h"
#include "train/training_events.h"

namespace qn {
namespace {

using check::max_abs_difference;
using check::mismatch_count;
using check::random_normal;
using check::verdict;

const torch::Device kCpu(torch::kCPU);

// "cuda against the CPU", or "cpu, run twice" where there is nothing to compare with.
std::string comparison(const torch::Device& device) {
  return device.is_cpu() ? "cpu, run twice" : device.str() + " against the CPU";
}

// Another device may round differently within `tolerance`; the CPU run twice must repeat.
double tolerance_on(const torch::Device& device, double tolerance) {
  return device.is_cpu() ? 0.0 : tolerance;
}

CheckResult kmeans_objective(const torch::Device& device) {
  const auto points = random_normal({20000, 8}, 11);
  KMeansOptions options;
  options.centroids = 256;
  options.iterations = 10;
  const auto start = points.narrow(0, 0, options.centroids).clone();
  options.initial_centroids = start;
  const double on_cpu = kmeans(points, options).final_objective;
  options.initial_centroids = start.to(device);
  const double on_device = kmeans(points.to(device), options).final_objective;
  // The assignments may differ on near-ties (GEMM distances round differently), which
  // moves the objective by far less than this.
  return verdict("k-means objective from the same start, relative, " + comparison(device),
                 std::abs(on_device - on_cpu) / on_cpu, tolerance_on(device, 1e-4));
}

CheckResult int_quantization_bit_identical(const torch::Device& device) {
  const auto w = random_normal({256, 300}, 12) *
                 torch::linspace(0.01, 1.0, 256).view({256, 1});  // channels of every scale
  int64_t ranges = 0, quantized = 0, noisy = 0;
  for (int bits : {4, 8}) {
    for (auto observer : {RangeObserver::MinMax, RangeObserver::Channel}) {
      const auto on_cpu = observe_range(w, bits, observer);
      const auto on_device = observe_range(w.to(device), bits, observer);
      ranges += mismatch_count(on_cpu.scale, on_device.scale) +
                mismatch_count(on_cpu.zero_point, on_device.zero_point);
      quantized += mismatch_count(fake_quantize(w, on_cpu), fake_quantize(w.to(device), on_device));
      // Rate 1 is QAT with the STE; below 1 the masks differ by design (noise_masks_repeat).
      noisy += mismatch_count(int_noise(w, on_cpu, 1.0), int_noise(w.to(device), on_device, 1.0));
    }
  }
  return {"int4/int8 ranges, fake-quantize and QAT noise bit for bit, " + comparison(device),
          ranges + quantized + noisy == 0,
          std::to_string(ranges) + " scales or zero points, " + std::to_string(quantized) +
              " fake-quantized and " + std::to_string(noisy) + " QAT values differ"};
}

// Noise masks are drawn on the weight's device: on a GPU from LibTorch's CUDA generator,
// on the CPU from noise/counter_random.h's stream. Both repeat under torch::manual_seed;
// the two devices' masks differ (different streams), so this checks repetition and rate.
CheckResult noise_masks_repeat(const torch::Device& device) {
  const double rate = 0.25;
  const BlockLayout layout({"check", LayerKind::Linear}, {512, 512}, 8);
  const auto weight = torch::zeros({512, 512}, torch::TensorOptions().device(device));
  const auto draw = [&](uint64_t seed) {
    torch::manual_seed(seed);
    return std::make_pair(draw_block_selection(layout, rate, device).cpu(),
                          draw_weight_mask(weight, rate).cpu());
  };
  const auto first = draw(5);
  const auto again = draw(5);
  const auto other = draw(6);
  const bool repeats = torch::equal(first.first, again.first) &&
                       torch::equal(first.second, again.second);
  const bool seed_matters = !torch::equal(first.second, other.second);
  // Within 5 standard deviations of the rate, for both masks.
  double worst_sigmas = 0;
  for (const auto& mask : {first.first, first.second}) {
    const double n = static_cast<double>(mask.numel());
    const double selected = mask.sum().item<double>();
    worst_sigmas = std::max(worst_sigmas, std::abs(selected - rate * n) /
                                              std::sqrt(n * rate * (1 - rate)));
  }
  return {"noise masks repeat under torch::manual_seed on " + device.str() + ", at rate 0.25",
          repeats && seed_matters && worst_sigmas < 5,
          std::string(repeats ? "repeat" : "DO NOT repeat") + ", " +
              (seed_matters ? "another seed differs" : "another seed gives the same mask") +
              ", the selected count " + std::to_string(worst_sigmas) +
              " standard deviations from rate x size"};
}

// A small ConvNet task (8x8 images, 4 classes) built by the engine's own model factory.
struct SmallTask {
  RunConfig config;
  TaskData data;
};

SmallTask small_task() {
  SmallTask task;
  task.config.model.arch = "convnet";
  task.config.model.width = 8;
  task.config.model.hidden = 32;
  task.config.train.max_steps = 8;
  task.config.train.batch_size = 64;
  task.config.train.lr = 0.01;
  task.data.image_shape = {1, 8, 8};
  task.data.classes = 4;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(13);
  task.data.train.inputs = random_normal({512, 1, 8, 8}, 14);
  task.data.train.targets = torch::randint(0, 4, {512}, generator, torch::kLong);
  task.data.evaluation = task.data.train.slice(0, 128);
  return task;
}

struct LossRecorder final : TrainingObserver {
  std::vector<double> losses;
  void on_step(const StepEvent& event) override { losses.push_back(event.loss); }
};

std::vector<double> training_losses(const SmallTask& task, const torch::Device& device) {
  torch::AutoGradMode with_gradients(true);
  torch::manual_seed(0);  // the model's initial weights, drawn on the CPU
  auto model = make_task_model(task.config, task.data, kCpu);
  model.module->to(device);
  const Examples train{task.data.train.inputs.to(device), task.data.train.targets.to(device)};
  LossRecorder recorder;
  train_model(*model.module, model.forward, train, task.config.train, &recorder, nullptr);
  return recorder.losses;
}

// cuDNN's convolutions run in TF32 on Ampere and later by default (LibTorch's and
// PyTorch's default), which rounds products to 10 mantissa bits: hence 1e-3, not 1e-6.
CheckResult training_steps(const torch::Device& device) {
  const auto task = small_task();
  const auto on_cpu = training_losses(task, kCpu);
  const auto on_device = training_losses(task, device);
  double error = on_cpu.size() == on_device.size() ? 0 : INFINITY;
  for (size_t i = 0; i < std::min(on_cpu.size(), on_device.size()); ++i) {
    error = std::max(error, std::abs(on_device[i] - on_cpu[i]) / std::abs(on_cpu[i]));
  }
  return verdict("8 training steps' losses (Adam, no noise), relative, " + comparison(device),
                 error, tolerance_on(device, 1e-3));
}

// The device's model compressed to int4 (per channel), written as a .qnz, read back and
// evaluated on the CPU: the decoded weights must be the device's bit for bit, and the
// logits agree up to the devices' arithmetic.
CheckResult checkpoint_across_devices(const torch::Device& device) {
  auto task = small_task();
  task.config.quant.method = QuantMethod::Int;
  task.config.quant.bits = 4;
  task.config.quant.observer = "channel";
  torch::manual_seed(0);
  auto model = make_task_model(task.config, task.data, kCpu);
  model.module->to(device);
  model.module->eval();
  auto compressed = compress_weights(*model.module, task.config.quant, 0);
  add_plain_tensors(*model.module, task.config.quant, compressed);
  const auto file = parse_qnz(encode_checkpoint(compressed, to_json(task.config), nullptr));
  const auto restored = load_compressed_model(task.config, task.data, decode_checkpoint(file), kCpu);

  int64_t weight_mismatches = 0;
  auto restored_parameters = restored.module->named_parameters();
  for (const auto& item : model.module->named_parameters()) {
    weight_mismatches += mismatch_count(item.value(), restored_parameters[item.key()]);
  }
  const auto inputs = task.data.evaluation.inputs;
  const auto on_device = model.forward(inputs.to(device));
  const auto on_cpu = restored.forward(inputs);
  const double relative =
      max_abs_difference(on_device, on_cpu) / on_cpu.abs().max().item<double>();
  auto result = verdict("int4 .qnz written from " + device.str() +
                            ", read and evaluated on the CPU: logits, relative to the largest",
                        relative, tolerance_on(device, 1e-3));
  result.passed = result.passed && weight_mismatches == 0;
  result.detail = std::to_string(weight_mismatches) + " weights differ; " + result.detail;
  return result;
}

}  // namespace

std::vector<CheckResult> run_device_parity_checks(const torch::Device& device) {
  const std::vector<std::function<CheckResult(const torch::Device&)>> checks = {
      kmeans_objective, int_quantization_bit_identical, noise_masks_repeat, training_steps,
      checkpoint_across_devices};
  std::vector<CheckResult> results;
  for (const auto& check : checks) results.push_back(check(device));
  return results;
}

}  // namespace qn
