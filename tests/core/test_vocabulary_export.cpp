// A language model's vocabulary beside its export (train/vocabulary_export.h): written with
// the model, its SHA-256 the one the run recorded, its lines the ids the model predicts;
// a corpus that has changed or gone since the run writes no vocabulary and says why.
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "common/sha256.h"
#include "io/qnz_reader.h"
#include "train/run_checkpoint.h"
#include "train/run_export.h"
#include "train/training_run.h"
#include "test_support.h"

using namespace qn;
using qn::test::read_lines;

class TestVocabularyExport : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }

  // 300 lines of a small grammar: words of every frequency, ties included.
  void write_corpus(const std::string& file, int lines) const {
    const char* const words[] = {"the", "cat", "sat", "on", "a", "mat", "dog", "ran", "fast", "red", "blue", "slow"};
    std::ofstream out(file);
    for (int i = 0; i < lines; ++i) {
      for (int w = 0; w < 3 + i % 5; ++w) out << (w ? " " : "") << words[(i * 7 + w * w) % (4 + i % 9)];
      out << '\n';
    }
  }

 private Q_SLOTS:
  void the_vocabulary_travels_beside_a_language_models_export() {
    write_corpus(path("corpus.txt"), 300);
    const auto config = parse_run_config({{"task", "text-lm"},
                                          {"data", {{"path", path("corpus.txt")}}},
                                          {"model", {{"arch", "transformer-lm"}, {"dim", 16}, {"layers", 1},
                                                     {"heads", 2}, {"ffn", 32}, {"context", 8}}},
                                          {"train", {{"max_steps", 2}, {"batch_size", 8}}},
                                          {"quant", {{"method", "int"}, {"bits", 8}}}});
    const auto result = run_training(config, nullptr, nullptr);
    QCOMPARE(result.vocabulary_sha256.size(), size_t{64});
    const auto checkpoint = parse_qnz(run_checkpoint(config, result));
    QCOMPARE(checkpoint.result.value("vocabulary_sha256", std::string()), result.vocabulary_sha256);

    const auto exported = export_checkpoint(checkpoint, path("lm.qnz"), ExportFormat::Qnz);
    QVERIFY(exported.vocabulary.has_value());
    const auto& vocabulary = *exported.vocabulary;
    QVERIFY2(vocabulary.problem.empty(), vocabulary.problem.c_str());
    QCOMPARE(vocabulary.path, path("lm.vocabulary.txt"));
    QVERIFY(vocabulary.verified);
    const auto words = read_lines(QString::fromStdString(vocabulary.path));
    QCOMPARE(int64_t(words.size()), vocabulary.words);
    QCOMPARE(words[0], std::string("<unk>"));
    QCOMPARE(words[1], std::string("<eos>"));
    QCOMPARE(words.size(), size_t{2 + 12});  // every word of the grammar, once
    std::ifstream file(vocabulary.path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    QCOMPARE(sha256_hex(bytes), result.vocabulary_sha256);

    // The corpus changed: its vocabulary is no longer the model's, and is not written.
    write_corpus(path("corpus.txt"), 40);
    const auto changed = export_checkpoint(checkpoint, path("changed.qnz"), ExportFormat::Qnz);
    QVERIFY(changed.vocabulary && changed.vocabulary->path.empty());
    QVERIFY2(changed.vocabulary->problem.find("has changed since the run") != std::string::npos,
             changed.vocabulary->problem.c_str());
    QVERIFY(!std::filesystem::exists(path("changed.vocabulary.txt")));
    QVERIFY(std::filesystem::exists(path("changed.qnz")));  // the model is exported all the same
    std::filesystem::remove(path("corpus.txt"));
    const auto gone = export_checkpoint(checkpoint, path("gone.qnz"), ExportFormat::Qnz);
    QVERIFY2(gone.vocabulary->problem.find("corpus.txt") != std::string::npos, gone.vocabulary->problem.c_str());
  }

  // Any other task writes no vocabulary.
  void a_classifier_has_no_vocabulary_file() {
    QnzFile checkpoint;
    checkpoint.config = to_json(RunConfig{});  // fashion-mnist
    QVERIFY(!export_vocabulary(checkpoint, path("classifier.qnz")).has_value());
    QVERIFY(!std::filesystem::exists(path("classifier.vocabulary.txt")));
  }
};

QTEST_GUILESS_MAIN(TestVocabularyExport)
#include "test_vocabulary_export.moc"
