#pragma once

#include <CLI/CLI.hpp>

namespace qn::cli {

// Each registers one subcommand of the CLI contract (docs/cli.md, The command
// line). A command's callback stores its exit status in `exit_code`; errors are thrown as
// qn::Error.
void add_kmeans_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_tokenize_command(CLI::App& app, int& exit_code);
void add_bench_noise_command(CLI::App& bench, int& exit_code);  // under `bench`
void add_bench_train_command(CLI::App& bench, int& exit_code);  // under `bench`
void add_bench_memory_command(CLI::App& bench, int& exit_code);  // under `bench`
void add_bench_cancel_command(CLI::App& bench, int& exit_code);  // under `bench`
void add_bench_store_command(CLI::App& bench, int& exit_code);  // under `bench`
void add_bench_loader_command(CLI::App& bench, int& exit_code);  // under `bench`
void add_bench_infer_command(CLI::App& bench, int& exit_code);   // under `bench`
void add_check_command(CLI::App& app, int& exit_code);
void add_demo_command(CLI::App& app, int& exit_code);
void add_train_command(CLI::App& app, int& exit_code);
void add_sweep_command(CLI::App& app, int& exit_code);
void add_worker_command(CLI::App& app, int& exit_code);
void add_runs_commands(CLI::App& app, int& exit_code);  // runs and pareto
void add_export_command(CLI::App& app, int& exit_code);
void add_eval_command(CLI::App& app, int& exit_code);
void add_inspect_command(CLI::App& app, int& exit_code);
void add_sensitivity_command(CLI::App& app, int& exit_code);
void add_solve_command(CLI::App& app, int& exit_code);

}  // namespace qn::cli
