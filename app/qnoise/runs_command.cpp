// `qnoise runs` and `qnoise pareto`: the store's runs, all or those on the front.
#include "commands.h"
#include "run_listing.h"
#include "store/pareto.h"
#include "store/run_store.h"
#include "sweep/run_queue.h"

namespace qn::cli {
namespace {

struct ListArgs {
  std::string db;
  std::string format = "table";
};

// The done runs of one metric on the accuracy-vs-size front (per metric: perplexity is
// better lower), smallest first; metrics never mix on one front.
std::vector<StoredRun> pareto_runs(const std::vector<StoredRun>& runs) {
  std::vector<StoredRun> front;
  for (const std::string metric : {"accuracy", "perplexity"}) {
    std::vector<const StoredRun*> candidates;
    std::vector<ParetoPoint> points;
    for (const auto& run : runs) {
      if (run.status != RunStatus::Done || !run.result || run.result->metric_name != metric) continue;
      candidates.push_back(&run);
      points.push_back({run.result->size_bytes, run.result->metric});
    }
    for (const size_t index : pareto_front(points, /*lower_is_better=*/metric == "perplexity")) {
      front.push_back(*candidates[index]);
    }
  }
  return front;
}

void add_list_command(CLI::App& app, int& exit_code, const char* name, const char* help,
                      bool pareto) {
  auto args = std::make_shared<ListArgs>();
  auto* command = app.add_subcommand(name, help);
  command->add_option("--db", args->db, "the store (default: " + std::string("$XDG_DATA_HOME/qnstudio/studio.sqlite)"));
  command->add_option("--format", args->format, "table, csv or json")->capture_default_str();
  command->callback([args, pareto, &exit_code] {
    RunStore store(args->db.empty() ? default_database_path() : args->db);
    store.mark_interrupted(kStaleHeartbeatSeconds);
    const auto runs = store.runs();
    print_runs(pareto ? pareto_runs(runs) : runs, args->format);
    exit_code = 0;
  });
}

}  // namespace

void add_runs_commands(CLI::App& app, int& exit_code) {
  add_list_command(app, exit_code, "runs", "list the runs of a store", false);
  add_list_command(app, exit_code, "pareto",
                   "the done runs on the accuracy (or perplexity) vs size Pareto front", true);
}

}  // namespace qn::cli
