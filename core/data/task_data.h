#pragma once

#include <string>
#include <vector>

#include "config/run_config.h"
#include "data/examples.h"
#include "data/text_classification.h"

namespace qn {

// A task's data, ready for the trainer, on the run's device.
struct TaskData {
  Examples train;
  Examples evaluation;          // image tasks: the test set; text tasks: validation
  // text-classification: the evaluation tables after the first (the run's metric is the
  // first's); each is reported under its name.
  std::vector<NamedExamples> further_evaluations;
  std::string evaluation_split;  // "test" or "validation"
  std::string split;             // how the evaluation data was held out, in words
  std::string metric_name;       // "accuracy" or "perplexity"
  // What the model needs to know of the data.
  std::vector<int64_t> image_shape;  // (channels, height, width); image tasks
  int64_t classes = 0;               // classes, or the vocabulary size
  // text-classification: the tokenizer's vocabulary and the largest id the data holds,
  // which the model's embedding must take (check_vocabulary_fits, train/model_probe.h).
  int64_t token_vocabulary = 0;
  int64_t largest_token_id = 0;
  std::vector<std::string> labels;  // text-classification: the name of class i
  std::vector<std::string> words;   // brown-lm, text-lm: the vocabulary, word i is id i
};

// Loads `config.task`'s data: fashion-mnist and idx (IDX folder), cifar10 (binary batches),
// image-folder (class subfolders of PNG and JPEG images, data/image_folder.h), brown-lm
// (the Brown corpus folder), text-lm (a text file, data.path) and text-classification
// (tables and a tokenizer: data/text_classification.h). Images are standardised with the
// training set's mean and deviation; a corpus is cut into windows of model.context tokens.
TaskData load_task_data(const RunConfig& config, const torch::Device& device);

// A language-model task's vocabulary (brown-lm, text-lm), rebuilt from its corpus as
// training builds it: word i is id i. What an export writes beside the model.
std::vector<std::string> language_model_words(const RunConfig& config);

// Where a task's data is when the config does not say: Debian's Fashion-MNIST; the Brown
// corpus that installer/setup.sh fetches ($QNS_DATA_DIR/brown, else the build's data
// folder). Tasks with no default location are an InputError naming the key to set.
std::string default_data_location(const std::string& task);

// The config key under data that says where a task's data is: "path" for the text tasks
// (a corpus folder or file), "dir" for the image tasks. What `qnoise eval --data` and the
// GUI's data field set.
std::string data_location_key(const std::string& task);

// Refuses, before anything is loaded, a data location that does not exist or is not what
// the task reads: a folder (image tasks, brown-lm) or a file (text-lm). The InputError
// names the task, the key to set and the path. The files inside are checked as they load.
void check_data_location(const RunConfig& config);

}  // namespace qn
