#include "train/run_export.h"

#include <filesystem>

#include "common/error.h"
#include "common/sha256.h"
#include "io/checkpoint.h"
#include "io/file_output.h"
#include "io/float_export.h"
#include "io/qnz_reader.h"
#include "train/torchscript_export.h"

namespace qn {

ExportFormat parse_export_format(const std::string& text) {
  if (text == "qnz") return ExportFormat::Qnz;
  if (text == "float") return ExportFormat::Float;
  if (text == "torchscript") return ExportFormat::TorchScript;
  if (text == "torchscript-float") return ExportFormat::TorchScriptFloat;
  throw InputError("export format must be qnz, float, torchscript or torchscript-float, got '" +
                   text + "'");
}

std::string to_string(ExportFormat format) {
  switch (format) {
    case ExportFormat::Qnz:
      return "qnz";
    case ExportFormat::Float:
      return "float";
    case ExportFormat::TorchScript:
      return "torchscript";
    case ExportFormat::TorchScriptFloat:
      return "torchscript-float";
  }
  return "qnz";
}

namespace {

std::string scripted_module(const QnzFile& checkpoint, ExportFormat format,
                            const ModelFileSearch& model_file) {
  auto config = parse_run_config(checkpoint.config);
  locate_model_file(config, model_file);
  return format == ExportFormat::TorchScript
             ? compact_torchscript_bytes(config, checkpoint)
             : float_torchscript_bytes(config, decode_checkpoint(checkpoint));
}

}  // namespace

ExportedFile export_checkpoint(const QnzFile& checkpoint, const std::string& path,
                               ExportFormat format, const ModelFileSearch& model_file) {
  std::string bytes;
  if (format == ExportFormat::Qnz) {
    bytes = checkpoint.bytes;
  } else if (format == ExportFormat::Float) {
    const auto state = float_state_dict(decode_checkpoint(checkpoint));
    bytes.assign(state.begin(), state.end());
  } else {
    bytes = scripted_module(checkpoint, format, model_file);
  }
  write_file_atomically(path, bytes);
  return {std::filesystem::absolute(path).lexically_normal().string(), format,
          static_cast<int64_t>(bytes.size()), sha256_hex(bytes), export_vocabulary(checkpoint, path)};
}

void record_export(RunStore& store, int64_t run_id, const ExportedFile& file) {
  store.add_artifact({run_id, file.path, to_string(file.format), file.bytes, file.sha256});
  if (file.vocabulary && !file.vocabulary->path.empty()) {
    const auto& vocabulary = *file.vocabulary;
    store.add_artifact({run_id, vocabulary.path, "vocabulary",
                        static_cast<int64_t>(std::filesystem::file_size(vocabulary.path)), vocabulary.sha256});
  }
}

QnzFile stored_checkpoint(RunStore& store, int64_t run_id) {
  const auto run = store.run(run_id);
  const std::string name = "run " + std::to_string(run_id);
  if (!run) throw InputError("there is no " + name + " in '" + store.database().location() + "'");
  if (run->status != RunStatus::Done) {
    throw InputError(name + " is " + to_string(run->status) +
                     ": only a done run has a compressed model to export");
  }
  auto bytes = store.checkpoint(run_id);
  if (!bytes) {
    throw InputError(name + " kept no checkpoint (it finished before QNStudio stored them); "
                     "run its config again to export it");
  }
  try {
    return parse_qnz(std::move(*bytes));
  } catch (const InputError& error) {
    throw InputError("the stored checkpoint of " + name + " is " + error.what());
  }
}

ExportedFile export_run(RunStore& store, int64_t run_id, const std::string& path,
                        ExportFormat format, const ModelFileSearch& model_file) {
  const auto exported =
      export_checkpoint(stored_checkpoint(store, run_id), path, format, model_file);
  record_export(store, run_id, exported);
  return exported;
}

}  // namespace qn
