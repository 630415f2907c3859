// `qnoise tokenize --tokenizer PATH FILE`: each line of FILE (without its line end) as the
// ids the tokenizer at PATH gives it (data/tokenizer.h), a JSON array a line, no
// special tokens (with --pair: two tab-separated texts framed as the model reads them):
// the tokenizer checked against any other implementation line by line.
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/error.h"
#include "data/tokenizer.h"

namespace qn::cli {
namespace {

struct TokenizeArgs {
  std::string tokenizer;
  std::string file;
  bool pair = false;
  int64_t max_tokens = 0;
  bool stats = false;
};

// The line's ids: plain, or (--pair) its two tab-separated texts framed as the model reads them.
std::vector<int64_t> line_ids(Tokenizer& tokenizer, const std::string& line, const TokenizeArgs& args) {
  if (!args.pair) return tokenizer.encode(line);
  const auto tab = line.find('\t');
  if (tab == std::string::npos) throw InputError("no tab separates the pair's two texts");
  const std::string_view second = std::string_view(line).substr(tab + 1);
  return tokenizer.encode_framed(std::string_view(line).substr(0, tab), &second, args.max_tokens).ids;
}

int run(const TokenizeArgs& args) {
  const auto tokenizer = load_tokenizer(args.tokenizer);
  std::ifstream in(args.file, std::ios::binary);
  if (!in) throw InputError("cannot read '" + args.file + "'");
  int64_t line_number = 0, tokens = 0;
  std::chrono::steady_clock::duration encoding{};
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    try {
      const auto began = std::chrono::steady_clock::now();
      const auto ids = line_ids(*tokenizer, line, args);
      encoding += std::chrono::steady_clock::now() - began;
      tokens += static_cast<int64_t>(ids.size());
      std::cout << nlohmann::json(ids).dump() << '\n';
    } catch (const InputError& error) {
      throw InputError("'" + args.file + "' line " + std::to_string(line_number) + ": " + error.what());
    }
  }
  if (args.stats) {
    std::cerr << nlohmann::json{{"lines", line_number},
                                {"tokens", tokens},
                                {"seconds", std::chrono::duration<double>(encoding).count()}}
                     .dump()
              << '\n';
  }
  return 0;
}

}  // namespace

void add_tokenize_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TokenizeArgs>();
  auto* command = app.add_subcommand(
      "tokenize", "each line of a file as the ids of a tokenizer, a JSON array a line");
  command->add_option("--tokenizer", args->tokenizer,
                      "a folder (or a file in it) with GPT-2's byte-level BPE (vocab.json or "
                      "encoder.json, merges.txt or vocab.bpe; fairseq's dict.txt), BERT's "
                      "WordPiece (vocab.txt), or a SentencePiece .model (ALBERT, T5, XLM-R)")
      ->required();
  command->add_option("file", args->file, "the text, one input a line (UTF-8)")->required();
  command->add_flag("--pair", args->pair,
                    "each line is two texts separated by a tab, framed with the special tokens "
                    "(RoBERTa: <s> A </s></s> B </s>; GPT-2: A <|endoftext|> B; "
                    "BERT: [CLS] A [SEP] B [SEP])");
  command->add_option("--max-tokens", args->max_tokens,
                      "with --pair: at most this many ids, the longer text cut first (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--stats", args->stats,
                    "print the lines, tokens and seconds spent encoding (JSON) on stderr");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
