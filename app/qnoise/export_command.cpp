// `qnoise export`: a done run's compressed model (or a .qnz file) to a .qnz file, a
// decompressed float state dict for PyTorch, or a TorchScript module: compact (holding the
// codes) or decoded (docs/export.md).
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "io/qnz_reader.h"
#include "train/run_export.h"
#include "store/run_store.h"

namespace qn::cli {
namespace {

struct ExportArgs {
  int64_t run_id = 0;
  std::string from;
  std::string db;
  std::string output;
  std::string format = "qnz";
  std::string model;
  bool json = false;
};

int run(const ExportArgs& args) {
  const auto format = parse_export_format(args.format);
  ExportedFile exported;
  std::optional<int64_t> run_id;
  if (args.from.empty()) {
    RunStore store(args.db.empty() ? default_database_path() : args.db);
    exported = export_run(store, args.run_id, args.output, format, {args.model, ""});
    run_id = args.run_id;
  } else {
    const ModelFileSearch model_file{args.model,
                                     std::filesystem::path(args.from).parent_path().string()};
    exported = export_checkpoint(read_qnz_file(args.from), args.output, format, model_file);
  }
  const auto& vocabulary = exported.vocabulary;
  if (args.json) {
    nlohmann::json output = {{"run_id", run_id ? nlohmann::json(*run_id) : nullptr},
                             {"path", exported.path},
                             {"format", to_string(exported.format)},
                             {"file_bytes", exported.bytes},
                             {"sha256", exported.sha256}};
    if (vocabulary) {
      output["vocabulary"] = {{"path", vocabulary->path.empty() ? nlohmann::json(nullptr) : nlohmann::json(vocabulary->path)},
                              {"words", vocabulary->words},
                              {"sha256", vocabulary->sha256},
                              {"verified", vocabulary->verified},
                              {"problem", vocabulary->problem}};
    }
    std::cout << output.dump() << "\n";
  } else {
    std::cout << "wrote " << exported.path << " (" << to_string(exported.format) << ", "
              << exported.bytes << " bytes, sha256 " << exported.sha256 << ")\n";
    if (vocabulary && !vocabulary->path.empty()) {
      std::cout << "wrote " << vocabulary->path << " (" << vocabulary->words << " words, line i is id i; "
                << (vocabulary->verified ? "the run's vocabulary, by its SHA-256" : "not checked: the run recorded no vocabulary hash")
                << ")\n";
    }
  }
  if (vocabulary && vocabulary->path.empty()) {
    std::cerr << "qnoise: the vocabulary was not written beside the model: " << vocabulary->problem << "\n";
  }
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ExportArgs>();
  auto* command = app.add_subcommand(
      "export", "write a done run's compressed model as .qnz, or decompressed for PyTorch");
  auto* run_option = command->add_option("--run", args->run_id, "the run's id in the store");
  auto* from_option =
      command->add_option("--from", args->from, "convert this .qnz file instead of a run");
  run_option->excludes(from_option);
  command->add_option("--db", args->db, "the store (default: $XDG_DATA_HOME/qnstudio/studio.sqlite)")
      ->excludes(from_option);
  command->add_option("-o,--output", args->output, "the file to write")->required();
  command
      ->add_option("--format", args->format,
                   "qnz (compressed checkpoint), float (a state dict torch.load reads), "
                   "torchscript (a module torch.jit.load runs, holding the codes: about the "
                   ".qnz's size) or torchscript-float (the same module with decoded fp32 "
                   "weights: the uncompressed size)")
      ->capture_default_str();
  command->add_option("--model", args->model,
                      "torchscript: the model's .pt file (default: the path the run recorded, "
                      "else that file name beside the .qnz; its SHA-256 must match)");
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->callback([args, run_option, from_option, &exit_code] {
    if (run_option->count() + from_option->count() != 1) {
      throw CLI::ValidationError("export", "give --run ID or --from FILE.qnz");
    }
    exit_code = run(*args);
  });
}

}  // namespace qn::cli
