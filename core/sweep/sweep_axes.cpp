#include "sweep/sweep_axes.h"

#include "common/error.h"
#include "config/choices.h"
#include "sweep/sweep_spec.h"
#include "train/run_check.h"

namespace qn {


std::vector<size_t> sweepable_quantizers() {
  std::vector<size_t> indices;
  const auto& choices = quantizer_choices();
  for (size_t i = 0; i < choices.size(); ++i) {
    const auto method = choices[i].method;
    if (method != QuantMethod::None && (method != QuantMethod::Int || choices[i].bits > 0)) {
      indices.push_back(i);
    }
  }
  return indices;
}

PlannedSweep plan_sweep(const RunConfig& base, const SweepAxes& axes) {
  if (axes.quantizers.empty() || axes.noise_modes.empty()) {
    throw InputError("pick at least one quantizer and one noise mode");
  }
  PlannedSweep plan;
  for (const auto index : axes.quantizers) {
    const auto& quantizer = quantizer_choices().at(index);
    for (const auto mode : axes.noise_modes) {
      auto config = base;
      quantizer.apply_to(config.quant);
      config.noise.mode = mode;
      const bool codebooks = uses_codebooks(quantizer.method);
      if (mode == NoiseMode::Ste && codebooks) config.noise.form = NoiseForm::Exact;
      nlohmann::json grid = nlohmann::json::object();
      if (mode == NoiseMode::QuantNoise) grid["noise.p"] = axes.rates;
      if (codebooks) grid["quant.block_size.linear"] = axes.linear_blocks;
      const auto& mode_label = noise_mode_choices().at(noise_mode_choice_of(mode)).label;
      nlohmann::json spec = {{"name", axes.name + " (" + quantizer.label + ", " + mode_label + ")"},
                             {"base", to_json(config)},
                             {"grid", grid},
                             {"seeds", axes.seeds}};
      const auto configs = expand_sweep(parse_sweep_spec(spec));
      // Every point's rules (p = 1 with the proxy form is refused here, not later by the
      // store); its model is built once a quantizer (check_before_training's memo).
      for (const auto& expanded : configs) check_before_training(expanded);
      plan.run_count += configs.size();
      plan.specs.push_back(std::move(spec));
    }
  }
  return plan;
}

}  // namespace qn
