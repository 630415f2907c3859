#pragma once

#include "train/task_model.h"
#include "train/trainer.h"

namespace qn {

// Knowledge distillation from a float teacher (the iPQ paper's fine-tuning, which the
// public iPQ code lacked): (1 - weight) * cross-entropy + weight * KL(teacher || student),
// per target, the teacher run in evaluation mode without gradients on the same batch.
LossFunction distillation_loss(TaskModel teacher, double weight);

}  // namespace qn
