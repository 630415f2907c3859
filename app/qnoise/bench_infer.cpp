// `qnoise bench infer`: inference computed from PQ codes (lookup tables, quant/pq_lookup.h)
// against the dense product, in the interleaved schedule of core/bench/interleaved_bench.h,
// on --threads threads (default 1), at each --batch.
//   without --from: one Linear(--in -> --out) of K centroids of b values (random codes):
//     fp32 torch::linear; the weight decoded from the codes, then torch::linear (what the
//     compact TorchScript export does each forward); lookup tables;
//   with --from FILE.qnz: the whole built-in model on random inputs of its shape (a language
//     model's sequences of --length tokens): its decoded fp32 weights against lookup tables
//     where they apply (InferenceEngine::LookupTables).
// --memory decoded|lut instead measures this fresh process serving the model that way.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>

#include "bench/resident_memory.h"
#include "commands.h"
#include "common/byte_text.h"
#include "common/error.h"
#include "io/checkpoint.h"
#include "io/qnz_reader.h"
#include "nn/quantizable_layer.h"
#include "quant/pq_lookup.h"
#include "timing_bench.h"
#include "train/compressed_model_loader.h"

namespace qn::cli {
namespace {

struct BenchInferArgs {
  std::string from;
  int64_t in_features = 768;
  int64_t out_features = 3072;
  int64_t centroids = 256;
  int64_t block = 8;
  std::vector<int64_t> batches = {1, 64};
  int64_t length = 0;  // a language model's tokens a sequence; 0: its context
  int threads = 1;
  std::string memory;  // "", "decoded" or "lut"
  TimingBenchArgs timing;
};

BenchVariant timed(const std::string& name, std::function<torch::Tensor()> forward) {
  return {name, [forward](int64_t steps) {
            torch::NoGradGuard no_grad;
            const auto began = std::chrono::steady_clock::now();
            for (int64_t step = 0; step < steps; ++step) forward();
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count() /
                   double(steps);
          }};
}

double relative_difference(const torch::Tensor& value, const torch::Tensor& reference) {
  return ((value - reference).abs().max() / reference.abs().max().clamp_min(1e-30)).item<double>();
}

PqTensor random_linear(const BenchInferArgs& args) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(0);
  BlockLayout layout({"bench", LayerKind::Linear}, {args.out_features, args.in_features}, args.block);
  const auto centroids = torch::randn({args.centroids, args.block}, generator, torch::kFloat) * 0.05;
  const auto codes = torch::randint(args.centroids, {layout.block_count()}, generator, torch::kLong);
  return PqTensor(layout, Codebook::store(centroids, CodebookFormat::Fp16), codes);
}

void bench_layer(const BenchInferArgs& args) {
  const auto pq = std::make_shared<PqTensor>(random_linear(args));
  const auto weight = pq->decode();
  const auto lookup = std::make_shared<PqLookup>(*pq);
  for (const int64_t batch : args.batches) {
    const auto input = torch::randn({batch, args.in_features});
    const std::vector<BenchVariant> variants = {
        timed("fp32 linear", [=] { return torch::linear(input, weight); }),
        timed("decode + linear", [=] { return torch::linear(input, pq->decode()); }),
        timed("lookup tables", [=] { return lookup->linear(input); }),
    };
    const nlohmann::json setup = {{"bench", "infer"},      {"in_features", args.in_features},
                                  {"out_features", args.out_features}, {"centroids", args.centroids},
                                  {"block", args.block},   {"batch", batch},
                                  {"threads", args.threads}};
    auto result = run_timing_bench(variants, args.timing, setup);
    result.update(setup);
    result["lookup_relative_difference"] =
        relative_difference(lookup->linear(input), torch::linear(input, weight));
    result["bytes"] = {{"fp32_weight", weight.nbytes()}, {"lookup", lookup->bytes()}};
    print_timing_bench("Linear(" + std::to_string(args.in_features) + " -> " +
                           std::to_string(args.out_features) + "), K = " +
                           std::to_string(args.centroids) + ", b = " + std::to_string(args.block) +
                           ", batch " + std::to_string(batch) + ", " +
                           std::to_string(args.threads) + " thread(s); lookup tables within " +
                           nlohmann::json(result["lookup_relative_difference"]).dump() +
                           " of the dense product (relative)",
                       result, args.timing.json);
  }
}

struct LoadedCheckpoint {
  RunConfig config;
  TaskData shapes;
  int64_t file_bytes = 0;
};

// The model's input: random images of its shape, or random tokens.
torch::Tensor model_input(const LoadedCheckpoint& loaded, int64_t batch, int64_t length) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(0);
  if (loaded.config.model.arch == "transformer-lm") {
    const int64_t tokens = length > 0 ? length : loaded.config.model.context;
    return torch::randint(loaded.shapes.classes, {batch, tokens}, generator, torch::kLong);
  }
  auto shape = loaded.shapes.image_shape;
  shape.insert(shape.begin(), batch);
  return torch::randn(shape, generator, torch::kFloat);
}

TaskModel load_model(const std::string& path, InferenceEngine engine, LoadedCheckpoint& loaded) {
  const auto file = read_qnz_file(path);
  loaded.config = parse_run_config(file.config);
  loaded.file_bytes = static_cast<int64_t>(file.bytes.size());
  const auto compressed = decode_checkpoint(file);
  loaded.shapes = data_shapes_from_checkpoint(loaded.config, compressed);
  return load_compressed_model(loaded.config, loaded.shapes, compressed, torch::kCPU, engine);
}

void bench_model(const BenchInferArgs& args) {
  LoadedCheckpoint loaded;
  const auto decoded = load_model(args.from, InferenceEngine::Decoded, loaded);
  const auto lookup = load_model(args.from, InferenceEngine::LookupTables, loaded);
  for (const int64_t batch : args.batches) {
    const auto input = model_input(loaded, batch, args.length);
    const std::vector<BenchVariant> variants = {
        timed("fp32 weights", [=] { return decoded.forward(input); }),
        timed("lookup tables", [=] { return lookup.forward(input); }),
    };
    const nlohmann::json setup = {{"bench", "infer"}, {"from", args.from},
                                  {"arch", loaded.config.model.arch}, {"batch", batch},
                                  {"input_shape", input.sizes().vec()}, {"threads", args.threads}};
    auto result = run_timing_bench(variants, args.timing, setup);
    result.update(setup);
    torch::NoGradGuard no_grad;
    result["lookup_relative_difference"] = relative_difference(lookup.forward(input), decoded.forward(input));
    print_timing_bench(loaded.config.model.arch + " from " + args.from + ", input " +
                           nlohmann::json(input.sizes().vec()).dump() + ", " +
                           std::to_string(args.threads) + " thread(s); lookup tables within " +
                           nlohmann::json(result["lookup_relative_difference"]).dump() +
                           " of the decoded model (relative)",
                       result, args.timing.json);
  }
}

// Resident memory of this process serving --from one way: before the model (the libraries
// warmed up by a tiny forward), then with the model loaded and everything it was loaded
// from freed, then after one forward at the first batch size. Anonymous memory (RssAnon)
// is the model's and its activations'; VmRSS also counts the pages of LibTorch's code that
// the first call of each kernel reads in (about 6 MB here), reported beside it.
void measure_memory(const BenchInferArgs& args) {
  const auto engine = parse_inference_engine(args.memory);
  // A fixed, low mmap threshold: glibc otherwise raises it as large blocks are freed (the
  // fp32 weights the loader frees, the unpacking's temporaries), and later blocks then stay
  // resident in the heap once freed; with it, what is freed leaves.
  mallopt(M_MMAP_THRESHOLD, 16 * 1024);
  {
    torch::NoGradGuard no_grad;
    torch::linear(torch::randn({2, 8}), torch::randn({8, 8}));
  }
  const auto sample = [] {
    malloc_trim(0);
    return std::pair<int64_t, int64_t>{anonymous_resident_bytes(), resident_bytes()};
  };
  const auto before = sample();
  LoadedCheckpoint loaded;
  const auto model = load_model(args.from, engine, loaded);
  const auto with_model = sample();
  int64_t tensor_bytes = 0;  // what the model's tensors and lookup tables hold
  for (const auto& tensor : model.module->parameters()) tensor_bytes += tensor.nbytes();
  for (const auto& tensor : model.module->buffers()) tensor_bytes += tensor.nbytes();
  for (const auto& [name, layer] : quantizable_layers(*model.module)) {
    if (layer->lookup()) tensor_bytes += layer->lookup()->bytes();
  }
  {
    torch::NoGradGuard no_grad;
    model.forward(model_input(loaded, args.batches.front(), args.length));
  }
  const auto after_forward = sample();
  const nlohmann::json result = {
      {"from", args.from},
      {"engine", args.memory},
      {"file_bytes", loaded.file_bytes},
      {"batch", args.batches.front()},
      {"before_model", {{"anonymous_bytes", before.first}, {"resident_bytes", before.second}}},
      {"model_tensor_bytes", tensor_bytes},
      {"model_anonymous_bytes", with_model.first - before.first},
      {"model_resident_bytes", with_model.second - before.second},
      {"after_forward_anonymous_bytes", after_forward.first - before.first},
      {"after_forward_resident_bytes", after_forward.second - before.second}};
  if (args.timing.json) {
    std::cout << result.dump() << "\n";
    return;
  }
  std::printf("%s served by %s: its tensors hold %s; the model adds %s of anonymous memory "
              "(%s after a forward at batch %lld); VmRSS grows by %s (%s); the file is %s\n",
              args.from.c_str(), args.memory == "lut" ? "lookup tables" : "decoded weights",
              byte_text(double(tensor_bytes)).c_str(),
              byte_text(double(with_model.first - before.first)).c_str(),
              byte_text(double(after_forward.first - before.first)).c_str(),
              static_cast<long long>(args.batches.front()),
              byte_text(double(with_model.second - before.second)).c_str(),
              byte_text(double(after_forward.second - before.second)).c_str(),
              byte_text(double(loaded.file_bytes)).c_str());
}

int run(const BenchInferArgs& args) {
  at::set_num_threads(args.threads);
  if (!args.memory.empty()) {
    if (args.from.empty()) throw InputError("--memory measures a model: give --from FILE.qnz");
    measure_memory(args);
  } else if (args.from.empty()) {
    bench_layer(args);
  } else {
    bench_model(args);
  }
  return 0;
}

}  // namespace

void add_bench_infer_command(CLI::App& bench, int& exit_code) {
  auto args = std::make_shared<BenchInferArgs>();
  args->timing.schedule = {/*warmup_steps=*/5, /*steps_per_block=*/20, /*blocks=*/20, /*seed=*/0};
  auto* command = bench.add_subcommand(
      "infer", "inference from PQ codes (lookup tables) against the dense product: one Linear, "
               "or a .qnz's whole model");
  command->add_option("--from", args->from, "a built-in model's .qnz (default: one Linear)");
  command->add_option("--in", args->in_features, "the Linear's input features")->capture_default_str();
  command->add_option("--out", args->out_features, "the Linear's output features")->capture_default_str();
  command->add_option("--centroids", args->centroids, "the Linear's K")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  command->add_option("--block", args->block, "the Linear's block size b (divides --in)")
      ->capture_default_str();
  command->add_option("--batch", args->batches, "batch sizes")->capture_default_str()->delimiter(',');
  command->add_option("--length", args->length,
                      "a language model's tokens a sequence (default: its context)");
  command->add_option("--threads", args->threads, "intra-op threads")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--memory", args->memory,
                      "instead of timing: the resident memory of this process serving --from "
                      "with decoded weights or lookup tables")
      ->check(CLI::IsMember({"decoded", "lut"}));
  add_timing_bench_options(*command, args->timing);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
