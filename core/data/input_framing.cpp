#include "data/input_framing.h"

#include "common/error.h"

namespace qn {

int64_t InputFraming::added(bool pair) const {
  return static_cast<int64_t>(prefix.size() + suffix.size() + (pair ? middle.size() : 0));
}

InputFraming framing_for(std::optional<int64_t> begin, std::optional<int64_t> end,
                         std::optional<int64_t> pad, std::optional<int64_t> separator) {
  InputFraming framing;
  framing.pad = pad.value_or(-1);
  if (begin && end) {
    framing.family = "roberta";
    framing.prefix = {*begin};
    framing.middle = {*end, *end};
    framing.suffix = {*end};
  } else if (separator) {
    framing.family = "gpt2";
    framing.middle = {*separator};
  } else {
    throw InputError("the vocabulary has neither <s> and </s> (RoBERTa) nor <|endoftext|> "
                     "(GPT-2): nothing says how to frame a text or separate a pair");
  }
  return framing;
}

FramedInput frame_input(const InputFraming& framing, std::vector<int64_t> first,
                        const std::vector<int64_t>* second, int64_t max_tokens) {
  const bool pair = second != nullptr;
  std::vector<int64_t> rest = pair ? *second : std::vector<int64_t>{};
  if (max_tokens > 0) {
    const int64_t smallest = framing.added(pair) + 1 + (pair ? 1 : 0);
    if (max_tokens < smallest) {
      throw InputError("data.max_tokens " + std::to_string(max_tokens) + " cannot hold the " +
                       std::to_string(framing.added(pair)) + " special tokens of a " +
                       framing.family + (pair ? " pair" : " text") + " and a token of each text");
    }
    while (int64_t(first.size() + rest.size()) + framing.added(pair) > max_tokens) {
      auto& longer = first.size() > rest.size() ? first : rest;
      longer.pop_back();
    }
  }
  FramedInput framed{framing.prefix};
  auto& ids = framed.ids;
  ids.insert(ids.end(), first.begin(), first.end());
  int64_t second_start = -1;
  if (pair) {
    ids.insert(ids.end(), framing.middle.begin(), framing.middle.end());
    second_start = static_cast<int64_t>(ids.size());
    ids.insert(ids.end(), rest.begin(), rest.end());
  }
  ids.insert(ids.end(), framing.suffix.begin(), framing.suffix.end());
  framed.second_segment =
      pair && framing.typed_segments ? second_start : static_cast<int64_t>(ids.size());
  return framed;
}

}  // namespace qn
