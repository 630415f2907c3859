#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "io/qnz_format.h"
#include "quant/compressed_model.h"

namespace qn {

// A compressed model as .qnz bytes (qnz_format.h), with the run's config and result
// (JSON, or null) in the header. The payload is exactly model.size().total_bytes().
std::string encode_checkpoint(const CompressedModel& model, const nlohmann::json& config,
                              const nlohmann::json& result);

// The compressed model a parsed checkpoint holds, on the CPU: each tensor decodes to
// exactly the values the model that wrote it computed with.
CompressedModel decode_checkpoint(const QnzFile& file);

}  // namespace qn
