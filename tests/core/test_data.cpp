// Data readers: IDX (raw and gzipped) and text corpora, on real files and broken ones.
#include <torch/types.h>
#include <zlib.h>

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "config/run_config.h"
#include "data/cifar10.h"
#include "data/examples.h"
#include "data/idx_file.h"
#include "data/labelled_images.h"
#include "data/task_data.h"
#include "data/text_corpus.h"
#include "test_support.h"

using namespace qn;

namespace {

std::vector<uint8_t> idx_bytes(std::vector<uint32_t> extents, uint8_t type = 0x08) {
  std::vector<uint8_t> bytes = {0, 0, type, static_cast<uint8_t>(extents.size())};
  size_t elements = 1;
  for (auto extent : extents) {
    for (int shift : {24, 16, 8, 0}) bytes.push_back(static_cast<uint8_t>(extent >> shift));
    elements *= extent;
  }
  for (size_t i = 0; i < elements; ++i) bytes.push_back(static_cast<uint8_t>(i * 7 % 256));
  return bytes;
}

void write_raw(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

void write_gzip(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
}

std::vector<uint8_t> read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

class TestData : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::string path(const char* name) { return dir_.filePath(name).toStdString(); }

 private Q_SLOTS:
  // The key `qnoise eval --data` and the GUI set must be the one the loader reads.
  void each_task_reads_its_data_location_from_the_right_key() {
    for (const char* task : {"brown-lm", "text-lm"}) QCOMPARE(data_location_key(task), std::string("path"));
    for (const char* task : {"fashion-mnist", "idx", "cifar10"}) {
      QCOMPARE(data_location_key(task), std::string("dir"));
    }
    const auto missing = dir_.filePath("nowhere").toStdString();
    for (const char* task : {"brown-lm", "cifar10"}) {
      auto json = nlohmann::json{{"task", task}};
      if (std::string(task) == "brown-lm") json["model"] = {{"arch", "transformer-lm"}};
      json["data"][data_location_key(task)] = missing;
      QVERIFY2(qn::test::throws_input_error(
                   [&] { load_task_data(parse_run_config(json), torch::kCPU); }, {"nowhere"}),
               task);
    }
  }

  void reads_raw_and_gzipped_idx() {
    const auto bytes = idx_bytes({3, 4, 5});
    write_raw(path("a.idx"), bytes);
    write_gzip(path("a.idx.gz"), bytes);
    for (const char* name : {"a.idx", "a.idx.gz"}) {
      const auto data = read_idx(path(name));
      QCOMPARE(data.sizes().vec(), (std::vector<int64_t>{3, 4, 5}));
      QCOMPARE(data[2][3][4].item<int>(), static_cast<int>(59 * 7 % 256));
    }
  }

  void rejects_broken_idx_files_naming_them() {
    const auto good = idx_bytes({2, 3, 3});
    struct Case {
      const char* name;
      std::vector<uint8_t> bytes;
      const char* problem;
    };
    const std::vector<Case> cases = {
        {"empty.idx", {}, "shorter than its 4-byte header"},
        {"magic.idx", {1, 0, 8, 1, 0, 0, 0, 1, 9}, "wrong magic"},
        {"type.idx", idx_bytes({2, 2}, 0x0D), "element type 13"},
        {"dims.idx", {0, 0, 8, 9}, "9 dimensions"},
        {"short_dims.idx", {good.begin(), good.begin() + 9}, "truncated in its dimensions"},
        {"short_data.idx",
         {good.begin(), good.end() - 1},
         "declares 18 bytes of data, the file holds 17"},
        {"long.idx",
         [&] {
           auto b = good;
           b.push_back(0);
           return b;
         }(),
         "bytes after"},
        {"huge.idx",
         {0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 2},
         "4 GiB"},
    };
    for (const auto& c : cases) {
      write_raw(path(c.name), c.bytes);
      QVERIFY2(qn::test::throws_input_error([&] { read_idx(path(c.name)); }, {c.name, c.problem}),
               c.name);
    }
    // A gzip stream cut short, and one with a damaged middle.
    write_gzip(path("whole.gz"), idx_bytes({64, 64}));
    const auto gz = read_raw(path("whole.gz"));
    write_raw(path("cut.gz"), {gz.begin(), gz.begin() + static_cast<long>(gz.size() / 2)});
    QVERIFY(qn::test::throws_input_error([&] { read_idx(path("cut.gz")); }, {"cut.gz"}));
    auto damaged = gz;
    for (size_t i = 20; i < 40; ++i) damaged[i] ^= 0x5A;
    write_raw(path("damaged.gz"), damaged);
    QVERIFY(qn::test::throws_input_error([&] { read_idx(path("damaged.gz")); }, {"damaged.gz"}));
    QVERIFY(qn::test::throws_input_error([&] { read_idx(path("absent.idx")); },
                                         {"cannot open", "absent.idx"}));
  }

  void pairs_images_with_labels() {
    write_raw(path("images.idx"), idx_bytes({6, 2, 2}));
    write_raw(path("labels.idx"), idx_bytes({6}));
    write_raw(path("few_labels.idx"), idx_bytes({5}));
    const auto set = load_idx_images(path("images.idx"), path("labels.idx"), /*limit=*/4);
    QCOMPARE(set.images.sizes().vec(), (std::vector<int64_t>{4, 1, 2, 2}));
    QCOMPARE(set.images[1][0][0][1].item<float>(), static_cast<float>(5 * 7 % 256) / 255.0f);
    QCOMPARE(set.labels.scalar_type(), torch::kLong);
    QVERIFY(qn::test::throws_input_error(
        [&] { load_idx_images(path("images.idx"), path("few_labels.idx")); },
        {"few_labels.idx", "5 labels", "6 images"}));
    QVERIFY(qn::test::throws_input_error([&] { load_idx_folder(dir_.path().toStdString()); },
                                         {"train-images-idx3-ubyte"}));
  }

  void reads_fashion_mnist_as_debian_installs_it() {
    const auto splits = load_idx_folder("/usr/share/datasets/fashion-mnist", /*train_limit=*/1000);
    QCOMPARE(splits.train.size(), int64_t{1000});
    QCOMPARE(splits.test.size(), int64_t{10000});
    QCOMPARE(splits.train.classes, int64_t{10});
    QCOMPARE(splits.test.images.sizes().vec(), (std::vector<int64_t>{10000, 1, 28, 28}));
    QVERIFY(splits.train.images.max().item<float>() <= 1.0f);
    QCOMPARE(torch::bincount(splits.test.labels).min().item<int64_t>(), int64_t{1000});
  }

  void eval_limit_scores_on_the_first_examples_and_says_so() {
    const auto config = parse_run_config({{"data", {{"train_limit", 100}, {"eval_limit", 250}}}});
    const auto data = load_task_data(config, torch::kCPU);
    QCOMPARE(data.evaluation.size(), int64_t{250});
    QCOMPARE(data.evaluation_split, std::string("test (first 250)"));
    const auto full = load_idx_folder("/usr/share/datasets/fashion-mnist", 100);
    QVERIFY(torch::equal(data.evaluation.targets, full.test.labels.slice(0, 0, 250)));
    // A limit past the split's end keeps it whole, under its plain name.
    const auto whole = load_task_data(
        parse_run_config({{"data", {{"train_limit", 100}, {"eval_limit", 20000}}}}), torch::kCPU);
    QCOMPARE(whole.evaluation.size(), int64_t{10000});
    QCOMPARE(whole.evaluation_split, std::string("test"));
  }

  void builds_a_stable_capped_vocabulary() {
    const std::vector<Sentence> text = {{"b", "a", "c", "a"}, {"b", "a", "d"}};
    const auto vocabulary = Vocabulary::build(text, /*size_cap=*/4);
    QCOMPARE(vocabulary.size(), int64_t{4});
    QCOMPARE(vocabulary.word(2), std::string("a"));  // 3 times
    QCOMPARE(vocabulary.word(3), std::string("b"));  // 2 times, before c and d
    QCOMPARE(vocabulary.id("c"), Vocabulary::kUnknown);
    const auto ids = vocabulary.encode({{"a", "zzz"}, {"b"}});
    QVERIFY(torch::equal(ids, torch::tensor({2, 0, 1, 3, 1}, torch::kLong)));
  }

  void splits_documents_and_strips_brown_tags() {
    const auto folder = dir_.filePath("brown").toStdString();
    std::filesystem::create_directories(folder);
    for (int i = 1; i <= 20; ++i) {
      std::ofstream file(folder + "/ca" + (i < 10 ? "0" : "") + std::to_string(i));
      file << "\n\n\tThe/at Jury/nn-tl said/vbd doc" << i << "/cd ./.\n\n\tIt/pps ended/vbd ./.\n";
    }
    std::ofstream(folder + "/README") << "not part of the corpus";
    const auto documents = read_brown_corpus(folder);
    QCOMPARE(documents.size(), size_t{20});
    QCOMPARE(documents[0][0], (Sentence{"the", "jury", "said", "doc1", "."}));
    const auto corpus = make_text_corpus(documents, 0);
    // Documents 9 and 19 validate, 10 and 20 test: 2 documents x 2 sentences each.
    QCOMPARE(corpus.valid.numel(), int64_t{2 * (6 + 4)});
    QVERIFY((corpus.valid == Vocabulary::kEndOfSentence).sum().item<int64_t>() == 4);
    QCOMPARE(corpus.vocabulary.id("doc9"), Vocabulary::kUnknown);  // never seen in training
    QVERIFY(corpus.vocabulary.id("doc1") != Vocabulary::kUnknown);

    std::ofstream(folder + "/cb01") << "\tThe/at jury said/vbd\n";
    QVERIFY(qn::test::throws_input_error([&] { read_brown_corpus(folder); },
                                         {"cb01", "line 1", "'jury'"}));
    QVERIFY(qn::test::throws_input_error(
        [&] { read_brown_corpus(dir_.filePath("nowhere").toStdString()); }, {"nowhere"}));
  }

  void reads_the_real_brown_corpus() {
    const auto documents = read_brown_corpus(QNS_DATA_DIR "/brown");
    QCOMPARE(documents.size(), size_t{500});
    const auto corpus = make_text_corpus(documents, /*vocabulary_cap=*/10000);
    QCOMPARE(corpus.vocabulary.size(), int64_t{10000});
    const int64_t tokens = corpus.train.numel() + corpus.valid.numel() + corpus.test.numel();
    QVERIFY2(tokens > 1000000 && tokens < 1300000, qPrintable(QString::number(tokens)));
    QVERIFY(corpus.valid.numel() > 80000 && corpus.test.numel() > 80000);
    QCOMPARE(corpus.vocabulary.word(2), std::string("the"));
  }

  void reads_cifar10_batches_and_rejects_truncated_ones() {
    // Two records: label 3 with pixel i = i % 251, then label 9 with every pixel 255.
    std::vector<uint8_t> bytes = {3};
    for (int i = 0; i < 3072; ++i) bytes.push_back(static_cast<uint8_t>(i % 251));
    bytes.push_back(9);
    bytes.insert(bytes.end(), 3072, 255);
    write_raw(path("batch.bin"), bytes);
    const auto set = read_cifar10_batch(path("batch.bin"));
    QCOMPARE(set.images.sizes().vec(), (std::vector<int64_t>{2, 3, 32, 32}));
    QCOMPARE(set.labels[0].item<int64_t>(), int64_t{3});
    QCOMPARE(set.labels[1].item<int64_t>(), int64_t{9});
    // Channel-major planes: pixel (green, row 1, column 2) is byte 1024 + 32 + 2.
    QCOMPARE(set.images[0][1][1][2].item<float>(), float((1024 + 34) % 251) / 255.0f);
    QCOMPARE(set.images[1].min().item<float>(), 1.0f);

    write_raw(path("short.bin"), {bytes.begin(), bytes.end() - 100});
    QVERIFY(qn::test::throws_input_error([&] { read_cifar10_batch(path("short.bin")); },
                                         {"short.bin", "truncated"}));
    bytes[0] = 10;
    write_raw(path("label.bin"), bytes);
    QVERIFY(qn::test::throws_input_error([&] { read_cifar10_batch(path("label.bin")); },
                                         {"label.bin", "label above 9"}));
    QVERIFY(qn::test::throws_input_error([&] { load_cifar10_folder(path("nowhere")); },
                                         {"data_batch_1.bin"}));
  }

  void cuts_token_streams_into_shifted_windows() {
    const auto windows = token_windows(torch::arange(11, torch::kLong), 3);
    QCOMPARE(windows.inputs.sizes().vec(), (std::vector<int64_t>{3, 3}));
    QVERIFY(torch::equal(windows.inputs[2], torch::tensor({6, 7, 8}, torch::kLong)));
    QVERIFY(torch::equal(windows.targets[2], torch::tensor({7, 8, 9}, torch::kLong)));
    QVERIFY(qn::test::throws_input_error(
        [&] { token_windows(torch::arange(3, torch::kLong), 3); }, {"too short"}));
  }

  void reads_any_text_file() {
    std::ofstream file(path("story.txt"));
    for (int line = 0; line < 1000; ++line) file << "Line " << line << " of  the story\n\n";
    file.close();
    const auto documents = read_text_file(path("story.txt"));
    QCOMPARE(documents.size(), size_t{10});
    QCOMPARE(documents[0][0], (Sentence{"line", "0", "of", "the", "story"}));
    QVERIFY(make_text_corpus(documents, 0).split.find("by document") == 0);
  }

  // A short file (under 10 documents of 100 lines) is split by sentence position: the first
  // 80% train, then 10% validation, the last 10% test, each part its own lines.
  void splits_a_short_text_file_by_position() {
    std::vector<Document> documents(1);
    for (int line = 0; line < 50; ++line) documents[0].push_back({"line", std::to_string(line)});
    const auto corpus = make_text_corpus(documents, 0);
    // Two tokens and <eos> a sentence: 40 / 5 / 5 sentences.
    QCOMPARE(corpus.train.numel(), int64_t{40 * 3});
    QCOMPARE(corpus.valid.numel(), int64_t{5 * 3});
    QCOMPARE(corpus.test.numel(), int64_t{5 * 3});
    // Training holds lines 0..39 in order: its words are <unk>, <eos>, "line" and 0..39.
    QCOMPARE(corpus.vocabulary.word(corpus.train[40 * 3 - 2].item<int64_t>()), std::string("39"));
    QCOMPARE(corpus.vocabulary.size(), int64_t{43});
    QVERIFY2(corpus.split.find("by position") == 0, corpus.split.c_str());
    QVERIFY(corpus.split.find("40 sentences train") != std::string::npos);
    // Three lines still split; two cannot.
    QCOMPARE(make_text_corpus({{{"a"}, {"b"}, {"c"}}}, 0).test.numel(), int64_t{2});
    QVERIFY(qn::test::throws_input_error([&] { make_text_corpus({{{"a"}, {"b"}}}, 0); },
                                         {"at least 3 non-empty lines", "got 2"}));
  }
};

QTEST_GUILESS_MAIN(TestData)
#include "test_data.moc"
