#include "train/distillation.h"

namespace qn {

LossFunction distillation_loss(TaskModel teacher, double weight) {
  teacher.module->eval();
  return [teacher, weight](const torch::Tensor& logits, const Examples& batch) {
    torch::Tensor teacher_log_probs;
    {
      torch::NoGradGuard no_grad;
      teacher_log_probs = torch::log_softmax(teacher.forward(batch.inputs), -1);
    }
    const auto log_probs = torch::log_softmax(logits, -1);
    const auto kl = (teacher_log_probs.exp() * (teacher_log_probs - log_probs))
                        .sum(-1)
                        .mean();
    return (1 - weight) * cross_entropy(logits, batch.targets) + weight * kl;
  };
}

}  // namespace qn
