#include "run_listing.h"

#include <cstdio>
#include <iostream>

#include "common/error.h"
#include "config/run_description.h"

namespace qn::cli {
namespace {

// The stage a run is in (or stopped in), with its step and, while it runs, the time left.
nlohmann::json progress_json(const StoredRun& run) {
  if (!run.progress) return nullptr;
  const auto& progress = *run.progress;
  const auto left = run.status == RunStatus::Running ? progress.seconds_left(wall_clock_seconds())
                                                     : std::nullopt;
  return {{"stage", progress.stage},
          {"step", progress.step},
          {"total_steps", progress.total_steps},
          {"seconds_left", left ? nlohmann::json(*left) : nlohmann::json()}};
}

std::string progress_text(const StoredRun& run) {
  if (run.status != RunStatus::Running || !run.progress) return {};
  return "  [" + run.progress->describe(wall_clock_seconds()) + "]";
}

// The config as stored; text that is not JSON as a string.
nlohmann::json stored_config_json(const StoredRun& run) {
  auto json = nlohmann::json::parse(run.config_text, nullptr, /*allow_exceptions=*/false);
  return json.is_discarded() ? nlohmann::json(run.config_text) : json;
}

nlohmann::json run_json(const StoredRun& run) {
  const auto& result = run.result;
  return {{"id", run.id},
          {"sweep_id", run.sweep_id ? nlohmann::json(*run.sweep_id) : nlohmann::json()},
          {"status", to_string(run.status)},
          {"config", stored_config_json(run)},
          {"config_hash", run.config_hash},
          {"device", run.device},
          {"error", run.error},
          {"metric_name", result ? nlohmann::json(result->metric_name) : nlohmann::json()},
          {"metric", result ? nlohmann::json(result->metric) : nlohmann::json()},
          {"size_bytes", result ? nlohmann::json(result->size_bytes) : nlohmann::json()},
          {"fp32_size_bytes", result ? nlohmann::json(result->fp32_size_bytes) : nlohmann::json()},
          {"compression", result ? nlohmann::json(result->compression) : nlohmann::json()},
          {"seconds", result ? nlohmann::json(result->seconds) : nlohmann::json()},
          {"progress", progress_json(run)},
          {"worker", run.worker ? nlohmann::json{{"host", run.worker->host}, {"pid", run.worker->pid}}
                                : nlohmann::json()}};
}

// Where the run ran (or runs): its worker's host, "-" before any worker took it.
std::string host_of(const StoredRun& run) { return run.worker ? run.worker->host : "-"; }

std::string csv_quoted(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

void print_runs(const std::vector<StoredRun>& runs, const std::string& format) {
  if (format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& run : runs) list.push_back(run_json(run));
    std::cout << nlohmann::json{{"runs", list}}.dump() << "\n";
  } else if (format == "csv") {
    std::cout << "id,status,metric_name,metric,size_bytes,compression,config_hash,config\n";
    for (const auto& run : runs) {
      std::cout << run.id << "," << to_string(run.status) << ",";
      if (run.result) {
        std::cout << run.result->metric_name << "," << run.result->metric << ","
                  << run.result->size_bytes << "," << run.result->compression;
      } else {
        std::cout << ",,,";
      }
      std::cout << "," << run.config_hash << "," << csv_quoted(run.config_text) << "\n";
    }
  } else if (format == "table") {
    std::printf("%5s  %-11s  %-12s  %10s  %12s  %8s  %-12s  %s\n", "id", "status", "metric",
                "value", "size (B)", "ratio", "host", "config");
    for (const auto& run : runs) {
      if (run.result) {
        std::printf("%5lld  %-11s  %-12s  %10.4f  %12lld  %7.1fx  %-12s  %s\n",
                    static_cast<long long>(run.id), to_string(run.status).c_str(),
                    run.result->metric_name.c_str(), run.result->metric,
                    static_cast<long long>(run.result->size_bytes), run.result->compression,
                    host_of(run).c_str(), describe_run(run.config).one_line().c_str());
      } else {
        std::printf("%5lld  %-11s  %-12s  %10s  %12s  %8s  %-12s  %s%s\n",
                    static_cast<long long>(run.id), to_string(run.status).c_str(), "", "", "", "",
                    host_of(run).c_str(), describe_run(run.config).one_line().c_str(),
                    progress_text(run).c_str());
      }
    }
  } else {
    throw InputError("--format must be table, csv or json (got '" + format + "')");
  }
}

}  // namespace qn::cli
