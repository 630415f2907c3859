// The TorchScript exports (train/torchscript_export.h), loaded by python3-torch: the compact
// module holding the codes and the decoded one, for the built-in ConvNet and language
// model (their TorchScript twins, nn/module_script.h) and for a user's scripted and traced
// model, each giving the logits the compressed model gives in C++.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <optional>
#include <torch/script.h>
#include <nlohmann/json.hpp>

#include "io/checkpoint.h"
#include "io/float_export.h"
#include "io/qnz_reader.h"
#include "test_support.h"
#include "train/compressed_model_loader.h"
#include "train/model_compression.h"
#include "train/task_model.h"
#include "train/torchscript_export.h"

using namespace qn;
using qn::test::max_abs_difference;

namespace {

// python3 with `arguments`: its standard output, or nullopt (logged) when it fails.
std::optional<QByteArray> run_python(const QStringList& arguments) {
  QProcess python;
  python.start(qn::test::python_with_torch(), arguments);
  if (!python.waitForFinished(300000) || python.exitCode() != 0) {
    qWarning("python3 %s failed: %s", qPrintable(arguments.join(' ')),
             python.readAllStandardError().constData());
    return std::nullopt;
  }
  return python.readAllStandardOutput();
}

// The model's weights compressed as `config` says, the other tensors at quant.plain_bits,
// as a checkpoint the reader accepted.
QnzFile compressed_checkpoint(const RunConfig& config, const TaskData& data) {
  auto model = make_task_model(config, data, torch::kCPU);
  auto compressed = compress_weights(*model.module, config.quant, /*seed=*/0);
  add_plain_tensors(*model.module, config.quant, compressed);
  return parse_qnz(encode_checkpoint(compressed, to_json(config), nullptr));
}

// The inputs run_exported_model.py makes.
torch::Tensor images(std::vector<int64_t> shape) {
  int64_t count = 1;
  for (const auto size : shape) count *= size;
  return torch::sin(torch::arange(count, torch::kFloat)).reshape(shape);
}

torch::Tensor tokens(int64_t batch, int64_t length, int64_t vocabulary) {
  return (torch::arange(batch * length, torch::kLong) * 7 % vocabulary).reshape({batch, length});
}

torch::Tensor cpp_logits(const RunConfig& config, const QnzFile& checkpoint, const torch::Tensor& input) {
  const auto compressed = decode_checkpoint(checkpoint);
  auto model = load_compressed_model(config, data_shapes_from_checkpoint(config, compressed),
                                     compressed, torch::kCPU);
  torch::NoGradGuard no_grad;
  return model.forward(input);
}

torch::Tensor logits_of(const nlohmann::json& python) {
  return torch::tensor(python["logits"].get<std::vector<float>>())
      .reshape(python["shape"].get<std::vector<int64_t>>());
}

}  // namespace

class TestCompactExport : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  const QString script_ = QString(QNS_SOURCE_DIR) + "/tests/python/run_exported_model.py";

  // Writes `bytes`, runs it in Python on `input_arguments`, checks the logits against
  // `expected` and that the module loads in evaluation mode; returns Python's report.
  nlohmann::json check_in_python(const std::string& bytes, const char* name,
                                 const QStringList& input_arguments, const torch::Tensor& expected) {
    const auto path = dir_.filePath(name);
    std::ofstream(path.toStdString(), std::ios::binary) << bytes;
    const auto output = run_python(QStringList{script_, path} + input_arguments);
    if (!output) return nullptr;
    const auto python = nlohmann::json::parse(output->toStdString());
    const double difference = max_abs_difference(logits_of(python), expected);
    if (difference > 1e-5 || python["training"].get<bool>()) {
      qWarning("%s: logits differ by %g (training %d)", name, difference,
               int(python["training"].get<bool>()));
      return nullptr;
    }
    return python;
  }

  // The goal of docs/export.md: the compact file at most 1.05x the .qnz plus its code.
  static bool compact_size_holds(const nlohmann::json& python, const QnzFile& checkpoint) {
    const auto& archive = python["archive"];
    const double budget = 1.05 * double(checkpoint.bytes.size()) + archive["other_bytes"].get<double>();
    qInfo("compact %lld bytes (tensors %lld, code and records %lld); .qnz %zu, payload %llu",
          archive["bytes"].get<long long>(), archive["tensor_bytes"].get<long long>(),
          archive["other_bytes"].get<long long>(), checkpoint.bytes.size(),
          static_cast<unsigned long long>(checkpoint.payload_bytes));
    return archive["bytes"].get<double>() <= budget;
  }

 private Q_SLOTS:
  void initTestCase() {
    torch::manual_seed(0);
    QVERIFY(run_python({QString(QNS_SOURCE_DIR) + "/tests/python/make_scripted_models.py",
                        dir_.path()}));
  }

  // PQ with 4-bit codes (K = 16), int4 per channel on the stem, int8 on the classifier, and
  // biases and norms in fp16: every decoder the ConvNet can need.
  void the_convnets_compact_export_gives_the_compressed_models_logits_in_python() {
    RunConfig config;
    config.model.hidden = 64;
    config.quant.method = QuantMethod::PQ;
    config.quant.centroids = 16;
    config.quant.plain_bits = 16;
    config.quant.layers = {{"^stem$", QuantMethod::Int, 4, "channel", {}, {}},
                           {"^classifier$", QuantMethod::Int, 8, "minmax", {}, {}}};
    TaskData data;
    data.image_shape = {1, 28, 28};
    data.classes = 10;
    const auto checkpoint = compressed_checkpoint(config, data);
    const auto input = images({3, 1, 28, 28});
    const auto expected = cpp_logits(config, checkpoint, input);
    const QStringList arguments = {"images", "3", "1", "28", "28"};

    const auto compact = check_in_python(compact_torchscript_bytes(config, checkpoint),
                                         "convnet_compact.pt", arguments, expected);
    QVERIFY(!compact.is_null());
    QVERIFY(compact_size_holds(compact, checkpoint));
    const auto decoded = check_in_python(float_torchscript_bytes(config, decode_checkpoint(checkpoint)),
                                         "convnet_float.pt", arguments, expected);
    QVERIFY(!decoded.is_null());
    QVERIFY(compact["archive"]["bytes"].get<int64_t>() * 4 < decoded["archive"]["bytes"].get<int64_t>());
  }

  // Tied embeddings decoded once and used twice; int8 codebooks (iPQ + int8); K not a power
  // of two (7-bit codes).
  void the_language_models_compact_export_gives_its_logits_in_python() {
    RunConfig config;
    config.task = "brown-lm";
    config.model.arch = "transformer-lm";
    config.model.dim = 32;
    config.model.layers = 2;
    config.model.heads = 4;
    config.model.ffn = 64;
    config.model.context = 16;
    config.quant.method = QuantMethod::PQ;
    config.quant.centroids = 100;
    config.quant.centroid_bits = 8;
    TaskData data;
    data.classes = 300;
    const auto checkpoint = compressed_checkpoint(config, data);
    const auto input = tokens(2, 16, 300);
    const auto expected = cpp_logits(config, checkpoint, input);
    const auto compact = check_in_python(compact_torchscript_bytes(config, checkpoint), "lm_compact.pt",
                                         {"tokens", "2", "16", "300"}, expected);
    QVERIFY(!compact.is_null());
    QVERIFY(compact_size_holds(compact, checkpoint));
  }

  // A user's model, scripted and traced: their graph runs, with weights from the codes.
  void a_users_model_exports_compact_with_its_own_graph() {
    for (const char* file : {"small_cnn.pt", "small_cnn_traced.pt"}) {
      RunConfig config;
      config.model.arch = "torchscript";
      config.model.path = dir_.filePath(file).toStdString();
      config.quant.method = QuantMethod::PQ;
      config.quant.centroids = 8;
      config.quant.layers = {{"^stem$", QuantMethod::Int, 3, "minmax", {}, {}}};
      const auto checkpoint = compressed_checkpoint(config, TaskData{});
      const auto input = images({2, 1, 28, 28});
      const auto expected = cpp_logits(config, checkpoint, input);
      const auto compact = check_in_python(compact_torchscript_bytes(config, checkpoint),
                                           "user_compact.pt", {"images", "2", "1", "28", "28"}, expected);
      QVERIFY2(!compact.is_null(), file);
      QVERIFY(compact_size_holds(compact, checkpoint));
    }
  }

  // nn.TransformerEncoder: MultiheadAttention's packed in_proj_weight is a layer like any
  // other, so every weight matrix is compressed, and the export decodes it into its slot.
  void a_transformer_encoders_attention_is_compressed_whole() {
    RunConfig config;
    config.model.arch = "torchscript";
    config.model.path = dir_.filePath("row_transformer.pt").toStdString();
    config.quant.method = QuantMethod::PQ;
    config.quant.centroids = 16;
    const auto checkpoint = compressed_checkpoint(config, TaskData{});
    int64_t matrices = 0, compressed = 0, attention = 0, attention_compressed = 0;
    for (const auto& tensor : checkpoint.tensors) {
      if (tensor.shape.size() != 2) continue;
      const bool is_attention = tensor.name.find("self_attn") != std::string::npos;
      const bool is_pq = tensor.method == "pq";
      matrices += tensor.numel();
      compressed += is_pq ? tensor.numel() : 0;
      attention += is_attention ? tensor.numel() : 0;
      attention_compressed += is_attention && is_pq ? tensor.numel() : 0;
    }
    qInfo("weight matrices: %lld of %lld values compressed; attention %lld of %lld",
          static_cast<long long>(compressed), static_cast<long long>(matrices),
          static_cast<long long>(attention_compressed), static_cast<long long>(attention));
    QCOMPARE(compressed, matrices);
    QCOMPARE(attention_compressed, attention);
    QCOMPARE(attention, int64_t{2 * (3 * 32 * 32 + 32 * 32)});  // in_proj and out_proj, 2 layers
    const auto input = images({2, 1, 28, 28});
    const auto expected = cpp_logits(config, checkpoint, input);
    const auto compact = check_in_python(compact_torchscript_bytes(config, checkpoint),
                                         "transformer_compact.pt", {"images", "2", "1", "28", "28"},
                                         expected);
    QVERIFY(!compact.is_null());
  }

  // A tensor two modules share (an output projection tied to the embedding) is one tensor:
  // one layer, one parameter, counted and stored once, decoded into both slots on export.
  void a_tied_weight_is_one_tensor() {
    RunConfig config;
    config.task = "text-lm";
    config.model.arch = "torchscript";
    config.model.path = dir_.filePath("tiny_lm_tied.pt").toStdString();
    config.quant.method = QuantMethod::PQ;
    config.quant.centroids = 16;
    TaskData data;
    auto model = make_task_model(config, data, torch::kCPU);
    std::vector<std::string> layers;
    for (const auto& layer : quantizable_layers(*model.module)) layers.push_back(layer.name);
    QCOMPARE(layers, (std::vector<std::string>{"embed", "hidden"}));  // out computes with embed's
    int64_t values = 0;
    for (const auto& parameter : model.module->parameters()) values += parameter.numel();
    QCOMPARE(values, int64_t{3000 * 16 + (16 * 16 + 16) + 3000});  // the table once; out's bias
    const auto checkpoint = compressed_checkpoint(config, data);
    int64_t tables = 0;
    for (const auto& tensor : checkpoint.tensors) tables += tensor.shape == std::vector<int64_t>{3000, 16};
    QCOMPARE(tables, int64_t{1});
    const auto input = tokens(2, 5, 3000);
    const auto expected = cpp_logits(config, checkpoint, input);
    const auto python = check_in_python(compact_torchscript_bytes(config, checkpoint), "tied_compact.pt",
                                        {"tokens", "2", "5", "3000"}, expected);
    QVERIFY(!python.is_null());
    QVERIFY(compact_size_holds(python, checkpoint));  // neither slot keeps the fp32 table
    // The checkpoint names the table's second holder; the float state dict lists it under
    // both names, so PyTorch's strict load_state_dict takes it.
    for (const auto& tensor : checkpoint.tensors) {
      QCOMPARE(tensor.aliases, tensor.name == "embed.weight" ? std::vector<std::string>{"out.weight"}
                                                             : std::vector<std::string>{});
    }
    const auto state = float_state_dict(decode_checkpoint(checkpoint));
    std::ofstream(dir_.filePath("tied_state.pt").toStdString(), std::ios::binary).write(state.data(), state.size());
    const auto loaded = qn::test::program_output(
        qn::test::python_with_torch(),
        {"-c", "import sys, torch; m = torch.jit.load(sys.argv[1]); s = torch.load(sys.argv[2]); "
               "m.load_state_dict(s); print(bool(torch.equal(s['embed.weight'], s['out.weight'])))",
         QString::fromStdString(config.model.path), dir_.filePath("tied_state.pt")});
    QCOMPARE(loaded.trimmed(), QByteArray("True"));
  }

  // The forward leaves the decoded weights behind it: the module between calls holds codes.
  void the_compact_module_holds_no_decoded_weight_between_forwards() {
    RunConfig config;
    config.model.hidden = 32;
    config.quant.method = QuantMethod::PQ;
    config.quant.centroids = 8;
    TaskData data;
    data.image_shape = {1, 28, 28};
    data.classes = 10;
    const auto checkpoint = compressed_checkpoint(config, data);
    std::istringstream bytes(compact_torchscript_bytes(config, checkpoint));
    auto compact = torch::jit::load(bytes);
    const auto before = compact.attr("model").toModule().attr("hidden").toModule().attr("weight").toTensor();
    QCOMPARE(before.numel(), int64_t{0});
    torch::NoGradGuard no_grad;
    const auto logits = compact.forward({images({1, 1, 28, 28})}).toTensor();
    QVERIFY(max_abs_difference(logits, cpp_logits(config, checkpoint, images({1, 1, 28, 28}))) < 1e-5);
    const auto after = compact.attr("model").toModule().attr("hidden").toModule().attr("weight").toTensor();
    QCOMPARE(after.numel(), int64_t{0});
    const auto names = compact.attr("decoded_tensors").toListRef();
    QCOMPARE(names.size(), size_t{11});  // nine convolutions and two linear layers: all PQ
  }
};

QTEST_GUILESS_MAIN(TestCompactExport)
#include "test_compact_export.moc"
