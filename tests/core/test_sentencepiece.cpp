// SentencePiece models (data/sentencepiece.h) read by libsentencepiece through QNStudio's
// module, in a process that also holds LibTorch, against Debian's own spm_encode on models
// its spm_train makes from the Brown corpus: unigram and BPE, every Brown sentence and edge
// cases. Then each family's framing (T5, ALBERT with its uncased text, XLM-R's fairseq ids)
// and what is refused.
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/sentencepiece.h"
#include "test_support.h"

using namespace qn;
using qn::test::read_lines;
using qn::test::program_output;
using qn::test::throws_input_error;

namespace {

std::vector<int64_t> parse_ids(const std::string& line) {
  std::istringstream words(line);
  std::vector<int64_t> ids;
  for (int64_t id; words >> id;) ids.push_back(id);
  return ids;
}

}  // namespace

class TestSentencePiece : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString sentences_;  // every Brown sentence, one a line
  QString sample_;     // the first 8000: enough to train the framing tests' models quickly

  // spm_train on `text` with `options`, writing <dir>/<name>.model.
  std::string train(const QString& name, const QString& text, const QStringList& options) {
    const auto prefix = dir_.filePath(name);
    program_output("spm_train", QStringList{"--input=" + text, "--model_prefix=" + prefix,
                                         "--vocab_size=2000", "--minloglevel=2"} + options);
    return (prefix + ".model").toStdString();
  }

  // Lines of `file` where QNStudio's ids and spm_encode's differ (each logged), -1 when
  // spm_encode gave another count of lines.
  int mismatches(const std::string& model, const QString& file) {
    const auto lines = read_lines(file);
    std::istringstream expected(
        program_output("spm_encode", {"--model=" + QString::fromStdString(model),
                                   "--output_format=id", "--input=" + file}).toStdString());
    auto tokenizer = SentencePiece::load(model);
    int differing = 0;
    size_t compared = 0;
    for (std::string ids; std::getline(expected, ids); ++compared) {
      if (compared >= lines.size()) return -1;
      if (tokenizer->encode(lines[compared]) != parse_ids(ids) && ++differing <= 5) {
        qWarning("line %zu differs: %s", compared + 1, lines[compared].c_str());
      }
    }
    return compared == lines.size() ? differing : -1;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    sentences_ = dir_.filePath("brown.txt");
    const auto text = program_output("/usr/bin/python3", {QString(QNS_SOURCE_DIR) + "/tests/python/brown_sentences.py",
                                                       QString(QNS_DATA_DIR) + "/brown"});
    QVERIFY2(!text.isEmpty(), "the Brown corpus is missing: run installer/setup.sh");
    std::ofstream(sentences_.toStdString(), std::ios::binary) << text.toStdString();
    sample_ = dir_.filePath("sample.txt");
    std::ofstream sample(sample_.toStdString(), std::ios::binary);
    const auto lines = read_lines(sentences_);
    for (size_t i = 0; i < std::min<size_t>(8000, lines.size()); ++i) sample << lines[i] << '\n';
  }

  void every_brown_sentence_matches_spm_encode() {
    const auto count = read_lines(sentences_).size();
    QVERIFY(count > 50000);
    for (const QString type : {"unigram", "bpe"}) {
      const auto model = train("brown_" + type, sentences_, {"--model_type=" + type});
      QCOMPARE(mismatches(model, sentences_), 0);
      qInfo("%zu Brown sentences compared, %s model", count, qPrintable(type));
    }
  }

  // Runs of spaces and tabs, emoji, CJK (outside this model's pieces: <unk>), accents,
  // control characters, digits and symbols, full-width letters (NFKC folds them).
  void edge_cases_match_spm_encode() {
    const auto model = train("edge_unigram", sample_, {"--model_type=unigram"});
    const auto file = dir_.filePath("edge_cases.txt");
    std::ofstream(file.toStdString(), std::ios::binary)
        << "  two leading, three   inside and trailing   \n"
        << "\ttab\tseparated\t\tcolumns\t\n"
        << "emoji \xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD family \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\n"
        << "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE6\x96\x87 \xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4\n"
        << "caf\xC3\xA9 na\xC3\xAFve \xC3\x9C" "ber\n"
        << "control \x01\x02\x7F and bell \x07\n"
        << "abc123def 4.5e-3 1,000,000 $$$ @#%^&*()[]{}<>\n"
        << "\xEF\xBC\xA6\xEF\xBD\x95\xEF\xBD\x8C\xEF\xBD\x8C width and \xEF\xAC\x81 ligature\n";
    QCOMPARE(mismatches(model, file), 0);
  }

  // A model spm_train makes by default has </s>: T5's framing, A </s> and A </s> B </s>,
  // no <pad> (the task pads with 0).
  void an_end_of_sentence_piece_frames_as_t5() {
    auto tokenizer = SentencePiece::load(train("t5", sample_, {}));
    QCOMPARE(tokenizer->framing().family, std::string("t5"));
    QCOMPARE(tokenizer->framing().pad, int64_t{-1});
    const auto a = tokenizer->encode("Hello");
    const auto b = tokenizer->encode("world");
    const std::string_view second = "world";
    std::vector<int64_t> pair = a;
    pair.push_back(2);
    pair.insert(pair.end(), b.begin(), b.end());
    pair.push_back(2);
    QCOMPARE(tokenizer->encode_framed("Hello", &second, 0).ids, pair);
    QCOMPARE(tokenizer->vocabulary_size(), int64_t{2000});
  }

  // ALBERT's layout: <pad> 0, <unk> 1, [CLS] and [SEP] as control pieces, trained on
  // lower-cased text. Pairs are [CLS] A [SEP] B [SEP] with types; text is read uncased.
  void albert_pairs_take_cls_and_sep_and_its_text_is_uncased() {
    const auto lowered = dir_.filePath("brown_lower.txt");
    {
      auto text = read_lines(sample_);
      std::ofstream out(lowered.toStdString(), std::ios::binary);
      for (auto& line : text) {
        std::transform(line.begin(), line.end(), line.begin(), [](unsigned char c) { return std::tolower(c); });
        out << line << '\n';
      }
    }
    const auto model = train("spiece", lowered, {"--pad_id=0", "--unk_id=1", "--bos_id=-1", "--eos_id=-1",
                                                 "--control_symbols=[CLS],[SEP],[MASK]"});
    auto tokenizer = SentencePiece::load(model);
    QCOMPARE(tokenizer->framing().family, std::string("albert"));
    QVERIFY(tokenizer->lower_case());
    QCOMPARE(tokenizer->framing().pad, int64_t{0});
    QCOMPARE(tokenizer->encode("The Jury SAID"), tokenizer->encode("the jury said"));
    QCOMPARE(tokenizer->encode("caf\xC3\xA9 ``quoted''"), tokenizer->encode("cafe \"quoted\""));
    const std::string_view second = "said";
    const auto framed = tokenizer->encode_framed("the jury", &second, 0);
    const auto a = tokenizer->encode("the jury");
    QCOMPARE(framed.ids.front(), int64_t{2});  // [CLS]
    QCOMPARE(framed.ids[a.size() + 1], int64_t{3});  // [SEP]
    QCOMPARE(framed.ids.back(), int64_t{3});
    QCOMPARE(framed.second_segment, int64_t(a.size() + 2));
    // The same layout trained on cased text is read as it is.
    auto cased = SentencePiece::load(train("cased", sample_, {"--pad_id=0", "--unk_id=1", "--bos_id=-1",
                                                                 "--eos_id=-1", "--control_symbols=[CLS],[SEP]"}));
    QVERIFY(!cased->lower_case());
  }

  // sentencepiece.bpe.model is XLM-R's: fairseq's ids, the piece's + 1, <unk> 3, <s> 0,
  // </s> 2, <pad> 1.
  void xlm_r_takes_fairseq_ids() {
    const auto model = train("xlmr", sample_, {"--model_type=bpe"});
    const auto renamed = dir_.filePath("xlmr/sentencepiece.bpe.model").toStdString();
    std::filesystem::create_directories(std::filesystem::path(renamed).parent_path());
    std::filesystem::copy_file(model, renamed);
    auto plain = SentencePiece::load(model);
    auto xlmr = SentencePiece::load(renamed);
    QCOMPARE(xlmr->framing().family, std::string("xlm-roberta"));
    QCOMPARE(xlmr->vocabulary_size(), int64_t{2001});
    const std::string text = "The jury \xE6\x97\xA5";  // the ideograph is <unk> (0) in the piece ids
    auto expected = plain->encode(text);
    QCOMPARE(expected.back(), int64_t{0});
    for (auto& id : expected) id = id == 0 ? 3 : id + 1;
    QCOMPARE(xlmr->encode(text), expected);
    const std::string_view second = "said";
    const auto framed = xlmr->encode_framed("jury", &second, 0).ids;
    QCOMPARE(framed.front(), int64_t{0});
    QCOMPARE(framed.back(), int64_t{2});
    QCOMPARE(std::count(framed.begin(), framed.end(), int64_t{2}), 3L);
    QCOMPARE(xlmr->framing().pad, int64_t{1});
  }

  void what_cannot_be_read_is_refused_by_name() {
    const auto junk = dir_.filePath("junk.model").toStdString();
    std::ofstream(junk) << "not a model";
    QVERIFY(throws_input_error([&] { SentencePiece::load(junk); }, {"junk.model", "cannot be read"}));
    QVERIFY(throws_input_error([&] { SentencePiece::load(dir_.filePath("absent.model").toStdString()); },
                               {"absent.model", "does not exist"}));
    const auto unframed = train("unframed", sample_, {"--eos_id=-1"});
    QVERIFY(throws_input_error([&] { SentencePiece::load(unframed); },
                               {"unframed.model", "nothing says how to frame"}));
    auto tokenizer = SentencePiece::load(train("utf8", sample_, {}));
    QVERIFY(throws_input_error([&] { tokenizer->encode("valid then \xC3\x28 broken"); },
                               {"not valid UTF-8", "byte 11"}));
  }

  // A folder holding spiece.model is a SentencePiece tokenizer to load_tokenizer.
  void a_folder_with_spiece_model_is_found() {
    const auto folder = dir_.filePath("folder").toStdString();
    std::filesystem::create_directories(folder);
    std::filesystem::copy_file(train("folder_model", sample_, {}), folder + "/spiece.model");
    QCOMPARE(load_tokenizer(folder)->framing().family, std::string("t5"));
  }
};

QTEST_GUILESS_MAIN(TestSentencePiece)
#include "test_sentencepiece.moc"
