#pragma once

#include <string>
#include <vector>

namespace qn::cli {

// `qnoise inspect --config PATH [--set K=V]... [--json]`: the layers, storage and bytes the
// config would give, and its iPQ stages, from the model's shapes alone (no data, no run).
int inspect_config(const std::string& path, const std::vector<std::string>& overrides, bool json_output);

}  // namespace qn::cli
