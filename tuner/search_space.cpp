#include "tuner/search_space.hpp"

#include <algorithm>
#include <random>
#include <set>

#include <fmt/format.h>

namespace tkbench {
namespace {
// Above this many raw configs, enumeration is refused: sample instead.
constexpr double kMaxEnumerable = 2e7;
}  // namespace

SearchSpace::SearchSpace(const TemplateSpec& spec, const Problem& problem) : spec_(spec), problem_(problem) {}

Config SearchSpace::config_at(std::uint64_t index) const {
  Config config;
  config.values.resize(spec_.params.size());
  for (std::size_t i = spec_.params.size(); i-- > 0;) {
    const auto& values = spec_.params[i].values;
    config.values[i] = {spec_.params[i].name, values[index % values.size()]};
    index /= values.size();
  }
  return config;
}

bool SearchSpace::matches(const Config& config, const ConfigFilter& filter) const {
  for (const auto& [name, value] : config.values) {
    auto it = filter.find(name);
    if (it != filter.end() && it->second != value) return false;
  }
  return true;
}

bool SearchSpace::satisfies(const Config& config) const { return !violation(config); }

std::optional<std::string> SearchSpace::violation(const Config& config) const {
  Bindings b = problem_.bindings();
  config.bind(b);
  for (const auto& c : spec_.constraints) {
    double ok = 0;
    try {
      ok = c.expr.evaluate(b);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{} (for {} at shape {})", e.what(), config.str(), problem_.shape_str()));
    }
    if (ok == 0) return fmt::format("constraint '{}' ({})", c.expr.text(), c.expr.where().str());
  }
  return std::nullopt;
}

std::vector<Config> SearchSpace::enumerate(const ConfigFilter& filter) const {
  if (raw_size() > kMaxEnumerable)
    throw InputError(fmt::format("{} has {:.3g} raw configs, too many to enumerate; fix some with --config or sample",
                                 spec_.name, raw_size()));
  const auto total = static_cast<std::uint64_t>(raw_size());
  std::vector<Config> valid;
  std::uint64_t candidates = 0;
  // How many candidates each constraint rejects, to explain an empty space.
  std::vector<std::uint64_t> rejected(spec_.constraints.size(), 0);
  for (std::uint64_t i = 0; i < total; ++i) {
    Config config = config_at(i);
    if (!matches(config, filter)) continue;
    ++candidates;
    Bindings b = problem_.bindings();
    config.bind(b);
    bool ok = true;
    for (std::size_t c = 0; c < spec_.constraints.size(); ++c) {
      double pass = 0;
      try {
        pass = spec_.constraints[c].expr.evaluate(b);
      } catch (const InputError& e) {
        throw InputError(fmt::format("{} (for {} at shape {})", e.what(), config.str(), problem_.shape_str()));
      }
      if (pass == 0) {
        ++rejected[c];
        ok = false;
      }
    }
    if (ok) valid.push_back(std::move(config));
  }
  if (!valid.empty()) return valid;

  std::string scope = filter.empty() ? "" : " matching --config";
  std::string at = fmt::format(" at shape {} {}", problem_.shape_str(), dtype_info(problem_.dtype).name);
  for (std::size_t c = 0; c < rejected.size(); ++c)
    if (rejected[c] == candidates)
      throw InputError(fmt::format("the space is empty{}: constraint '{}' ({}) rejects all {} configs{}", at,
                                   spec_.constraints[c].expr.text(), spec_.constraints[c].expr.where().str(),
                                   candidates, scope));
  std::string detail;
  for (std::size_t c = 0; c < rejected.size(); ++c)
    detail += fmt::format("{}'{}' rejects {}", detail.empty() ? "" : ", ", spec_.constraints[c].expr.text(), rejected[c]);
  throw InputError(fmt::format("the space is empty{}: no config{} satisfies all constraints together ({} of {})", at,
                               scope, detail, candidates));
}

std::vector<Config> SearchSpace::sample(std::size_t count, std::uint64_t seed, const ConfigFilter& filter) const {
  if (raw_size() <= 4.0 * static_cast<double>(count) && raw_size() <= kMaxEnumerable) {
    // Small space: shuffle the valid list instead of rejection sampling.
    auto all = enumerate(filter);
    std::mt19937_64 rng(seed);
    std::shuffle(all.begin(), all.end(), rng);
    if (all.size() > count) all.resize(count);
    return all;
  }
  std::mt19937_64 rng(seed);
  std::set<std::uint64_t> tried;
  std::vector<Config> out;
  const double limit = std::min(raw_size(), 50.0 * static_cast<double>(count) + 1000.0);
  std::uniform_int_distribution<std::uint64_t> pick(0, static_cast<std::uint64_t>(raw_size()) - 1);
  while (out.size() < count && static_cast<double>(tried.size()) < limit) {
    std::uint64_t i = pick(rng);
    if (!tried.insert(i).second) continue;
    Config config = config_at(i);
    if (matches(config, filter) && satisfies(config)) out.push_back(std::move(config));
  }
  if (out.empty()) return enumerate(filter);  // throws the explanation when the space is empty
  return out;
}

std::optional<Config> SearchSpace::default_config() const {
  Config config;
  for (const auto& p : spec_.params) {
    auto it = spec_.default_config.find(p.name);
    config.values.emplace_back(p.name, it != spec_.default_config.end() ? it->second : p.values.front());
  }
  if (satisfies(config)) return config;
  // Keep the declared values, let the rest move to the first valid completion.
  ConfigFilter declared(spec_.default_config.begin(), spec_.default_config.end());
  try {
    return enumerate(declared).front();
  } catch (const InputError&) {
  }
  try {
    return enumerate().front();
  } catch (const InputError&) {
    return std::nullopt;
  }
}

}  // namespace tkbench
