#pragma once
// A template's [model] applied to configs: the predicted relative cost of each
// (lower is better) and the configs in that order, before anything compiles.
// Searches start from the configs the model ranks best (strategy.hpp).
#include <optional>
#include <vector>

#include "tuner/config.hpp"
#include "tuner/problem.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

// The model's cost of `config` at `problem`; nullopt when the template has no
// [model]. Throws InputError (naming the config and shape) when an expression
// fails, or the cost is not positive.
std::optional<double> predicted_cost(const TemplateSpec& spec, const Problem& problem, const Config& config);

// `configs` ordered by predicted cost, cheapest first; ties keep their order.
// Unchanged when the template has no [model].
std::vector<Config> rank_by_model(const TemplateSpec& spec, const Problem& problem, std::vector<Config> configs);

}  // namespace tkbench
