#include "commands.h"
#include "kmeans_job.h"
#include "matrix_file.h"

namespace qn::cli {
namespace {

struct KMeansArgs {
  std::string input;
  std::string shape;
  KMeansJob job;
};

int run(KMeansArgs& args) {
  const auto [rows, cols] = parse_matrix_shape(args.shape);
  args.job.matrix = read_f32_matrix(args.input, rows, cols);
  print_kmeans_result(args.job, run_kmeans_job(args.job));
  return 0;
}

}  // namespace

void add_kmeans_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<KMeansArgs>();
  auto* command = app.add_subcommand(
      "kmeans", "k-means over the blocks of a float32 matrix split as a Linear weight");
  command->add_option("--input", args->input, "raw little-endian float32 matrix, row-major")
      ->required();
  command->add_option("--shape", args->shape, "ROWSxCOLS, e.g. 4096x1024")->required();
  add_kmeans_job_options(*command, args->job, /*required=*/true);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
