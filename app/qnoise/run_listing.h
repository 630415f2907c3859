#pragma once

#include <string>
#include <vector>

#include "store/run_store.h"

namespace qn::cli {

// Prints runs as `qnoise runs` and `qnoise pareto` do: "table" (aligned columns), "csv"
// (a header row, then one row a run, the config as JSON) or "json" ({"runs": [...]}, each
// with the keys listed in docs/cli.md, The command line). An unknown format is an
// InputError.
void print_runs(const std::vector<StoredRun>& runs, const std::string& format);

}  // namespace qn::cli
