#include "train/run_check.h"

#include "common/runtime.h"
#include "data/task_data.h"
#include "train/size_preview.h"

namespace qn {

void check_before_training(const RunConfig& config) {
  validate(config);
  resolve_device(config.device);
  check_data_location(config);
  preview_size(config);
}

}  // namespace qn
