#pragma once

#include <torch/types.h>

#include <vector>

namespace qn {

// How a batch of texts reaches a text classifier. Examples::inputs holds, for each text,
// three rows of token positions, (batch, 3, tokens) int64:
//   0: the input ids, padded with the tokenizer's <pad> (0 where it has none);
//   1: the attention mask, 1 for a token, 0 for padding;
//   2: the token types, 1 from the second text of a BERT pair to the end, else 0.
// A model is called with as many of them, in that order, as its forward takes:
// model(input_ids), model(input_ids, attention_mask) or model(input_ids, attention_mask,
// token_type_ids), HuggingFace's order.
constexpr int64_t kTextInputRows = 3;

// The first `count` (1 to 3) of a packed batch's rows, each (batch, tokens).
std::vector<torch::Tensor> text_model_inputs(const torch::Tensor& packed, int64_t count);

}  // namespace qn
