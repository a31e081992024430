#include "tuner/model_ranking.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

namespace tkbench {

std::optional<double> predicted_cost(const TemplateSpec& spec, const Problem& problem, const Config& config) {
  if (!spec.model) return std::nullopt;
  Bindings b = problem.bindings();
  config.bind(b);
  try {
    for (const auto& [name, expr] : spec.model->let) b[name] = expr.evaluate(b);
    const double cost = spec.model->cost.evaluate(b);
    if (!(cost > 0))
      throw InputError(fmt::format("{}: [model] cost '{}' is {}; it must be a positive predicted time",
                                   spec.model->cost.where().str(), spec.model->cost.text(), cost));
    return cost;
  } catch (const InputError& e) {
    throw InputError(fmt::format("{} (for {} at shape {})", e.what(), config.str(), problem.shape_str()));
  }
}

std::vector<Config> rank_by_model(const TemplateSpec& spec, const Problem& problem, std::vector<Config> configs) {
  if (!spec.model) return configs;
  std::vector<double> cost;
  cost.reserve(configs.size());
  for (const auto& c : configs) cost.push_back(*predicted_cost(spec, problem, c));
  std::vector<std::size_t> order(configs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cost[a] < cost[b]; });
  std::vector<Config> out;
  out.reserve(configs.size());
  for (std::size_t i : order) out.push_back(std::move(configs[i]));
  return out;
}

}  // namespace tkbench
