// `qnoise tokenize --tokenizer PATH FILE`: each line of FILE (without its line end) as the
// ids GPT-2's byte-level BPE gives it (data/byte_level_bpe.h), a JSON array a line, no
// special tokens: the tokenizer checked against any other implementation line by line.
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/error.h"
#include "data/byte_level_bpe.h"

namespace qn::cli {
namespace {

struct TokenizeArgs {
  std::string tokenizer;
  std::string file;
  bool stats = false;
};

int run(const TokenizeArgs& args) {
  auto tokenizer = ByteLevelBpe::load(args.tokenizer);
  std::ifstream in(args.file, std::ios::binary);
  if (!in) throw InputError("cannot read '" + args.file + "'");
  int64_t line_number = 0, tokens = 0;
  std::chrono::steady_clock::duration encoding{};
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    try {
      const auto began = std::chrono::steady_clock::now();
      const auto ids = tokenizer.encode(line);
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
                      "GPT-2's byte-level BPE: a folder with vocab.json (or encoder.json) and "
                      "merges.txt (or vocab.bpe), or the vocabulary file")
      ->required();
  command->add_option("file", args->file, "the text, one input a line (UTF-8)")->required();
  command->add_flag("--stats", args->stats,
                    "print the lines, tokens and seconds spent encoding (JSON) on stderr");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
