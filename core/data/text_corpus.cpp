#include "data/text_corpus.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/error.h"

namespace qn {
namespace {

constexpr size_t kLinesPerDocument = 100;

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::ifstream open_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot open '" + path + "'");
  return in;
}

Document read_brown_file(const std::string& path) {
  auto in = open_text(path);
  Document sentences;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    std::istringstream tokens(line);
    Sentence sentence;
    for (std::string token; tokens >> token;) {
      const auto slash = token.rfind('/');
      if (slash == std::string::npos || slash == 0) {
        throw InputError("'" + path + "' line " + std::to_string(number) + ": token '" + token +
                         "' has no word/tag form");
      }
      sentence.push_back(lowercase(token.substr(0, slash)));
    }
    if (!sentence.empty()) sentences.push_back(std::move(sentence));
  }
  return sentences;
}

}  // namespace

TextCorpus make_text_corpus(const std::vector<Document>& documents, int64_t vocabulary_cap) {
  std::vector<Sentence> train, valid, test;
  std::string split;
  if (documents.size() >= 10) {
    for (size_t index = 0; index < documents.size(); ++index) {
      auto& part = index % 10 == 8 ? valid : index % 10 == 9 ? test : train;
      part.insert(part.end(), documents[index].begin(), documents[index].end());
    }
    split = "by document: of every 10 documents the 9th validation, the 10th test (" +
            std::to_string(documents.size()) + " documents)";
  } else {
    for (const auto& document : documents) train.insert(train.end(), document.begin(), document.end());
    const auto sentences = train.size();
    if (sentences < 3) {
      throw InputError("a text corpus needs at least 3 non-empty lines to split into train, "
                       "validation and test (got " + std::to_string(sentences) + ")");
    }
    const auto held_out = std::max<size_t>(1, sentences / 10);
    test.assign(train.end() - static_cast<std::ptrdiff_t>(held_out), train.end());
    train.resize(sentences - held_out);
    valid.assign(train.end() - static_cast<std::ptrdiff_t>(held_out), train.end());
    train.resize(sentences - 2 * held_out);
    split = "by position (under 10 documents of 100 lines): the first " +
            std::to_string(train.size()) + " sentences train, the next " +
            std::to_string(held_out) + " validation, the last " + std::to_string(held_out) +
            " test";
  }
  TextCorpus corpus{Vocabulary::build(train, vocabulary_cap), {}, {}, {}, split};
  corpus.train = corpus.vocabulary.encode(train);
  corpus.valid = corpus.vocabulary.encode(valid);
  corpus.test = corpus.vocabulary.encode(test);
  return corpus;
}

std::vector<Document> read_brown_corpus(const std::string& folder) {
  static const std::regex corpus_file(R"(c[a-r][0-9][0-9])");
  std::vector<std::string> paths;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (std::regex_match(entry.path().filename().string(), corpus_file)) {
      paths.push_back(entry.path().string());
    }
  }
  if (error)
    throw InputError("cannot read the Brown corpus folder '" + folder + "': " + error.message());
  if (paths.empty()) {
    throw InputError("'" + folder + "' holds no Brown corpus files (ca01 ... cr09); " +
                     "installer/setup.sh fetches them into data/brown");
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Document> documents;
  for (const auto& path : paths) documents.push_back(read_brown_file(path));
  return documents;
}

std::vector<Document> read_text_file(const std::string& path) {
  auto in = open_text(path);
  std::vector<Document> documents(1);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    Sentence sentence;
    for (std::string word; words >> word;) sentence.push_back(lowercase(word));
    if (sentence.empty()) continue;
    if (documents.back().size() == kLinesPerDocument) documents.emplace_back();
    documents.back().push_back(std::move(sentence));
  }
  return documents;
}

}  // namespace qn
