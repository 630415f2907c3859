// Text-classification tables (data/text_table.h): GLUE's TSV as MNLI ships it, CSV with
// quoting, JSON lines; labels sorted or in a given order; every malformed input an
// InputError naming the file and line; thousands of damaged inputs never anything else.
#include <QtTest>
#include <random>

#include "common/error.h"
#include "data/text_table.h"
#include "test_support.h"

using namespace qn;
using qn::test::throws_input_error;

namespace {

const TextColumns kPair{{"sentence1", "sentence2"}, "gold_label"};

// MNLI's layout (its columns, abridged), a " inside a text as GLUE's files have them.
const std::string kMnli =
    "index\tgenre\tsentence1\tsentence2\tgold_label\n"
    "0\tfiction\tThe cat sat.\tA cat is sitting.\tentailment\n"
    "1\tslate\tHe said \"no\".\tHe agreed.\tcontradiction\n"
    "2\ttravel\tIt rained.\tThe sun shone all day, they say.\tneutral\n";

}  // namespace

class TestTextTable : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void mnli_tsv_reads_pairs_with_sorted_labels() {
    const auto table = parse_text_table("train.tsv", kMnli, kPair);
    QCOMPARE(table.examples.size(), size_t{3});
    QCOMPARE(table.labels, (std::vector<std::string>{"contradiction", "entailment", "neutral"}));
    QCOMPARE(table.examples[1].first, std::string("He said \"no\"."));  // quotes are text
    QCOMPARE(table.examples[1].second, std::string("He agreed."));
    QCOMPARE(table.examples[0].label, int64_t{1});
    // An evaluation file takes the training file's labels, in their order.
    const auto dev = parse_text_table("dev_matched.tsv", kMnli, kPair, {"entailment", "neutral", "contradiction"});
    QCOMPARE(dev.examples[1].label, int64_t{2});
  }

  void csv_quotes_hold_commas_quotes_and_line_ends_and_windows_files_read_alike() {
    const std::string csv =
        "\xEF\xBB\xBFtext,label\r\n"
        "\"one, two\",pos\r\n"
        "\"she said \"\"hi\"\"\",neg\r\n"
        "\"two\nlines\",pos\r\n";
    const auto table = parse_text_table("reviews.csv", csv, {{"text"}, "label"});
    QCOMPARE(table.examples.size(), size_t{3});
    QCOMPARE(table.examples[0].first, std::string("one, two"));
    QCOMPARE(table.examples[1].first, std::string("she said \"hi\""));
    QCOMPARE(table.examples[2].first, std::string("two\nlines"));
    QCOMPARE(table.labels, (std::vector<std::string>{"neg", "pos"}));
    // The same TSV with a byte-order mark and CRLF line ends reads as without them.
    std::string windows = "\xEF\xBB\xBF" + kMnli;
    for (size_t at = windows.find('\n'); at != std::string::npos; at = windows.find('\n', at + 2)) {
      windows.insert(at, "\r");
    }
    const auto tsv = parse_text_table("train.tsv", windows, kPair);
    QCOMPARE(tsv.examples[2].second, std::string("The sun shone all day, they say."));
    QCOMPARE(tsv.labels.back(), std::string("neutral"));
  }

  void json_lines_read_keys_as_columns() {
    const std::string lines =
        "{\"premise\": \"A dog runs.\", \"hypothesis\": \"An animal moves.\", \"label\": 0}\n"
        "\n"
        "{\"premise\": \"Snow.\", \"hypothesis\": \"Heat.\", \"label\": 2}\n";
    const auto table = parse_text_table("dev.jsonl", lines, {{"premise", "hypothesis"}, "label"});
    QCOMPARE(table.examples.size(), size_t{2});
    QCOMPARE(table.labels, (std::vector<std::string>{"0", "2"}));
    QCOMPARE(table.examples[1].second, std::string("Heat."));
  }

  void malformed_tables_name_the_file_and_line() {
    QVERIFY(throws_input_error([] { parse_text_table("train.tsv", kMnli, {{"sentence1"}, "label"}); },
                               {"'train.tsv' line 1", "no column 'label'", "gold_label"}));
    auto ragged = kMnli + "3\tfiction\tonly three fields\n";
    QVERIFY(throws_input_error([&] { parse_text_table("train.tsv", ragged, kPair); },
                               {"'train.tsv' line 5", "3 fields, the header 5"}));
    QVERIFY(throws_input_error([&] { parse_text_table("dev.tsv", kMnli, kPair, {"entailment", "neutral"}); },
                               {"'dev.tsv' line 3", "label 'contradiction'", "2 labels"}));
    auto broken = kMnli;
    broken.replace(broken.find("rained"), 1, "\xC3");
    QVERIFY(throws_input_error([&] { parse_text_table("train.tsv", broken, kPair); },
                               {"'train.tsv' line 4", "not valid UTF-8"}));
    QVERIFY(throws_input_error([] { parse_text_table("train.tsv", "", kPair); },
                               {"'train.tsv' is empty"}));
    QVERIFY(throws_input_error(
        [] { parse_text_table("train.tsv", "sentence1\tsentence2\tgold_label\n", kPair); },
        {"'train.tsv' holds no examples"}));
    QVERIFY(throws_input_error([&] { parse_text_table("train.tsv", kMnli + "\n5\ta\tb\tc\td\n", kPair); },
                               {"line 5 is blank"}));
    QVERIFY(throws_input_error([] { parse_text_table("x.csv", "text,label\n\"open,pos\n", {{"text"}, "label"}); },
                               {"'x.csv' line 2", "never closes"}));
    QVERIFY(throws_input_error([] { parse_text_table("x.jsonl", "{\"text\": 1\n", {{"text"}, "label"}); },
                               {"'x.jsonl' line 1", "not valid JSON"}));
    QVERIFY(throws_input_error([] { parse_text_table("x.jsonl", "{\"text\": \"a\"}\n", {{"text"}, "label"}); },
                               {"line 1", "no key 'label'"}));
    QVERIFY(throws_input_error([] { parse_text_table("x.txt", "a", {{"text"}, "label"}); },
                               {".tsv, .csv or .jsonl"}));
  }

  // Random damage to valid files of each format: a table or an InputError, nothing else.
  void damaged_tables_are_read_or_refused_never_crash() {
    const std::vector<std::pair<std::string, std::string>> seeds = {
        {"t.tsv", kMnli},
        {"t.csv", "sentence1,sentence2,gold_label\n\"a, b\",\"c \"\"d\"\"\",x\ne,f,y\n"},
        {"t.jsonl", "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"gold_label\": \"x\"}\n"}};
    std::mt19937_64 random(7);
    const std::string alphabet = "\t\n\r\",{}:\\\xC3\xA9\xEF\xBB\xBF\xFF a";
    int read = 0, refused = 0;
    for (int trial = 0; trial < 6000; ++trial) {
      auto [name, bytes] = seeds[trial % seeds.size()];
      const int edits = 1 + static_cast<int>(random() % 4);
      for (int edit = 0; edit < edits && !bytes.empty(); ++edit) {
        const size_t at = random() % bytes.size();
        switch (random() % 3) {
          case 0: bytes[at] = alphabet[random() % alphabet.size()]; break;
          case 1: bytes.insert(at, 1, alphabet[random() % alphabet.size()]); break;
          default: bytes.erase(at, 1 + random() % 8); break;
        }
      }
      try {
        parse_text_table(name, bytes, kPair);
        ++read;
      } catch (const InputError&) {
        ++refused;
      }
    }
    qInfo("6000 damaged tables: %d read, %d refused by name", read, refused);
    QCOMPARE(read + refused, 6000);
    QVERIFY(read > 0 && refused > 0);
  }
};

QTEST_GUILESS_MAIN(TestTextTable)
#include "test_text_table.moc"
