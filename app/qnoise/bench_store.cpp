// `qnoise bench store`: how many of a worker's writes a store commits a second, with N
// clients writing at once, each on its own connection, as N workers do. Each client takes
// queued runs and writes, for each, what a worker writes while it trains (every second a
// batch of curve points and the progress, every two seconds a heartbeat: RecordingObserver,
// Heartbeat), then finishes it with a checkpoint, with no training in between: the figure
// is the store's ceiling, which says how many workers one store can serve.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "commands.h"
#include "common/error.h"
#include "config/run_config.h"
#include "store/database.h"
#include "store/run_store.h"

namespace qn::cli {
namespace {

struct BenchStoreArgs {
  std::string db;
  int clients = 4;
  int runs = 20;          // a client
  int seconds_a_run = 10;  // simulated training seconds a run: the writes they cost
  int64_t checkpoint_bytes = 100 * 1024;
  bool json = false;
};

using Clock = std::chrono::steady_clock;

// Seconds each transaction took, by kind (claim, metrics, progress, heartbeat, finish).
using Latencies = std::map<std::string, std::vector<double>>;

// One worker's writes for `runs` runs, timed transaction by transaction.
Latencies run_client(const BenchStoreArgs& args, int64_t sweep_id) {
  RunStore store(args.db);
  Latencies latencies;
  const auto timed = [&](const char* kind, const auto& write) {
    const auto began = Clock::now();
    write();
    latencies[kind].push_back(std::chrono::duration<double>(Clock::now() - began).count());
  };
  const std::string checkpoint(static_cast<size_t>(args.checkpoint_bytes), 'q');
  for (int taken = 0; taken < args.runs; ++taken) {
    std::optional<StoredRun> run;
    timed("claim", [&] { run = store.claim_next("bench", sweep_id); });
    if (!run) break;
    int64_t step = 0;
    for (int second = 0; second < args.seconds_a_run; ++second) {
      std::vector<MetricPoint> points;
      for (int i = 0; i < 50; ++i, ++step) {  // 50 steps a second: loss, lr, speed
        for (const char* name : {"loss", "lr", "examples_per_second"}) points.push_back({step, name, 1.0});
      }
      timed("metrics", [&] { store.add_metrics(run->id, points); });
      timed("progress", [&] { store.set_progress(run->id, step, step + 1); });
      if (second % 2 == 0) timed("heartbeat", [&] { store.heartbeat(run->id); });
    }
    timed("finish", [&] {
      store.finish(run->id, {"accuracy", 0.5, 0.5, args.checkpoint_bytes, 4 * args.checkpoint_bytes, 4.0, 1.0},
                   checkpoint);
    });
  }
  return latencies;
}

double percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(fraction * static_cast<double>(values.size() - 1))];
}

int run(const BenchStoreArgs& args) {
  RunStore store(args.db);
  const auto sweep_id = store.add_sweep("bench store", nlohmann::json::object());
  const auto config = to_json(RunConfig{});
  for (int i = 0; i < args.clients * args.runs; ++i) {
    auto varied = config;
    varied["train"]["seed"] = i;  // distinct hashes, as a sweep's runs have
    store.add_run(varied, sweep_id);
  }

  std::vector<Latencies> tallies(static_cast<size_t>(args.clients));
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  const auto began = Clock::now();
  {
    std::vector<std::thread> clients;
    for (int client = 0; client < args.clients; ++client) {
      clients.emplace_back([&, client] {
        try {
          tallies[static_cast<size_t>(client)] = run_client(args, sweep_id);
        } catch (const std::exception& error) {
          std::lock_guard lock(errors_mutex);
          errors.push_back(error.what());
        }
      });
    }
    for (auto& client : clients) client.join();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
  if (!errors.empty()) throw RuntimeFailure("a client failed: " + errors.front());

  Latencies by_kind;
  std::vector<double> latencies;
  for (const auto& tally : tallies) {
    for (const auto& [kind, seconds_each] : tally) {
      by_kind[kind].insert(by_kind[kind].end(), seconds_each.begin(), seconds_each.end());
      latencies.insert(latencies.end(), seconds_each.begin(), seconds_each.end());
    }
  }
  const auto transactions = static_cast<int64_t>(latencies.size());
  nlohmann::json median_ms_by_kind;
  for (const auto& [kind, seconds_each] : by_kind) median_ms_by_kind[kind] = 1000 * percentile(seconds_each, 0.5);
  // A training worker writes 2.5 transactions a second (metrics and progress every second,
  // a heartbeat every two) plus a claim and a finish a run.
  constexpr double kWorkerTransactionsPerSecond = 2.5;
  const double per_second = static_cast<double>(transactions) / seconds;
  const nlohmann::json result = {
      {"bench", "store"},
      {"engine", is_postgres_uri(args.db) ? "postgresql" : "sqlite"},
      {"clients", args.clients},
      {"runs", args.clients * args.runs},
      {"transactions", transactions},
      {"seconds", seconds},
      {"transactions_per_second", per_second},
      {"latency_median_ms", 1000 * percentile(latencies, 0.5)},
      {"latency_p99_ms", 1000 * percentile(latencies, 0.99)},
      {"median_ms_by_kind", median_ms_by_kind},
      {"workers_served", per_second / kWorkerTransactionsPerSecond}};
  if (args.json) {
    std::cout << result.dump() << "\n";
  } else {
    std::string kinds;
    for (const auto& [kind, milliseconds] : median_ms_by_kind.items()) {
      kinds += " " + kind + " " + std::to_string(milliseconds.get<double>()).substr(0, 5) + " ms;";
    }
    std::printf(
        "%s, %d clients: %lld transactions in %.1f s = %.0f a second (median %.2f ms, p99 "
        "%.2f ms); at %.1f a training worker, about %.0f workers\n  median by kind:%s\n",
        result["engine"].get<std::string>().c_str(), args.clients,
        static_cast<long long>(transactions), seconds, per_second,
        result["latency_median_ms"].get<double>(), result["latency_p99_ms"].get<double>(),
        kWorkerTransactionsPerSecond, result["workers_served"].get<double>(), kinds.c_str());
  }
  return 0;
}

}  // namespace

void add_bench_store_command(CLI::App& bench, int& exit_code) {
  auto args = std::make_shared<BenchStoreArgs>();
  auto* command = bench.add_subcommand(
      "store", "a store's commits a second under N clients writing as workers do");
  command->add_option("--db", args->db, "the store: a SQLite path or a postgresql:// URI (use a "
                                        "scratch one: the bench adds a sweep of runs)")
      ->required();
  command->add_option("--clients", args->clients, "clients writing at once, each its own connection")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--runs", args->runs, "runs a client")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--seconds-a-run", args->seconds_a_run,
                      "training seconds a run stands for (its writes)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
