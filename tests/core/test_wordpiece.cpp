// BERT's WordPiece (data/wordpiece.h) on cases whose answer BERT's tokenizer defines: lower
// case and accents stripped for an uncased vocabulary, kept for a cased one, punctuation
// and CJK ideographs split off, control characters dropped, greedy longest pieces with
// "##", [UNK] for a word without a split, [CLS] A [SEP] B [SEP] for pairs.
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "data/wordpiece.h"
#include "test_support.h"

using namespace qn;
using qn::test::throws_input_error;

namespace {

// id = line - 1, as BERT's vocab.txt.
const std::vector<std::string> kVocabulary = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "un", "##aff", "##able", "hello", "world",
    ",", "!", "cafe", "naive", "\xE6\x97\xA5", "\xE6\x9C\xAC", "run", "##ning", "##s", "'", "t", "don"};

int64_t id(const std::string& token) {
  return std::find(kVocabulary.begin(), kVocabulary.end(), token) - kVocabulary.begin();
}

}  // namespace

class TestWordPiece : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

  WordPiece vocabulary(const std::vector<std::string>& tokens, const char* name) {
    const auto path = dir_.filePath(name).toStdString();
    std::ofstream out(path);
    for (const auto& token : tokens) out << token << '\n';
    out.close();
    return WordPiece::load(path);
  }

 private Q_SLOTS:
  void an_uncased_vocabulary_lowers_strips_accents_and_splits() {
    auto tokenizer = vocabulary(kVocabulary, "uncased.txt");
    QVERIFY(tokenizer.lower_case());
    QCOMPARE(tokenizer.encode("UnAffable"), (std::vector<int64_t>{id("un"), id("##aff"), id("##able")}));
    QCOMPARE(tokenizer.encode("Hello, World!"),
             (std::vector<int64_t>{id("hello"), id(","), id("world"), id("!")}));
    QCOMPARE(tokenizer.encode("Caf\xC3\xA9 NA\xC3\x8FVE"), (std::vector<int64_t>{id("cafe"), id("naive")}));
    QCOMPARE(tokenizer.encode("\xE6\x97\xA5\xE6\x9C\xAC"),  // each ideograph a word
             (std::vector<int64_t>{id("\xE6\x97\xA5"), id("\xE6\x9C\xAC")}));
    QCOMPARE(tokenizer.encode("don't"), (std::vector<int64_t>{id("don"), id("'"), id("t")}));
    QCOMPARE(tokenizer.encode("\trunning\x01 runs\n"),  // control character dropped
             (std::vector<int64_t>{id("run"), id("##ning"), id("run"), id("##s")}));
    QCOMPARE(tokenizer.encode("unxyz the"), (std::vector<int64_t>{id("[UNK]"), id("the")}));
    QCOMPARE(tokenizer.encode(std::string(101, 'a')), (std::vector<int64_t>{id("[UNK]")}));
  }

  void a_cased_vocabulary_keeps_case_and_accents() {
    auto tokens = kVocabulary;
    tokens.push_back("Hello");
    tokens.push_back("Caf\xC3\xA9");
    auto tokenizer = vocabulary(tokens, "cased.txt");
    QVERIFY(!tokenizer.lower_case());
    QCOMPARE(tokenizer.encode("Hello hello"), (std::vector<int64_t>{22, id("hello")}));
    QCOMPARE(tokenizer.encode("Caf\xC3\xA9"), (std::vector<int64_t>{23}));
  }

  void pairs_take_cls_and_sep() {
    auto tokenizer = vocabulary(kVocabulary, "pairs.txt");
    const std::string_view second = "world";
    QCOMPARE(tokenizer.encode_framed("hello", &second, 0).ids,
             (std::vector<int64_t>{id("[CLS]"), id("hello"), id("[SEP]"), id("world"), id("[SEP]")}));
    QCOMPARE(tokenizer.encode_framed("hello", &second, 0).second_segment, int64_t{3});  // world: type 1
    QCOMPARE(tokenizer.framing().pad, id("[PAD]"));
  }

  void bad_vocabularies_and_text_are_refused() {
    QVERIFY(throws_input_error([&] { vocabulary({"[PAD]", "[CLS]", "[SEP]", "a"}, "no_unk.txt"); },
                               {"no_unk.txt", "no [UNK]"}));
    QVERIFY(throws_input_error([&] { WordPiece::load(dir_.filePath("absent").toStdString()); },
                               {"does not exist"}));
    auto tokenizer = vocabulary(kVocabulary, "text.txt");
    QVERIFY(throws_input_error([&] { tokenizer.encode("ok \xE2\x82"); }, {"not valid UTF-8 at byte 3"}));
  }
};

QTEST_GUILESS_MAIN(TestWordPiece)
#include "test_wordpiece.moc"
