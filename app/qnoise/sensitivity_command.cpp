// qnoise sensitivity: how much each layer alone costs the metric under each candidate way
// of storing it (docs/analysis.md, "Layer sensitivity and the size solver").
#include <iostream>
#include <memory>

#include "commands.h"
#include "sensitivity_support.h"

namespace qn::cli {
namespace {

int run(const SensitivityArgs& args) {
  std::optional<RunStore> store;
  const auto config = sensitivity_config(args, store);
  RememberedTrainedModels trained;
  bool reused = false;
  const auto table =
      sensitivity_table(config, args, store ? &*store : nullptr, trained, false, reused);
  if (args.json) {
    std::cout << sensitivity_json(table).dump() << "\n";
  } else {
    print_sensitivity(table);
    if (table.id) {
      std::printf("stored as sensitivity table %lld in %s\n", static_cast<long long>(*table.id),
                  store->database().location().c_str());
    }
  }
  return 0;
}

}  // namespace

void add_sensitivity_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SensitivityArgs>();
  auto* command = app.add_subcommand(
      "sensitivity",
      "train once, then quantize each layer alone with each candidate and measure the metric");
  add_sensitivity_options(*command, *args);
  command->add_option("--run", args->run_id, "measure the config of this stored run (with --db)")
      ->check(CLI::PositiveNumber);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
