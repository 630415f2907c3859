#include "train/run_check.h"

#include "common/runtime.h"
#include "data/task_data.h"
#include "train/model_probe.h"
#include "train/task_model.h"

namespace qn {

SizePreview check_before_training(const RunConfig& config) {
  validate(config);
  resolve_device(config.device);
  check_data_location(config);
  if (!is_scripted_model(config.model)) return preview_size(config);
  // A user's model is read, hashed and loaded once, for its probe and its preview.
  const auto nominal = nominal_task(config);
  auto model = make_task_model(config, nominal, torch::kCPU);
  check_model_output(model, probe_batch(config), nominal.classes, config.model.path);
  return preview_size(config, model);
}

}  // namespace qn
