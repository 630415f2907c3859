// qnoise: the headless command line of QNStudio. Exit codes (docs/cli.md, The
// command line): 0 on success, 2 on bad usage or bad input (one clear message on stderr),
// 1 on other failure.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "commands.h"
#include "common/error.h"
#include "common/runtime.h"

int main(int argc, char** argv) {
  CLI::App app{"qnoise: extreme model compression with Quant-Noise (QNStudio engine)"};
  app.set_version_flag("--version", QNS_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  qn::cli::add_train_command(app, exit_code);
  qn::cli::add_sweep_command(app, exit_code);
  qn::cli::add_worker_command(app, exit_code);
  qn::cli::add_runs_commands(app, exit_code);
  qn::cli::add_export_command(app, exit_code);
  qn::cli::add_eval_command(app, exit_code);
  qn::cli::add_inspect_command(app, exit_code);
  qn::cli::add_sensitivity_command(app, exit_code);
  qn::cli::add_solve_command(app, exit_code);
  qn::cli::add_kmeans_command(app, exit_code);
  qn::cli::add_tokenize_command(app, exit_code);
  qn::cli::add_bench_command(app, exit_code);
  qn::cli::add_check_command(app, exit_code);
  qn::cli::add_demo_command(app, exit_code);

  try {
    qn::init_runtime();
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  } catch (const qn::InputError& error) {
    std::cerr << "qnoise: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "qnoise: " << error.what() << "\n";
    return 1;
  }
  return exit_code;
}
