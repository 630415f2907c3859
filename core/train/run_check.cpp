#include "train/run_check.h"

#include "common/runtime.h"
#include "data/task_data.h"

namespace qn {

SizePreview check_before_training(const RunConfig& config) {
  validate(config);
  resolve_device(config.device);
  check_data_location(config);
  return preview_size(config);
}

}  // namespace qn
