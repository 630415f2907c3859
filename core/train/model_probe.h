#pragma once

#include "data/examples.h"
#include "data/task_data.h"
#include "train/task_model.h"

namespace qn {

// Puts `batch` (a few examples) through a user's model in evaluation mode and checks that it
// returns the logits the task needs: one per class for each label, (N, classes), or one per
// vocabulary word for each token, (N, T, vocabulary). `classes` 0: not known yet (a corpus
// not read), only the leading dimensions are checked. A mismatch is an InputError naming the
// model file, the input the task gives and what the model returned; a model that cannot
// take the input at all fails in its forward (ScriptedModel::forward names it).
void check_model_output(TaskModel& model, const Examples& batch, int64_t classes,
                        const std::string& model_file);

// Refuses a text classifier whose largest embedding has fewer rows than the tokenizer has
// ids (data.token_vocabulary) or than the largest id the data holds: the tokenizer is not
// the model's. An InputError naming the tokenizer, the embedding and both sizes.
void check_vocabulary_fits(TaskModel& model, const TaskData& data, const std::string& tokenizer);

// The batch check_model_output takes before any data is loaded: two examples of zeros in
// the task's standard input shape (model.input when given); for text classification, two
// texts of 8 tokens (data/text_inputs.h).
Examples probe_batch(const RunConfig& config);

}  // namespace qn
