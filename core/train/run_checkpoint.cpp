#include "train/run_checkpoint.h"

#include "io/checkpoint.h"

namespace qn {

std::string run_checkpoint(const RunConfig& config, const RunResult& result) {
  const nlohmann::json summary = {
      {"metric_name", result.metric_name},
      {"metric", result.metric},
      {"float_metric", result.float_metric},
      {"evaluation_split", result.evaluation_split},
      {"size_bytes", result.size.total_bytes()},
      {"fp32_size_bytes", result.size.fp32_bytes()},
      {"device", result.device},
  };
  return encode_checkpoint(result.compressed, to_json(config), summary);
}

}  // namespace qn
