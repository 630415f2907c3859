// The compressed checkpoint (.qnz): every tensor kind round-trips bit for bit, the payload
// is the accounted size, a model rebuilt from a file computes exactly as the one that
// wrote it, and every kind of damage is a clear InputError (never a crash or a huge
// allocation).
#include <torch/serialize.h>
#include <torch/types.h>
#include <zlib.h>

#include <QDir>
#include <QtTest>
#include <random>

#include "config/run_config.h"
#include "io/checkpoint.h"
#include "io/float_export.h"
#include "io/little_endian.h"
#include "io/qnz_reader.h"
#include "io/qnz_writer.h"
#include "quant/int_quantizer.h"
#include "quant/plain_quantizer.h"
#include "quant/pq_quantizer.h"
#include "train/compressed_model_loader.h"
#include "train/model_compression.h"
#include "test_support.h"

using namespace qn;
using nlohmann::json;
using qn::test::seeded_randn;
using qn::test::throws_input_error;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);  // tests/fuzz

namespace {

PqOptions pq_options(int64_t centroids, int64_t block, CodebookFormat format) {
  PqOptions options;
  options.centroids = centroids;
  options.iterations = 3;
  options.block_sizes = BlockSizes::uniform(block);
  options.codebook_format = format;
  return options;
}

// One tensor of every method and section kind, on every layer kind PQ knows.
CompressedModel every_kind() {
  CompressedModel model;
  model.add("plain32", std::make_shared<PlainTensor>(seeded_randn({7, 3}, 1), PlainWidth::Fp32));
  model.add("plain16", std::make_shared<PlainTensor>(seeded_randn({5}, 2), PlainWidth::Fp16));
  for (int bits = 2; bits <= 8; ++bits) {
    const auto weight = seeded_randn({6, 11}, 10 + static_cast<uint64_t>(bits));
    for (const auto observer : {RangeObserver::MinMax, RangeObserver::Channel}) {
      model.add("int" + std::to_string(bits) + to_string(observer),
                std::make_shared<IntTensor>(IntQuantizer({bits, observer}).encode(weight)));
    }
  }
  const auto linear = seeded_randn({32, 24}, 3);
  const auto conv = seeded_randn({8, 4, 3, 3}, 4);
  const auto embedding = seeded_randn({50, 16}, 5);
  // K = 256 (8-bit codes), K = 100 (7 bits, codes that could name missing centroids), K = 2.
  model.add("linear.pq", std::make_shared<PqTensor>(PqQuantizer(pq_options(100, 4, CodebookFormat::Fp16))
                                                        .encode(linear, {"linear", LayerKind::Linear})));
  model.add("linear.pq8", std::make_shared<PqTensor>(PqQuantizer(pq_options(2, 8, CodebookFormat::Int8))
                                                         .encode(linear, {"linear", LayerKind::Linear})));
  model.add("conv.pq", std::make_shared<PqTensor>(PqQuantizer(pq_options(16, 9, CodebookFormat::Int8))
                                                      .encode(conv, {"conv", LayerKind::Conv2d})));
  model.add("embedding.pq",
            std::make_shared<PqTensor>(PqQuantizer(pq_options(256, 4, CodebookFormat::Fp16))
                                           .encode(seeded_randn({600, 16}, 6),
                                                   {"embedding", LayerKind::Embedding})));
  model.add("embedding.small", std::make_shared<PqTensor>(
                                   PqQuantizer(pq_options(1, 16, CodebookFormat::Fp16))
                                       .encode(embedding.narrow(0, 0, 3), {"e", LayerKind::Embedding})));
  return model;
}

const json kConfig = {{"task", "fashion-mnist"}};

// A file from a hand-made header, for headers the writer would never produce.
std::string assemble(const json& header, const std::string& payload) {
  return assemble_qnz(header.dump(), payload);
}

json header_of(const std::vector<json>& tensors, uint64_t payload) {
  return {{"config", kConfig}, {"result", nullptr}, {"tensors", tensors}, {"payload_bytes", payload}};
}

// A tensor the writer lays out (checksums right) with sections of the given bytes.
std::string one_tensor_file(QnzTensor entry, std::vector<std::string> sections) {
  for (size_t i = 0; i < sections.size(); ++i) {
    entry.sections.push_back({i == 0 && entry.method.rfind("fp", 0) == 0 ? "values"
                              : i == 0                                   ? "codes"
                              : entry.bits > 0                           ? "scales"
                                                                         : "codebook"});
  }
  return write_qnz(kConfig, nullptr, {{entry, sections}});
}

RunConfig tiny_convnet_config(int64_t width) {
  return parse_run_config({{"model", {{"width", width}, {"hidden", 32}}}});
}

TaskData image_task() {
  TaskData data;
  data.image_shape = {1, 28, 28};
  data.classes = 10;
  data.metric_name = "accuracy";
  return data;
}

// Every tensor of a freshly built model of `config`, compressed as its quant section says.
CompressedModel compressed_convnet(const RunConfig& config, const TaskData& data) {
  auto model = make_task_model(config, data, torch::kCPU);
  auto compressed = compress_weights(*model.module, config.quant, 0);
  add_plain_tensors(*model.module, config.quant, compressed);
  return compressed;
}

}  // namespace

class TestCheckpoint : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void every_section_kind_round_trips_bit_for_bit() {
    const auto model = every_kind();
    const auto bytes = encode_checkpoint(model, kConfig, {{"metric", 0.5}});
    const auto file = parse_qnz(bytes);
    QCOMPARE(file.config, kConfig);
    QCOMPARE(file.result["metric"].get<double>(), 0.5);
    // The payload is the accounted size, and the rest a small header.
    QCOMPARE(file.payload_bytes, static_cast<uint64_t>(model.size().total_bytes()));
    QCOMPARE(bytes.size(), file.header_bytes + file.payload_bytes);
    QVERIFY(file.header_bytes < 4096);

    const auto decoded = decode_checkpoint(file);
    QCOMPARE(decoded.tensors().size(), model.tensors().size());
    for (size_t i = 0; i < model.tensors().size(); ++i) {
      const auto& original = *model.tensors()[i].tensor;
      const auto& read = *decoded.tensors()[i].tensor;
      const auto& name = model.tensors()[i].name;
      QCOMPARE(decoded.tensors()[i].name, name);
      QCOMPARE(read.method(), original.method());
      QCOMPARE(read.shape(), original.shape());
      QCOMPARE(read.storage().total(), original.storage().total());
      QVERIFY2(torch::equal(read.decode(), original.decode()), name.c_str());
    }
    // Deterministic: the same model, the same bytes.
    QCOMPARE(encode_checkpoint(decoded, kConfig, {{"metric", 0.5}}), bytes);
  }

  void the_float_export_holds_the_decoded_weights() {
    const auto model = every_kind();
    const auto pickled = float_state_dict(model);
    const auto state = torch::pickle_load(pickled).toGenericDict();
    QCOMPARE(state.size(), model.tensors().size());
    for (const auto& [name, tensor] : model.tensors()) {
      const auto value = state.at(name).toTensor();
      QCOMPARE(value.scalar_type(), torch::kFloat);
      QVERIFY2(torch::equal(value, tensor->decode()), name.c_str());
    }
  }

  void a_model_rebuilt_from_the_file_computes_exactly_as_the_one_that_wrote_it() {
    const auto config = tiny_convnet_config(16);
    const auto data = image_task();
    for (const auto method : {QuantMethod::None, QuantMethod::Int, QuantMethod::PQ}) {
      torch::manual_seed(1);
      auto model = make_task_model(config, data, torch::kCPU);
      auto quant = config.quant;
      quant.method = method;
      quant.bits = 4;
      quant.plain_bits = 16;
      auto compressed = compress_weights(*model.module, quant, 0);
      add_plain_tensors(*model.module, quant, compressed);
      model.module->eval();
      const auto input = seeded_randn({5, 1, 28, 28}, 9);
      const auto expected = model.forward(input);

      const auto file = parse_qnz(encode_checkpoint(compressed, to_json(config), nullptr));
      auto rebuilt = load_compressed_model(config, data, decode_checkpoint(file), torch::kCPU);
      QVERIFY2(torch::equal(rebuilt.forward(input), expected), to_string(method).c_str());
      // fp16 plain tensors: half the bytes of fp32 ones.
      for (const auto& entry : compressed.size().entries()) {
        if (entry.name == "hidden.bias") QCOMPARE(entry.bytes.plain, int64_t{32 * 2});
      }
    }
  }

  void a_checkpoint_that_does_not_fit_the_model_is_refused_naming_the_tensor() {
    const auto config = tiny_convnet_config(16);
    const auto data = image_task();
    const auto compressed = compressed_convnet(config, data);
    // Another width: every shape differs.
    QVERIFY(throws_input_error(
        [&] { load_compressed_model(tiny_convnet_config(8), data, compressed, torch::kCPU); },
        {"has shape", "in the checkpoint"}));
    CompressedModel missing;
    for (const auto& [name, tensor] : compressed.tensors()) {
      if (name != "hidden.bias") missing.add(name, tensor);
    }
    QVERIFY(throws_input_error(
        [&] { load_compressed_model(config, data, missing, torch::kCPU); },
        {"no tensor 'hidden.bias'"}));
    auto extra = compressed;
    extra.add("stray.weight", compressed.tensors().front().tensor);
    QVERIFY(throws_input_error([&] { load_compressed_model(config, data, extra, torch::kCPU); },
                               {"'stray.weight'", "belongs to no parameter"}));
  }

  void a_config_that_names_a_bigger_model_than_the_file_holds_is_refused_before_building() {
    const auto config = tiny_convnet_config(16);
    const auto data = image_task();
    const auto compressed = compressed_convnet(config, data);
    // 2e8 parameters: buildable, but far more than the file's ~70k values.
    auto bigger = config;
    bigger.model.hidden = 100000;
    QVERIFY(throws_input_error([&] { load_compressed_model(bigger, data, compressed, torch::kCPU); },
                               {"describes a convnet of at least", "its tensors hold"}));
    // 2e10: refused by the model builder itself, whatever asks for it.
    bigger.model.hidden = 10000000;
    QVERIFY(throws_input_error([&] { make_task_model(bigger, data, torch::kCPU); },
                               {"would have at least 1.97e+10 parameters, more than the 1e+09"}));
  }

  void the_parameter_bound_is_below_every_models_count_and_close_to_it() {
    const auto count = [](const TaskModel& model) {
      double total = 0;
      for (const auto& parameter : model.module->parameters()) total += static_cast<double>(parameter.numel());
      return total;
    };
    const auto data = image_task();
    for (const int64_t width : {4, 16, 64}) {
      const auto config = tiny_convnet_config(width);
      const double actual = count(make_task_model(config, data, torch::kCPU));
      const double bound = minimum_parameter_count(config, data);
      QVERIFY2(bound <= actual && bound >= 0.5 * actual, qPrintable(QString("%1 %2").arg(bound).arg(actual)));
    }
    TaskData text;
    text.classes = 500;
    for (const bool tied : {true, false}) {
      const auto config = parse_run_config({{"task", "text-lm"}, {"data", {{"path", "unused"}}},
                                            {"model", {{"arch", "transformer-lm"}, {"dim", 32}, {"layers", 2},
                                                       {"heads", 2}, {"ffn", 64}, {"context", 16},
                                                       {"tied_embeddings", tied}}}});
      const double actual = count(make_task_model(config, text, torch::kCPU));
      const double bound = minimum_parameter_count(config, text);
      QVERIFY2(bound <= actual && bound >= 0.5 * actual, qPrintable(QString("%1 %2").arg(bound).arg(actual)));
    }
  }

  void truncation_at_every_section_boundary_is_named() {
    const auto bytes = encode_checkpoint(every_kind(), kConfig, nullptr);
    const auto file = parse_qnz(bytes);
    std::vector<uint64_t> cuts = {0, 5, kQnzPrefixBytes - 1, kQnzPrefixBytes, file.header_bytes - 1,
                                  file.header_bytes};
    for (const auto& tensor : file.tensors) {
      for (const auto& section : tensor.sections) {
        cuts.push_back(file.header_bytes + section.offset);
        cuts.push_back(file.header_bytes + section.offset + section.bytes / 2);
      }
    }
    for (const uint64_t cut : cuts) {
      QVERIFY2(throws_input_error([&] { parse_qnz(bytes.substr(0, cut)); }, {"truncated"}),
               std::to_string(cut).c_str());
    }
    QVERIFY(throws_input_error([&] { parse_qnz(bytes + "x"); }, {"1 unexpected bytes"}));
  }

  void a_flipped_byte_in_any_section_is_caught_by_its_checksum() {
    const auto bytes = encode_checkpoint(every_kind(), kConfig, nullptr);
    const auto file = parse_qnz(bytes);
    int sections = 0;
    for (const auto& tensor : file.tensors) {
      for (const auto& section : tensor.sections) {
        if (section.bytes == 0) continue;  // K = 1: no codes at all
        auto damaged = bytes;
        damaged[file.header_bytes + section.offset + section.bytes / 2] ^= 0x10;
        QVERIFY2(throws_input_error([&] { parse_qnz(damaged); },
                                    {"tensor '" + tensor.name + "'", section.kind, "CRC-32"}),
                 tensor.name.c_str());
        ++sections;
      }
    }
    QCOMPARE(sections, 2 + 14 * 2 + 5 * 2 - 1);
    auto damaged = bytes;
    damaged[kQnzPrefixBytes + 10] ^= 1;
    QVERIFY(throws_input_error([&] { parse_qnz(damaged); }, {"header's CRC-32"}));
  }

  void wrong_magic_and_other_versions_are_refused() {
    auto bytes = encode_checkpoint(every_kind(), kConfig, nullptr);
    auto wrong = bytes;
    wrong[1] = 'P';
    QVERIFY(throws_input_error([&] { parse_qnz(wrong); }, {"magic"}));
    QVERIFY(throws_input_error([&] { parse_qnz("PK\x03\x04 a zip, say, or a pickle"); }, {}));
    auto future = bytes;
    future[8] = 2;
    QVERIFY(throws_input_error([&] { parse_qnz(future); }, {"version 2", "newer"}));
    auto zero = bytes;
    zero[8] = 0;
    QVERIFY(throws_input_error([&] { parse_qnz(zero); }, {"version 0"}));
  }

  void absurd_lengths_and_offsets_are_refused_before_any_allocation() {
    const json fp32 = {{"name", "w"}, {"method", "fp32"}, {"shape", {2}},
                       {"sections", {{{"kind", "values"}, {"offset", 0}, {"bytes", 8}, {"crc32", 0}}}}};
    const std::string payload(8, '\0');
    // Prefix lengths far beyond the file.
    auto huge = assemble(header_of({fp32}, 8), payload);
    for (size_t i = 12; i < 16; ++i) huge[i] = '\xff';
    QVERIFY(throws_input_error([&] { parse_qnz(huge); }, {"truncated"}));
    auto inflated = assemble(header_of({fp32}, 8), payload);
    for (size_t i = 16; i < 20; ++i) inflated[i] = '\xff';
    QVERIFY(throws_input_error([&] { parse_qnz(inflated); }, {"claims to inflate"}));
    // A payload the file does not have.
    QVERIFY(throws_input_error([&] { parse_qnz(assemble(header_of({fp32}, uint64_t{1} << 62), payload)); },
                               {"truncated"}));
    // Shapes whose product overflows, or decodes to far more than the file could hold.
    auto big = fp32;
    big["shape"] = {int64_t{1} << 31, int64_t{1} << 31};
    QVERIFY(throws_input_error([&] { parse_qnz(assemble(header_of({big}, 8), payload)); },
                               {"over 2^40"}));
    const json one_centroid = {
        {"name", "e"}, {"method", "pq"}, {"shape", {int64_t{1} << 20, 65536}}, {"layer", "embedding"},
        {"block_size", 65536}, {"centroids", 1},
        {"sections", {{{"kind", "codes"}, {"offset", 0}, {"bytes", 0}, {"crc32", 0}},
                      {{"kind", "codebook"}, {"offset", 0}, {"bytes", 131072}, {"crc32", 0}}}}};
    QVERIFY(throws_input_error(
        [&] { parse_qnz(assemble(header_of({one_centroid}, 131072), std::string(131072, '\0'))); },
        {"refusing the allocation"}));
    // Sections that overlap, or claim other sizes than their shape needs.
    auto overlap = fp32;
    overlap["name"] = "v";
    overlap["sections"][0]["offset"] = 0;
    QVERIFY(throws_input_error(
        [&] { parse_qnz(assemble(header_of({fp32, overlap}, 16), std::string(16, '\0'))); },
        {"starts at payload offset 0, not 8"}));
    auto wrong_size = fp32;
    wrong_size["sections"][0]["bytes"] = 4;
    QVERIFY(throws_input_error([&] { parse_qnz(assemble(header_of({wrong_size}, 8), payload)); },
                               {"holds 4 bytes; the shape needs 8"}));
    auto negative = fp32;
    negative["sections"][0]["offset"] = -8;
    QVERIFY(throws_input_error([&] { parse_qnz(assemble(header_of({negative}, 8), payload)); },
                               {"'offset'", "outside"}));
  }

  void malformed_headers_are_refused_naming_the_problem() {
    const json fp32 = {{"name", "w"}, {"method", "fp32"}, {"shape", {2}},
                       {"sections", {{{"kind", "values"}, {"offset", 0}, {"bytes", 8}, {"crc32", 0}}}}};
    const std::string payload(8, '\0');
    const auto refused = [&](const json& header, std::initializer_list<std::string> parts) {
      return throws_input_error([&] { parse_qnz(assemble(header, payload)); }, parts);
    };
    QVERIFY(refused(json::array(), {"not a JSON object"}));
    QVERIFY(refused(header_of({fp32, fp32}, 8), {"'w' appears twice"}));
    auto unknown = fp32;
    unknown["method"] = "int9";
    QVERIFY(refused(header_of({unknown}, 8), {"unknown method 'int9'"}));
    auto extra_key = header_of({fp32}, 8);
    extra_key["pickle"] = "cos\nsystem";
    QVERIFY(refused(extra_key, {"unknown key 'pickle'"}));
    auto tied = fp32;
    tied["aliases"] = {"w"};  // a tensor's other name may not be a stored tensor's
    QVERIFY(refused(header_of({tied}, 8), {"alias 'w' names another tensor"}));
    tied["aliases"] = {""};
    QVERIFY(refused(header_of({tied}, 8), {"'aliases' holds an empty"}));
    tied["aliases"] = "out.weight";
    QVERIFY(refused(header_of({tied}, 8), {"'aliases' is not a list"}));
    auto no_shape = fp32;
    no_shape.erase("shape");
    QVERIFY(refused(header_of({no_shape}, 8), {"no 'shape'"}));
    auto zero_dim = fp32;
    zero_dim["shape"] = {0};
    QVERIFY(refused(header_of({zero_dim}, 8), {"not a size"}));
    auto text = fp32;
    text["shape"] = "2";
    QVERIFY(refused(header_of({text}, 8), {"'shape' must be a list"}));
    auto bad_layer = json{{"name", "p"}, {"method", "pq"}, {"shape", {4, 8}}, {"layer", "lstm"},
                          {"block_size", 4}, {"centroids", 2}, {"sections", json::array()}};
    QVERIFY(refused(header_of({bad_layer}, 8), {"'lstm'"}));
    auto bad_block = bad_layer;
    bad_block["layer"] = "linear";
    bad_block["block_size"] = 3;
    QVERIFY(refused(header_of({bad_block}, 8), {"block size 3 does not divide", "8"}));
    // Not JSON at all once inflated.
    QVERIFY(throws_input_error([&] { parse_qnz(assemble_qnz("{\"config\": [", payload)); },
                               {"not valid JSON"}));
  }

  void values_a_decoder_would_trust_are_checked() {
    // PQ codes naming a centroid that does not exist (K = 3: 2-bit codes up to 3).
    QnzTensor pq{"fc.weight", "pq", {4, 8}};
    pq.layer = "linear";
    pq.block_size = 4;
    pq.centroids = 3;
    QVERIFY(throws_input_error(
        [&] { parse_qnz(one_tensor_file(pq, {std::string(2, '\xff'), std::string(24, '\0')})); },
        {"'fc.weight'", "code 3", "3 centroids"}));
    QVERIFY(parse_qnz(one_tensor_file(pq, {std::string(2, '\x5a'), std::string(24, '\0')}))
                .tensors.size() == 1);  // codes 2, 2, 1, 1, ... are fine
    // intN scales that are not positive numbers, and zero points out of range.
    QnzTensor int4{"q.weight", "int4", {2, 4}};
    int4.bits = 4;
    int4.per_channel = true;
    std::string scales;
    append_f32(scales, 0.5f);
    append_f32(scales, std::numeric_limits<float>::quiet_NaN());
    scales += std::string("\x03\x04", 2);
    QVERIFY(throws_input_error([&] { parse_qnz(one_tensor_file(int4, {std::string(4, '\0'), scales})); },
                               {"'q.weight'", "scale 1", "not a positive number"}));
    scales.replace(4, 4, std::string("\0\0\x80\x3f", 4));  // 1.0f
    scales[9] = 16;
    QVERIFY(throws_input_error([&] { parse_qnz(one_tensor_file(int4, {std::string(4, '\0'), scales})); },
                               {"zero point 16", "4 bits"}));
    scales[9] = 15;
    QCOMPARE(parse_qnz(one_tensor_file(int4, {std::string(4, '\0'), scales})).tensors[0].bits, 4);
  }

  void random_damage_is_always_an_input_error() {
    const auto bytes = encode_checkpoint(every_kind(), kConfig, nullptr);
    std::mt19937_64 random(3);
    int accepted = 0;
    for (int trial = 0; trial < 3000; ++trial) {
      auto damaged = bytes;
      switch (trial % 3) {
        case 0:  // a few random bytes overwritten
          for (int i = 0; i < 1 + trial % 5; ++i) damaged[random() % damaged.size()] = static_cast<char>(random());
          break;
        case 1:  // cut anywhere
          damaged.resize(random() % damaged.size());
          break;
        case 2:  // bytes inserted anywhere
          damaged.insert(random() % damaged.size(), std::string(1 + random() % 16, static_cast<char>(random())));
          break;
      }
      try {
        parse_qnz(damaged);
        ++accepted;  // a change that left the file valid (e.g. a byte overwritten by itself)
      } catch (const InputError&) {
      }
    }
    QVERIFY(accepted < 30);
  }

  void the_fuzzers_seed_corpus_and_findings_are_read_safely() {
    const QDir corpus(QStringLiteral(QNS_SOURCE_DIR "/tests/fuzz/corpus"));
    int exports = 0;
    for (const auto& info : corpus.entryInfoList(QDir::Files)) {
      QFile input(info.filePath());
      QVERIFY(input.open(QIODevice::ReadOnly));
      const auto bytes = input.readAll();
      // What the fuzzer runs: parse or InputError, nothing else (it would escape here).
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.constData()),
                             static_cast<size_t>(bytes.size()));
      if (info.suffix() == "qnz" && !info.fileName().startsWith("crash")) {
        // The seeds are real exports: valid, and each decodes.
        const auto file = read_qnz_file(info.filePath().toStdString());
        QVERIFY(!decode_checkpoint(file).tensors().empty());
        ++exports;
      }
    }
    QVERIFY2(exports >= 7, "the seed corpus is committed under tests/fuzz/corpus");
  }
};

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
