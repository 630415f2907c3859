#include "train/torchscript_export.h"

#include <sstream>

#include "common/error.h"
#include "nn/scripted_model.h"
#include "train/compressed_model_loader.h"

namespace qn {

std::string torchscript_module_bytes(const RunConfig& config, const CompressedModel& compressed) {
  if (!is_scripted_model(config.model)) {
    throw InputError("only a torchscript model exports as TorchScript; this checkpoint holds a " +
                     config.model.arch + " (export it with --format float)");
  }
  // A TorchScript module carries its own shapes: it is built without the task's data.
  const auto model = load_compressed_model(config, TaskData{}, compressed, torch::kCPU);
  auto& scripted = dynamic_cast<ScriptedModelImpl&>(*model.module);
  std::ostringstream bytes;
  scripted.script().save(bytes);
  return bytes.str();
}

}  // namespace qn
