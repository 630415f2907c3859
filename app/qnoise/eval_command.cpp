// `qnoise eval`: rebuilds the model a .qnz file defines and evaluates it on its task.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/error.h"
#include "common/runtime.h"
#include "config/run_config.h"
#include "data/task_data.h"
#include "io/checkpoint.h"
#include "io/qnz_reader.h"
#include "train/compressed_model_loader.h"
#include "train/task_model.h"

namespace qn::cli {
namespace {

struct EvalArgs {
  std::string path;
  std::string data;
  std::string device;
  std::string model;
  std::string engine = "decoded";
  bool json = false;
};

RunConfig checkpoint_config(const QnzFile& file, const EvalArgs& args) {
  auto json = file.config;
  if (!args.data.empty()) {
    json["data"][data_location_key(json.value("task", ""))] = args.data;
  }
  if (!args.device.empty()) json["device"] = args.device;
  RunConfig config;
  try {
    config = parse_run_config(json);
  } catch (const InputError& error) {
    throw InputError("'" + args.path + "' holds a config this build cannot use: " + error.what());
  }
  locate_model_file(config, {args.model, std::filesystem::path(args.path).parent_path().string()});
  return config;
}

int run(const EvalArgs& args) {
  const auto engine = parse_inference_engine(args.engine);
  const auto file = read_qnz_file(args.path);
  const auto config = checkpoint_config(file, args);
  const auto device = resolve_device(config.device);
  const auto data = load_task_data(config, device);
  const auto evaluation =
      evaluate_compressed_model(config, data, decode_checkpoint(file), device, nullptr, engine);
  const double metric = evaluation.metric(data.metric_name);
  const auto& stored = file.result;
  const nlohmann::json stored_metric =
      stored.is_object() && stored.contains("metric") ? stored["metric"] : nlohmann::json();
  if (args.json) {
    const nlohmann::json output = {{"metric_name", data.metric_name},
                                   {"metric", metric},
                                   {"evaluation_split", data.evaluation_split},
                                   {"stored_metric", stored_metric},
                                   {"size_bytes", file.payload_bytes},
                                   {"header_bytes", file.header_bytes},
                                   {"file_bytes", file.bytes.size()},
                                   {"device", describe_device(device)},
                                   {"engine", args.engine}};
    std::cout << output.dump() << "\n";
  } else {
    std::printf("%s %s %.6f on %s (%s); ", data.evaluation_split.c_str(),
                data.metric_name.c_str(), metric, describe_device(device).c_str(),
                engine == InferenceEngine::LookupTables ? "lookup tables over the codes"
                                                        : "decoded weights");
    if (stored_metric.is_number()) {
      std::printf("the run stored %.6f; ", stored_metric.get<double>());
    }
    std::printf("file %zu bytes = %llu accounted + %llu header\n", file.bytes.size(),
                static_cast<unsigned long long>(file.payload_bytes),
                static_cast<unsigned long long>(file.header_bytes));
  }
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<EvalArgs>();
  auto* command =
      app.add_subcommand("eval", "evaluate the model a .qnz file holds on its task's data");
  command->add_option("file", args->path, "the .qnz checkpoint")->required();
  command->add_option("--data", args->data, "where the task's data is (overrides the config)");
  command->add_option("--device", args->device, "auto, cpu or cuda (overrides the config)");
  command->add_option("--model", args->model,
                      "a torchscript model's .pt file (default: the path the run recorded, "
                      "else that file name beside the .qnz; its SHA-256 must match)");
  command->add_option("--engine", args->engine,
                      "decoded (weights decoded from the codes) or lut (a built-in model's PQ "
                      "Linear, Embedding and 1x1 convolution layers computed as lookup tables "
                      "over their codes, on the CPU)")
      ->capture_default_str();
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
