// The config contract (docs/config.md, The config contract): defaults, strict keys,
// --set overrides.
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "config/layer_quant.h"
#include "config/run_config.h"
#include "config/config_fingerprints.h"
#include "store/run_store.h"
#include "test_support.h"

using namespace qn;
using nlohmann::json;

class TestRunConfig : public QObject {
  Q_OBJECT

 private:
  static bool rejects(const json& config, std::initializer_list<std::string> parts) {
    return qn::test::throws_input_error([&] { parse_run_config(config); }, parts);
  }

 private Q_SLOTS:
  void an_empty_config_is_all_defaults() {
    const auto config = parse_run_config(json::object());
    QCOMPARE(config.task, std::string("fashion-mnist"));
    QVERIFY(config.quant.method == QuantMethod::None);
    QCOMPARE(config.quant.block_size.conv, int64_t{9});
    QCOMPARE(config.noise.mode, NoiseMode::None);
  }

  void the_full_form_round_trips() {
    const auto config = parse_run_config(json::parse(R"({
      "task": "fashion-mnist", "data": {"train_limit": 500},
      "train": {"epochs": 2, "lr": 0.01, "seed": 7, "optimizer": "sgd"},
      "quant": {"method": "pq", "block_size": {"linear": 16, "conv": 18}, "centroids": 64},
      "noise": {"mode": "quant-noise", "p": 0.1, "form": "exact"}})"));
    QCOMPARE(config.data.train_limit, int64_t{500});
    QCOMPARE(config.train.optimizer, std::string("sgd"));
    QCOMPARE(config.quant.block_size.linear, int64_t{16});
    QCOMPARE(config.quant.block_size.conv1x1, int64_t{4});  // default kept
    QCOMPARE(config.noise.p, 0.1);
    const auto full = to_json(config);
    QCOMPARE(to_json(parse_run_config(full)), full);
    QCOMPARE(full["quant"]["block_size"]["conv"].get<int64_t>(), int64_t{18});
  }

  void a_number_block_size_applies_to_every_kind() {
    const auto config = parse_run_config({{"quant", {{"method", "pq"}, {"block_size", 4}}}});
    QCOMPARE(config.quant.block_size.describe(), std::string("b=4"));
  }

  // The pattern the GUI's layer menu and the solver write for one layer matches it alone.
  void an_exact_layer_pattern_matches_that_layer_only() {
    QCOMPARE(exact_layer_pattern("blocks.0.project"), std::string("^blocks\\.0\\.project$"));
    QuantConfig quant;
    quant.layers = {LayerQuantOverride{exact_layer_pattern("blocks.0.project")}};
    QVERIFY(matching_layer_override(quant, "blocks.0.project"));
    QVERIFY(!matching_layer_override(quant, "blocksX0.project"));
    QVERIFY(!matching_layer_override(quant, "blocks.0.project.weight"));
    quant.layers = {LayerQuantOverride{exact_layer_pattern("a+b(c)")}};
    QVERIFY(matching_layer_override(quant, "a+b(c)"));
  }

  void per_layer_settings_are_read_strictly_and_first_match_wins() {
    const auto config = parse_run_config(json::parse(R"({
      "quant": {"method": "pq", "centroids": 256, "layers": [
        {"pattern": "^stem$|depthwise", "method": "int", "bits": 8},
        {"pattern": "^classifier$", "centroids": 16, "block_size": 4},
        {"pattern": "blocks", "method": "none"}]}})"));
    QCOMPARE(config.quant.layers.size(), size_t{3});
    const auto stem = quant_for_layer(config.quant, "stem");
    QVERIFY(stem.method == QuantMethod::Int);
    QCOMPARE(stem.bits, 8);
    // blocks.0.depthwise matches the first entry and the third: the first wins.
    QVERIFY(quant_for_layer(config.quant, "blocks.0.depthwise").method == QuantMethod::Int);
    QVERIFY(quant_for_layer(config.quant, "blocks.0.project").method == QuantMethod::None);
    const auto classifier = quant_for_layer(config.quant, "classifier");
    QVERIFY(classifier.method == QuantMethod::PQ);  // what the entry does not set stays
    QCOMPARE(classifier.centroids, int64_t{16});
    QCOMPARE(classifier.block_size.linear, int64_t{4});
    QCOMPARE(quant_for_layer(config.quant, "hidden").centroids, int64_t{256});
    QVERIFY(!matching_layer_override(config.quant, "hidden").has_value());
    // The complete config writes only what each entry sets, and reads back the same.
    const auto full = to_json(config);
    QCOMPARE(full["quant"]["layers"][0], json::parse(R"({"pattern": "^stem$|depthwise", "method": "int", "bits": 8})"));
    QCOMPARE(to_json(parse_run_config(full)), full);

    const auto with_layers = [](json layers) {
      return json{{"quant", {{"method", "int"}, {"layers", std::move(layers)}}}};
    };
    QVERIFY(rejects(with_layers({{{"pattern", "x"}, {"bitz", 4}}}), {"unknown key 'quant.layers[0].bitz'"}));
    QVERIFY(rejects(with_layers({{{"bits", 4}}}), {"quant.layers[0]", "needs a 'pattern'"}));
    QVERIFY(rejects(with_layers({{{"pattern", "a"}}, {{"pattern", "b"}, {"bits", 9}}}),
                    {"quant.layers[1].bits", "2 to 8"}));
    QVERIFY(rejects(with_layers({{{"pattern", "("}}}), {"quant.layers[0].pattern", "not a regular expression"}));
    QVERIFY(rejects(with_layers({{{"pattern", "a"}, {"observer", "median"}}}), {"quant.layers[0].observer"}));
    QVERIFY(rejects(with_layers({{{"pattern", "a"}, {"method", "ipq"}}}),
                    {"quant.layers[0].method", "only when quant.method is ipq"}));
    QVERIFY(rejects(with_layers({{{"pattern", "a"}, {"block_size", 0}}}), {"quant.layers[0].block_size"}));
    QVERIFY(rejects(with_layers(json::object()), {"quant.layers", "list"}));
    QVERIFY(rejects(with_layers({7}), {"quant.layers[0]", "must be an object"}));
  }

  // BatchNorm re-estimation after compression: 100 batches unless set; a post-training
  // choice (the trained model is shared) left out of the hash at its default, so that runs
  // stored before the key existed keep theirs.
  void batchnorm_batches_is_post_training_and_keeps_old_hashes() {
    QCOMPARE(parse_run_config(json::object()).quant.batchnorm_batches, int64_t{100});
    const auto defaults = to_json(parse_run_config({{"quant", {{"method", "int"}}}}));
    auto fewer = defaults;
    fewer["quant"]["batchnorm_batches"] = 10;
    QCOMPARE(parse_run_config(fewer).quant.batchnorm_batches, int64_t{10});
    QCOMPARE(training_key(fewer), training_key(defaults));
    QVERIFY(config_hash(fewer) != config_hash(defaults));
    auto old = defaults;
    old["quant"].erase("batchnorm_batches");
    QCOMPARE(config_hash(old), config_hash(defaults));
  }

  void unknown_keys_are_errors_naming_the_key() {
    QVERIFY(rejects({{"tsk", "idx"}}, {"unknown key 'tsk'"}));
    QVERIFY(rejects({{"train", {{"lrate", 0.1}}}}, {"unknown key 'train.lrate'"}));
    QVERIFY(rejects({{"quant", {{"block_size", {{"lin", 8}}}}}},
                    {"unknown key 'quant.block_size.lin'"}));
  }

  void wrong_types_are_errors_naming_the_key() {
    QVERIFY(rejects({{"train", {{"lr", "fast"}}}}, {"'train.lr'", "a number"}));
    QVERIFY(rejects({{"train", {{"epochs", 1.5}}}}, {"'train.epochs'", "an integer"}));
    QVERIFY(rejects({{"train", 3}}, {"'train'", "an object"}));
    QVERIFY(rejects({{"quant", {{"block_size", "big"}}}}, {"quant.block_size"}));
    QVERIFY(rejects(json::array(), {"JSON object"}));
    QCOMPARE(parse_run_config({{"train", {{"epochs", 3.0}}}}).train.epochs, int64_t{3});
  }

  // A sweep's grid keys reach the parsed config through the fields' own readers.
  void dotted_keys_set_fields_as_parsing_reads_them() {
    RunConfig config;
    set_config_value(config, "noise.p", 0.25);
    set_config_value(config, "quant.block_size.linear", 4);
    set_config_value(config, "quant.method", "ipq");
    set_config_value(config, "task", "brown-lm");
    QCOMPARE(config.noise.p, 0.25);
    QCOMPARE(config.quant.block_size.linear, int64_t{4});
    QCOMPARE(config.quant.block_size.conv, RunConfig{}.quant.block_size.conv);  // the rest kept
    QVERIFY(config.quant.method == QuantMethod::IPQ);
    QCOMPARE(config.task, std::string("brown-lm"));
    // A whole object reads as parsing reads it: the kinds it leaves out take their defaults.
    set_config_value(config, "quant.block_size", 5);
    set_config_value(config, "quant.block_size", json{{"linear", 8}});
    QCOMPARE(config.quant.block_size.linear, int64_t{8});
    QCOMPARE(config.quant.block_size.conv, BlockSizes{}.conv);
    QCOMPARE(config.quant.block_size.conv1x1, BlockSizes{}.conv1x1);
    const auto error_of = [&](const std::string& key, const json& value) -> std::string {
      try {
        set_config_value(config, key, value);
      } catch (const InputError& error) {
        return error.what();
      }
      return "no error";
    };
    const auto says = [&](const std::string& key, const json& value, const std::string& part) {
      const auto error = error_of(key, value);
      return error.find(part) != std::string::npos || (qWarning("%s", error.c_str()), false);
    };
    QVERIFY(says("noise.rate", 0.1, "no config key 'noise.rate'"));
    QVERIFY(says("quant.block_size.lin", 8, "unknown key 'quant.block_size.lin'"));
    QVERIFY(says("train.lr", "fast", "'train.lr'"));
    QVERIFY(says("quant.method", "int9", "int9"));
    QVERIFY(says("quant", json::object(), "no config key 'quant'"));
  }

  void impossible_values_are_errors() {
    QVERIFY(rejects({{"task", "imagenet"}}, {"'task'", "imagenet", "fashion-mnist"}));
    QVERIFY(rejects({{"quant", {{"method", "int"}, {"bits", 9}}}}, {"quant.bits"}));
    QVERIFY(rejects({{"quant", {{"method", "pq"}, {"block_size", 0}}}}, {"quant.block_size"}));
    QVERIFY(
        rejects({{"quant", {{"method", "int"}}}, {"noise", {{"mode", "quant-noise"}, {"p", 1.5}}}},
                {"noise.p"}));
    QVERIFY(rejects({{"noise", {{"mode", "ste"}}}}, {"noise.mode", "quant.method is none"}));
    QVERIFY(
        rejects({{"quant", {{"method", "pq"}}}, {"noise", {{"mode", "ste"}}}}, {"proxy", "p < 1"}));
    QVERIFY(rejects({{"train", {{"batch_size", 0}}}}, {"train.batch_size"}));
    QVERIFY(rejects({{"data", {{"eval_limit", -1}}}}, {"data.eval_limit"}));
    QVERIFY(rejects({{"quant", {{"batchnorm_batches", 0}}}}, {"quant.batchnorm_batches", "at least 1"}));
    QVERIFY(rejects({{"train", {{"epochs", 0}}}}, {"must not both be 0"}));
    QVERIFY(rejects({{"quant", {{"centroid_bits", 4}}}}, {"quant.centroid_bits"}));
    // STE on an int quantizer has no blocks: the (default) proxy form does not apply.
    parse_run_config({{"quant", {{"method", "int"}}}, {"noise", {{"mode", "ste"}}}});
  }

  void language_model_keys_are_read_and_checked() {
    const auto config = parse_run_config(json::parse(R"({
      "task": "brown-lm",
      "model": {"arch": "transformer-lm", "dim": 64, "layers": 4, "heads": 8,
                "keep_layers": [0, 2], "layerdrop": 0.2, "tied_embeddings": false},
      "quant": {"method": "ipq", "stages": ["ffn", "attention"], "distillation": 0.5,
                "average_centroid_grads": true}})"));
    QCOMPARE(config.model.keep_layers, (std::vector<int64_t>{0, 2}));
    QCOMPARE(config.quant.stages, (std::vector<std::string>{"ffn", "attention"}));
    QCOMPARE(to_json(parse_run_config(to_json(config))), to_json(config));

    const json lm = {{"task", "brown-lm"}, {"model", {{"arch", "transformer-lm"}}}};
    auto with = [&](const json& patch) {
      auto config = lm;
      config.merge_patch(patch);
      return config;
    };
    QVERIFY(rejects({{"task", "brown-lm"}}, {"'model.arch'", "convnet", "transformer-lm"}));
    QVERIFY(rejects({{"model", {{"arch", "transformer-lm"}}}}, {"fashion-mnist"}));
    QVERIFY(rejects(with({{"model", {{"dim", 100}, {"heads", 3}}}}), {"model.dim", "heads"}));
    QVERIFY(rejects(with({{"model", {{"keep_layers", {1, 0}}}}}), {"model.keep_layers"}));
    QVERIFY(rejects(with({{"model", {{"keep_layers", {0, 2}}}}}), {"model.keep_layers"}));
    QVERIFY(rejects(with({{"model", {{"keep_layers", "0,1"}}}}), {"list of integers"}));
    QVERIFY(rejects(with({{"model", {{"layerdrop", 1.0}}}}), {"model.layerdrop"}));
    QVERIFY(rejects(with({{"quant", {{"stages", {"(ffn"}}}}}), {"quant.stages", "(ffn"}));
    QVERIFY(rejects(with({{"quant", {{"distillation", 2}}}}), {"quant.distillation"}));
  }

  void image_folder_reads_its_folder_and_image_size() {
    const auto config = parse_run_config(
        {{"task", "image-folder"}, {"data", {{"dir", "/photos"}, {"image_size", 32}}}});
    QCOMPARE(config.data.dir, std::string("/photos"));
    QCOMPARE(config.data.image_size, int64_t{32});
    QCOMPARE(to_json(config)["data"]["image_size"].get<int64_t>(), int64_t{32});
    QCOMPARE(parse_run_config({{"task", "image-folder"}}).data.image_size, int64_t{28});
    QVERIFY(rejects({{"task", "image-folder"}, {"data", {{"image_size", -8}}}},
                    {"'data.image_size'", "positive"}));
    QVERIFY(rejects({{"task", "image-folder"}, {"data", {{"image_size", 30}}}},
                    {"'data.image_size'", "multiple of 4", "convnet"}));
    QVERIFY(rejects({{"task", "image-folder"}, {"model", {{"arch", "transformer-lm"}}}},
                    {"'model.arch'", "image-folder"}));
  }

  // The streamed images' keys: read, checked, and out of the hash at their defaults.
  void image_transform_keys_are_read_and_checked() {
    const json streamed = {{"task", "image-folder"},
                           {"data", {{"image_size", 224}, {"transform", "torchvision"}, {"resize_side", 256},
                                     {"resampling", "bicubic"}, {"normalize", "explicit"},
                                     {"mean", {0.5, 0.5, 0.5}}, {"std", {0.25, 0.25, 0.25}}, {"workers", 3}}}};
    const auto config = parse_run_config(streamed);
    QCOMPARE(config.data.transform, std::string("torchvision"));
    QCOMPARE(config.data.deviation, (std::vector<double>{0.25, 0.25, 0.25}));
    QCOMPARE(parse_run_config(to_json(config)).data.mean, config.data.mean);  // round trip
    const auto with = [&](const char* key, const json& value) {
      auto changed = streamed;
      changed["data"][key] = value;
      return changed;
    };
    QVERIFY(rejects(with("transform", "crop"), {"'data.transform'", "stretch, torchvision"}));
    QVERIFY(rejects(with("resampling", "lanczos"), {"'data.resampling'"}));
    QVERIFY(rejects(with("mean", {0.5, 0.5}), {"data.mean/data.std", "3 numbers"}));
    QVERIFY(rejects(with("std", {0.25, 0.0, 0.25}), {"'data.std'", "positive"}));
    QVERIFY(rejects(with("resize_side", 200), {"'data.resize_side'", "at least data.image_size"}));
    QVERIFY(rejects(with("workers", -1), {"'data.workers'"}));
    QVERIFY(rejects({{"task", "image-folder"}, {"data", {{"normalize", "imagenet"}, {"mean", {0.5, 0.5, 0.5}}}}},
                    {"data.mean/data.std", "only with data.normalize explicit"}));
    QVERIFY(rejects({{"task", "image-folder"}, {"data", {{"resampling", "bicubic"}}}},
                    {"data.resize_side/data.resampling", "only with data.transform torchvision"}));
    // Added after stores held runs: at their defaults a config keeps its hash; the decoder
    // threads never enter it.
    const json plain = {{"task", "image-folder"}, {"data", {{"dir", "/photos"}}}};
    auto threads = plain;
    threads["data"]["workers"] = 7;
    QCOMPARE(config_hash(to_json(parse_run_config(threads))), config_hash(to_json(parse_run_config(plain))));
    QVERIFY(config_hash(to_json(config)) != config_hash(to_json(parse_run_config(plain))));
  }

  void overrides_set_one_value() {
    json config = {{"train", {{"lr", 0.1}}}};
    apply_override(config, "train.lr=0.5");
    apply_override(config, "quant.method=pq");  // a bare word is a string
    apply_override(config, "quant.block_size={\"linear\":4}");
    apply_override(config, "noise.p=0.25");
    apply_override(config, "data.dir=\"/tmp/x=y\"");
    QCOMPARE(config["train"]["lr"].get<double>(), 0.5);
    QCOMPARE(config["quant"]["method"].get<std::string>(), std::string("pq"));
    QCOMPARE(config["data"]["dir"].get<std::string>(), std::string("/tmp/x=y"));
    const auto parsed = parse_run_config(config);
    QCOMPARE(parsed.quant.block_size.linear, int64_t{4});
    QCOMPARE(parsed.noise.p, 0.25);
    // A misspelt override is caught by the strict parse, naming the key.
    apply_override(config, "train.lrr=1");
    QVERIFY(rejects(config, {"train.lrr"}));
    QVERIFY(
        qn::test::throws_input_error([&] { apply_override(config, "train.lr"); }, {"KEY=VALUE"}));
    QVERIFY(qn::test::throws_input_error([&] { apply_override(config, "train.lr.x=1"); },
                                         {"not an object"}));
    QVERIFY(
        qn::test::throws_input_error([&] { apply_override(config, "a..b=1"); }, {"empty part"}));
  }

  void config_files_are_read_with_clear_errors() {
    QTemporaryDir dir;
    const auto good = dir.filePath("good.json").toStdString();
    const auto bad = dir.filePath("bad.json").toStdString();
    std::ofstream(good) << R"({"train": {"epochs": 2}})";
    std::ofstream(bad) << R"({"train": {"epochs": 2})";
    QCOMPARE(parse_run_config(read_config_file(good)).train.epochs, int64_t{2});
    QVERIFY(qn::test::throws_input_error([&] { read_config_file(bad); },
                                         {"bad.json", "not valid JSON"}));
    QVERIFY(qn::test::throws_input_error(
        [&] { read_config_file(dir.filePath("none.json").toStdString()); }, {"none.json"}));
  }
};

QTEST_GUILESS_MAIN(TestRunConfig)
#include "test_run_config.moc"
