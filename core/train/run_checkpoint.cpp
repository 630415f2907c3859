#include "train/run_checkpoint.h"

#include "io/checkpoint.h"

namespace qn {

nlohmann::json result_summary(const RunResult& result) {
  return {
      {"metric_name", result.metric_name},
      {"metric", result.metric},
      {"float_metric", result.float_metric},
      {"evaluation_split", result.evaluation_split},
      {"size_bytes", result.size.total_bytes()},
      {"fp32_size_bytes", result.size.fp32_bytes()},
      {"compression", result.size.compression()},
      {"seconds", result.seconds},
      {"steps", result.steps},
      {"device", result.device},
  };
}

std::string run_checkpoint(const RunConfig& config, const RunResult& result) {
  return encode_checkpoint(result.compressed, to_json(config), result_summary(result));
}

}  // namespace qn
