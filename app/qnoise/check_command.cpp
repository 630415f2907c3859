#include <iostream>

#include "check/self_check.h"
#include "commands.h"
#include "common/runtime.h"

namespace qn::cli {
namespace {

int run(const std::string& device_name) {
  const auto device = resolve_device(device_name);
  std::cout << "qnoise check on " << describe_device(device)
            << (device.is_cuda() ? " (CUDA against CPU references)" : " (against slow references)")
            << "\n";
  int failures = 0;
  for (const auto& result : run_self_checks(device)) {
    std::cout << (result.passed ? "PASS  " : "FAIL  ") << result.name << ": " << result.detail
              << "\n";
    failures += result.passed ? 0 : 1;
  }
  std::cout << (failures == 0 ? "all checks passed" : std::to_string(failures) + " check(s) failed")
            << "\n";
  return failures == 0 ? 0 : 1;
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto device = std::make_shared<std::string>("auto");
  auto* command = app.add_subcommand("check", "numeric self-checks of the core kernels");
  command->add_option("--device", *device, "auto, cpu or cuda")->capture_default_str();
  command->callback([device, &exit_code] { exit_code = run(*device); });
}

}  // namespace qn::cli
