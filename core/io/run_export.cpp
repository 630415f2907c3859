#include "io/run_export.h"

#include <filesystem>

#include "common/error.h"
#include "common/sha256.h"
#include "io/checkpoint.h"
#include "io/file_output.h"
#include "io/float_export.h"
#include "io/qnz_reader.h"

namespace qn {

ExportFormat parse_export_format(const std::string& text) {
  if (text == "qnz") return ExportFormat::Qnz;
  if (text == "float") return ExportFormat::Float;
  throw InputError("export format must be qnz or float, got '" + text + "'");
}

std::string to_string(ExportFormat format) {
  return format == ExportFormat::Qnz ? "qnz" : "float";
}

ExportedFile export_checkpoint(const QnzFile& checkpoint, const std::string& path,
                               ExportFormat format) {
  std::string bytes;
  if (format == ExportFormat::Qnz) {
    bytes = checkpoint.bytes;
  } else {
    const auto state = float_state_dict(decode_checkpoint(checkpoint));
    bytes.assign(state.begin(), state.end());
  }
  write_file_atomically(path, bytes);
  return {std::filesystem::absolute(path).lexically_normal().string(), format,
          static_cast<int64_t>(bytes.size()), sha256_hex(bytes)};
}

void record_export(RunStore& store, int64_t run_id, const ExportedFile& file) {
  store.add_artifact({run_id, file.path, to_string(file.format), file.bytes, file.sha256});
}

QnzFile stored_checkpoint(RunStore& store, int64_t run_id) {
  const auto run = store.run(run_id);
  const std::string name = "run " + std::to_string(run_id);
  if (!run) throw InputError("there is no " + name + " in '" + store.database().path() + "'");
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
                        ExportFormat format) {
  const auto exported = export_checkpoint(stored_checkpoint(store, run_id), path, format);
  record_export(store, run_id, exported);
  return exported;
}

}  // namespace qn
