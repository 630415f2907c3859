#pragma once

#include <string>
#include <vector>

#include "config/run_config.h"
#include "data/examples.h"

namespace qn {

// An evaluation set and the name it is reported under (its file's name).
struct NamedExamples {
  std::string name;
  Examples examples;
};

// The text-classification task's data (docs/data.md, Text classification).
struct TextClassificationData {
  Examples train;
  std::vector<NamedExamples> evaluations;  // data.eval_paths, in order
  std::vector<std::string> labels;         // label i's name
  int64_t vocabulary = 0;                  // the tokenizer's ids: 0 .. vocabulary - 1
  int64_t largest_id = 0;                  // the largest id any input holds
};

// Reads data.path and data.eval_paths (data/text_table.h) and encodes every text with
// data.tokenizer (data/tokenizer.h), framed as its model family reads it and cut to
// data.max_tokens. Labels are data.labels, else the training file's sorted; an evaluation
// label outside them is an InputError naming the file and line. Encoded tables are kept
// for the process's next run (a sweep's), keyed by the files' paths, sizes and times and
// the settings that change the ids. data.train_limit and data.eval_limit keep the first
// examples of each table.
TextClassificationData load_text_classification(const DataConfig& data);

}  // namespace qn
