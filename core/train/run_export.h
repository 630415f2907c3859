#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "io/qnz_format.h"
#include "store/run_store.h"
#include "train/vocabulary_export.h"
#include "train/task_model.h"

namespace qn {

// .qnz: the compressed checkpoint, as stored. float: the decompressed state dict for
// PyTorch (float_export.h). torchscript: a module torch.jit.load runs, holding the codes
// and decoding them in each forward (about the .qnz's size); torchscript-float: the same
// module with the decoded fp32 values (train/torchscript_export.h).
enum class ExportFormat { Qnz, Float, TorchScript, TorchScriptFloat };
// "qnz", "float", "torchscript", "torchscript-float"
ExportFormat parse_export_format(const std::string& text);
std::string to_string(ExportFormat format);

struct ExportedFile {
  std::string path;  // absolute
  ExportFormat format = ExportFormat::Qnz;
  int64_t bytes = 0;
  std::string sha256;
  std::optional<VocabularyExport> vocabulary;  // a language model's, beside the file
};

// Writes a read checkpoint to `path` in `format` (atomically), and a language model's
// vocabulary beside it (train/vocabulary_export.h). TorchScript of a torchscript model needs
// the model's file, found by `model_file` (locate_model_file).
ExportedFile export_checkpoint(const QnzFile& checkpoint, const std::string& path,
                               ExportFormat format, const ModelFileSearch& model_file = {});

// Records an exported file (and the vocabulary written beside it) in the store's artifacts
// table.
void record_export(RunStore& store, int64_t run_id, const ExportedFile& file);

// The checkpoint a done run stored, checked by the reader. An InputError names the run if
// it does not exist, is not done, or kept no checkpoint (runs done before schema 3).
QnzFile stored_checkpoint(RunStore& store, int64_t run_id);

// stored_checkpoint, export_checkpoint and record_export in one: what `qnoise export
// --run` and the GUI's export do.
ExportedFile export_run(RunStore& store, int64_t run_id, const std::string& path,
                        ExportFormat format, const ModelFileSearch& model_file = {});

}  // namespace qn
