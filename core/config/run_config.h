#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/quant_method.h"
#include "noise/noise_spec.h"
#include "quant/block_layout.h"

namespace qn {

// One run, fully described (docs/config.md, The config contract). Every field has a
// default; a config file gives only what differs. Keys are read strictly (JsonReader).

struct DataConfig {
  std::string dir;                 // image tasks' folder (idx, cifar10...); "" = the default
  std::string path;                // a text file (text-lm, text-classification's training
                                   // table) or the Brown folder; "" = default
  int64_t train_limit = 0;         // keep only the first N training examples; 0 = all
  int64_t eval_limit = 0;          // score on only the first N evaluation examples; 0 = all
  int64_t vocabulary_cap = 10000;  // language-model tasks
  // image-folder: the side its images are resized to. A fixed default (Fashion-MNIST's, the
  // ConvNet's design size) rather than "the first image's": the model's shape, the size
  // preview and the config hash then follow from the config alone. The ConvNet needs a
  // multiple of 4. Other tasks ignore it, and their config hash leaves it out.
  int64_t image_size = 28;
  // image-folder: how its images become tensors (docs/data.md, Streaming images).
  //  "stretch": each image squeezed to image_size a side, the folder decoded into memory
  //    before training (at most cache_mb);
  //  "torchvision": streamed from disk while training, as torchvision's ImageNet recipe:
  //    RandomResizedCrop(image_size) + horizontal flip to train, Resize(resize_side) +
  //    CenterCrop(image_size) to evaluate.
  std::string transform = "stretch";
  int64_t resize_side = 0;              // torchvision: 0 = image_size / 0.875 (256 for 224)
  std::string resampling = "bilinear";  // torchvision: or "bicubic" (EfficientNet's weights)
  // "dataset" (the training split's mean and deviation), "imagenet" (0.485/0.456/0.406,
  // 0.229/0.224/0.225), or "explicit": `mean` and `deviation` (key "std"), 3 numbers each.
  std::string normalize = "dataset";
  std::vector<double> mean;
  std::vector<double> deviation;
  int64_t workers = 0;      // decoder threads; 0 = the cores LibTorch's threads leave, at least 1
  int64_t cache_mb = 4096;  // stretch: the most memory the decoded folder may take
  // A flat val/ folder's labels: a CSV of file,label, Kaggle's LOC_val_solution.csv or one
  // class name a line in file order; "" = found beside val/ (docs/data.md).
  std::string eval_labels;
  // text-classification (docs/data.md, Text classification): the evaluation tables (the
  // first gives the run's metric; each is reported), the columns holding the text (one, or
  // two for a pair) and the label, the labels in index order ([] = the training file's,
  // sorted), the tokenizer's folder or file, and the most tokens an input keeps.
  std::vector<std::string> eval_paths;
  std::vector<std::string> text_columns;
  std::string label_column = "label";
  std::vector<std::string> labels;
  std::string tokenizer;
  int64_t max_tokens = 128;
};

struct ModelConfig {
  // convnet (image tasks), transformer-lm (text tasks), torchscript (a user's module, any
  // task: docs/data.md, "Your own model").
  std::string arch = "convnet";
  // torchscript: the torch.jit.save file; its SHA-256, which pin_model_file records when a
  // run is queued so that a stored run names the very file it trained (a changed or
  // replaced file is refused when the run is evaluated or exported); the input's shape
  // without the batch dimension, for checking the model before any data loads ([] = the
  // task's standard shape).
  std::string path;
  std::string sha256;
  std::vector<int64_t> input;
  // convnet: channels of the stem (the blocks widen to 1.5x and 2.5x) and the width of the
  // fully connected hidden layer.
  int64_t width = 16;
  int64_t hidden = 512;
  // transformer-lm: width, layers, attention heads, feed-forward width, context in tokens.
  int64_t dim = 128;
  int64_t layers = 2;
  int64_t heads = 4;
  int64_t ffn = 512;
  int64_t context = 64;
  bool tied_embeddings = true;
  double dropout = 0.1;
  double layerdrop = 0.0;            // LayerDrop rate in training
  std::vector<int64_t> keep_layers;  // prune to these layers after training; [] = all
};

struct TrainConfig {
  int64_t epochs = 1;
  int64_t max_steps = 0;  // > 0 stops after this many steps, whatever the epochs
  int64_t batch_size = 128;
  double lr = 1e-3;
  uint64_t seed = 0;
  std::string optimizer = "adam";   // adam, sgd (Nesterov momentum 0.9)
  std::string schedule = "cosine";  // cosine, linear, constant (after warmup)
  int64_t warmup_steps = 0;
  double weight_decay = 0.0;
  double clip_grad_norm = 0.0;  // 0 = no clipping
  // What the training forward computes in: fp32, fp16 or bf16 (train/mixed_precision.h).
  std::string precision = "fp32";
  // > 0: the model in training is also evaluated every this many steps, for the metric's
  // curve against step ("float_accuracy"...). It changes no result, so config_hash leaves
  // it out.
  int64_t eval_every = 0;
};

// One quant.layers entry: the layers whose names `pattern` (a regular expression) is found
// in take the settings it gives instead of the section's; the ones it leaves out stay the
// section's. The first entry that matches a layer wins. Method none leaves a layer
// uncompressed like quant.exclude; ipq is allowed only in an iPQ run, where pq and ipq
// both mean "staged with the others".
struct LayerQuantOverride {
  std::string pattern;
  std::optional<QuantMethod> method;
  std::optional<int> bits;
  std::optional<std::string> observer;
  std::optional<BlockSizes> block_size;
  std::optional<int64_t> centroids;
};

struct QuantConfig {
  QuantMethod method = QuantMethod::None;
  int bits = 8;
  std::string observer = "minmax";
  BlockSizes block_size;
  int64_t centroids = 256;
  int centroid_bits = 16;  // 16: fp16 codebooks; 8: int8 (iPQ + int8)
  // Tensors stored as they are (biases, norms; every weight with method none): 32 (fp32)
  // or 16 (fp16). The model is evaluated with the stored values.
  int plain_bits = 32;
  int64_t finetune_steps = 0;
  // iPQ stages, in order: each a regular expression searched in layer names ("\\.ffn\\.").
  // [] = the model's default (ConvNet: by depth; Transformer: feed-forward, embeddings,
  // attention). Layers no pattern matches form a last stage.
  std::vector<std::string> stages;
  // Layers left uncompressed (stored as the other tensors, at plain_bits): regular
  // expressions searched in layer names ("^classifier$").
  std::vector<std::string> exclude;
  // Per-layer settings (LayerQuantOverride); the layer's own config: quant_for_layer.
  std::vector<LayerQuantOverride> layers;
  double distillation = 0.0;  // iPQ fine-tuning: weight of the KL to the fp32 model, 0..1
  bool average_centroid_grads = false;  // a centroid's gradient: mean of its blocks', not sum
  // What PQ's k-means minimises (docs/engine.md, Activation-aware PQ): "weights", the
  // weights' squared error; or "activations", the layer output's, through the second
  // moments of each layer's inputs over calibration_batches training batches.
  std::string pq_objective = "weights";
  int64_t calibration_batches = 16;
  // Training batches (of train.batch_size, forward only) that re-estimate BatchNorm's
  // statistics after compression, in models that have BatchNorm. Fewer make layer
  // sensitivity tables cheaper (each row re-estimates): docs/analysis.md.
  int64_t batchnorm_batches = 100;
};

struct RunConfig {
  std::string task = "fashion-mnist";
  DataConfig data;
  ModelConfig model;
  TrainConfig train;
  QuantConfig quant;
  NoiseSpec noise;
  std::string device = "auto";
};

// The model is the user's TorchScript module (model.path).
bool is_scripted_model(const ModelConfig& model);
// No training: train.epochs and max_steps both 0, the model's own weights compressed as
// they are (post-training; a TorchScript model only).
bool is_compress_only(const TrainConfig& train);

// Text tasks (brown-lm, text-lm, text-classification) read text from data.path; image
// tasks a folder at data.dir.
bool is_text_task(const std::string& task);
// The language-model tasks (brown-lm, text-lm): token windows, perplexity.
bool is_language_model_task(const std::string& task);
// Where the config's task reads its data from: data.path or data.dir ("" = the default).
std::string& data_location(RunConfig& config);
const std::string& data_location(const RunConfig& config);

// Parses a config object onto the defaults and validates it. Unknown keys, wrong types and
// impossible values (a negative rate, bits out of range, an unknown task) are InputErrors
// naming the key.
RunConfig parse_run_config(const nlohmann::json& config);

// parse_run_config without the validation: for a config completed before it is validated
// (a sweep's base, which its grid may complete).
RunConfig read_config_fields(const nlohmann::json& config);

// A config read back from the store: nullopt for one this engine can no longer read
// (written by another version), so that listings show such a run instead of failing.
std::optional<RunConfig> parse_stored_config(const nlohmann::json& config);

// The config's own rules (ranges, names, combinations), for a config built field by field
// (the GUI's setup panel): an InputError naming the first key that breaks one.
void validate(const RunConfig& config);

// The complete config, defaults included: what a run stores and hashes.
nlohmann::json to_json(const RunConfig& config);

// Applies one `--set KEY=VALUE` to a config object: KEY is a dotted path (objects are
// created as needed), VALUE is read as JSON when it parses (3, 0.1, true, [1,2], {"a":1},
// "text") and as a plain string otherwise (--set quant.method=pq).
void apply_override(nlohmann::json& config, const std::string& assignment);

// Sets one field of a parsed config by its dotted key (a sweep's grid axis: "noise.p",
// "quant.block_size.linear"), read as parse_run_config reads it: an unknown key or a value
// of the wrong type is an InputError naming the key. The config is not validated again: a
// caller that sets several keys validates once at the end.
void set_config_value(RunConfig& config, const std::string& key, const nlohmann::json& value);

// Reads a JSON config file; a missing or malformed file is an InputError naming it.
nlohmann::json read_config_file(const std::string& path);

}  // namespace qn
