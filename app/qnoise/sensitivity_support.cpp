#include "sensitivity_support.h"

#include <cstdio>

#include "common/error.h"
#include "common/runtime.h"
#include "progress_observer.h"
#include "store/trained_model_store.h"
#include "train/run_check.h"
#include "train/task_model.h"

namespace qn::cli {
namespace {

// The store's trained models, looked up only: a model this process trains is remembered in
// memory (RememberedTrainedModels), not kept in the store, where only a queued or running
// run's model may stay.
class StoredTrainedModels final : public TrainedModelCache {
 public:
  explicit StoredTrainedModels(RunStore& store) : store_(store, 0) {}
  std::optional<TrainedModel> find(const std::string& key, const std::string& device) override {
    return store_.find(key, device);
  }
  bool wants(const std::string&) override { return false; }
  void keep(const std::string&, const std::string&, const TrainedModel&) override {}

 private:
  TrainedModelStore store_;
};

}  // namespace

void add_sensitivity_options(CLI::App& command, SensitivityArgs& args) {
  command.add_option("--config", args.config_path, "RunConfig JSON file");
  command.add_option("--set", args.overrides, "override one value: KEY=VALUE (repeatable)");
  command.add_option("--db", args.db, "store the sensitivity table in (and read it from) this store");
  command
      .add_option("--candidates", args.candidates,
                  "ways to store a layer, comma-separated: intN (N = 2..8), pqK (K centroids); "
                  "default int8,int4,pq256,pq64,pq16")
      ->delimiter(',');
  command.add_option("--eval-limit", args.eval_limit,
                     "evaluate on the first N evaluation examples (sets data.eval_limit)")
      ->check(CLI::NonNegativeNumber);
  command.add_option("--device", args.device, "auto, cpu or cuda (overrides the config)");
  command.add_flag("--json", args.json, "print one JSON object on stdout");
}

RunConfig sensitivity_config(const SensitivityArgs& args, std::optional<RunStore>& store) {
  if (!args.db.empty() || args.run_id > 0) {
    store.emplace(args.db.empty() ? default_database_path() : args.db);
  }
  nlohmann::json json;
  if (args.run_id > 0) {
    if (!args.config_path.empty()) throw InputError("give --config or --run, not both");
    const auto run = store->run(args.run_id);
    if (!run) {
      throw InputError("there is no run " + std::to_string(args.run_id) + " in '" +
                       store->database().location() + "'");
    }
    json = nlohmann::json::parse(run->config_text);
  } else {
    if (args.config_path.empty()) throw InputError("--config is required (or --run ID)");
    json = read_config_file(args.config_path);
  }
  for (const auto& assignment : args.overrides) apply_override(json, assignment);
  if (args.eval_limit >= 0) json["data"]["eval_limit"] = args.eval_limit;
  if (!args.device.empty()) json["device"] = args.device;
  auto config = parse_run_config(json);
  pin_model_file(config);
  check_before_training(config);
  return config;
}

SensitivityTable sensitivity_table(const RunConfig& config, const SensitivityArgs& args,
                                   RunStore* store, RememberedTrainedModels& trained, bool reuse,
                                   bool& reused) {
  reused = false;
  const auto json = to_json(config);
  if (store && reuse) {
    SensitivityStore tables(store->database());
    if (auto table = tables.find(config_hash(json), args.candidates,
                                 describe_device(resolve_device(config.device)))) {
      reused = true;
      return *table;
    }
  }
  ProgressObserver observer;
  std::optional<StoredTrainedModels> stored;
  if (store) stored.emplace(*store);
  RememberedTrainedModels cache(stored ? &*stored : nullptr);
  auto table = measure_layer_sensitivity(config, args.candidates, &observer, nullptr, &cache);
  for (const auto& [key, model] : cache.models()) trained.keep(key.first, key.second, model);
  if (store) table.id = SensitivityStore(store->database()).add(table);
  return table;
}

nlohmann::json sensitivity_json(const SensitivityTable& table) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : table.rows) {
    rows.push_back({{"layer", row.layer},
                    {"candidate", row.candidate},
                    {"storage", row.storage},
                    {"bytes", row.weight_bytes},
                    {"bytes_saved", row.bytes_saved},
                    {"metric", row.metric},
                    {"metric_drop", row.metric_drop}});
  }
  return {{"metric_name", table.metric_name},
          {"baseline_metric", table.baseline_metric},
          {"float_metric", table.float_metric},
          {"evaluation_split", table.evaluation_split},
          {"device", table.device},
          {"seconds", table.seconds},
          {"table_id", table.id ? nlohmann::json(*table.id) : nlohmann::json(nullptr)},
          {"candidates", table.candidates},
          {"rows", rows}};
}

void print_sensitivity(const SensitivityTable& table) {
  std::printf("%-28s %-9s %-22s %10s %10s %10s %9s\n", "layer", "candidate", "stored as",
              "bytes", "saved", table.metric_name.c_str(), "drop");
  for (const auto& row : table.rows) {
    std::printf("%-28s %-9s %-22s %10lld %10lld %10.4f %+9.4f\n", row.layer.c_str(),
                row.candidate.c_str(), row.storage.c_str(),
                static_cast<long long>(row.weight_bytes), static_cast<long long>(row.bytes_saved),
                row.metric, row.metric_drop);
  }
  std::printf("baseline %s %.4f (no layer quantized, BatchNorm re-estimated; as trained %.4f), "
              "%s, %zu measurements in %.1f s on %s\n",
              table.metric_name.c_str(), table.baseline_metric, table.float_metric,
              table.evaluation_split.c_str(), table.rows.size(), table.seconds,
              table.device.c_str());
}

}  // namespace qn::cli
