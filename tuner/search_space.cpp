#include "tuner/search_space.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <random>
#include <set>

#include <fmt/format.h>

namespace tkbench {
namespace {
// Partial configs the walk may visit before it counts as too large to
// enumerate (a few seconds of constraint checks at worst); sample beyond that.
constexpr std::uint64_t kMaxWalkNodes = 4'000'000;
// The explanation of an empty space checks every constraint on every raw
// config; above this many it names no constraint.
constexpr double kMaxExplained = 2e7;
}  // namespace

SearchSpace::SearchSpace(const TemplateSpec& spec, const Problem& problem)
    : spec_(spec), problem_(problem), constraints_at_(spec.params.size()) {
  // Each constraint belongs to the deepest parameter it names: checked as soon
  // as that one has a value, which cuts every subtree below a failing prefix.
  for (std::size_t c = 0; c < spec_.constraints.size(); ++c) {
    int level = -1;
    for (const auto& name : spec_.constraints[c].expr.names())
      for (std::size_t p = 0; p < spec_.params.size(); ++p)
        if (spec_.params[p].name == name) level = std::max(level, static_cast<int>(p));
    if (level < 0) constraints_fixed_.push_back(c);
    else constraints_at_[static_cast<std::size_t>(level)].push_back(c);
  }
}

bool SearchSpace::passes(std::size_t c, const Bindings& b, const Config& partial) const {
  try {
    return spec_.constraints[c].expr.evaluate(b) != 0;
  } catch (const InputError& e) {
    throw InputError(fmt::format("{} (for {} at shape {})", e.what(), partial.str(), problem_.shape_str()));
  }
}

std::optional<std::size_t> SearchSpace::extend(std::size_t level, long long value, Bindings& b, Config& partial) const {
  const std::string& name = spec_.params[level].name;
  b[name] = static_cast<double>(value);
  partial.values.emplace_back(name, value);
  for (std::size_t c : constraints_at_[level])
    if (!passes(c, b, partial)) return c;
  return std::nullopt;
}

bool SearchSpace::satisfies(const Config& config) const { return !violation(config); }

std::optional<std::string> SearchSpace::violation(const Config& config) const {
  Bindings b = problem_.bindings();
  config.bind(b);
  for (std::size_t c = 0; c < spec_.constraints.size(); ++c)
    if (!passes(c, b, config))
      return fmt::format("constraint '{}' ({})", spec_.constraints[c].expr.text(), spec_.constraints[c].expr.where().str());
  return std::nullopt;
}

std::optional<SearchSpace::Walk> SearchSpace::walk(const ConfigFilter& filter, std::uint64_t max_nodes) const {
  Walk out;
  out.pruned_by.assign(spec_.constraints.size(), 0);
  std::vector<Config>& valid = out.valid;
  // below[l]: raw configs (matching the filter) under one value of params[l].
  std::vector<std::uint64_t> below(spec_.params.size() + 1, 1);
  for (std::size_t l = spec_.params.size(); l-- > 0;)
    below[l] = below[l + 1] * (filter.count(spec_.params[l].name) ? 1 : spec_.params[l].values.size());
  Bindings b = problem_.bindings();
  Config partial;  // the parameters assigned so far, in manifest order
  for (std::size_t c : constraints_fixed_)
    if (!passes(c, b, partial)) {
      out.pruned_by[c] = below[0];
      return out;
    }
  std::uint64_t nodes = 0;
  bool too_large = false;
  std::function<void(std::size_t)> visit = [&](std::size_t level) {
    if (level == spec_.params.size()) {
      valid.push_back(partial);
      return;
    }
    const ParamSpec& param = spec_.params[level];
    auto fixed = filter.find(param.name);
    for (long long value : param.values) {
      if (fixed != filter.end() && fixed->second != value) continue;
      if (++nodes > max_nodes) {
        too_large = true;
        return;
      }
      if (auto broken = extend(level, value, b, partial)) out.pruned_by[*broken] += below[level + 1];
      else visit(level + 1);
      partial.values.pop_back();
      if (too_large) return;
    }
    b.erase(param.name);
  };
  visit(0);
  if (too_large) return std::nullopt;
  return out;
}

bool SearchSpace::enumerable(const ConfigFilter& filter) const {
  if (enumerated_.count(filter)) return true;
  auto walked = walk(filter, kMaxWalkNodes);
  if (!walked || walked->valid.empty()) return walked.has_value();
  pruned_.emplace(filter, std::move(walked->pruned_by));
  enumerated_.emplace(filter, std::move(walked->valid));
  return true;
}

std::vector<Config> SearchSpace::enumerate(const ConfigFilter& filter) const {
  if (auto it = enumerated_.find(filter); it != enumerated_.end()) return it->second;
  auto walked = walk(filter, kMaxWalkNodes);
  if (!walked)
    throw InputError(fmt::format("{} has {:.3g} raw configs and its constraints leave too many to list at shape {}; "
                                 "fix some parameters with --config, or sample (tune --strategy random)",
                                 spec_.name, raw_size(), problem_.shape_str()));
  if (walked->valid.empty()) explain_empty(filter);
  pruned_.emplace(filter, std::move(walked->pruned_by));
  return enumerated_.emplace(filter, std::move(walked->valid)).first->second;
}

std::vector<std::uint64_t> SearchSpace::pruned_by(const ConfigFilter& filter) const {
  if (auto it = pruned_.find(filter); it != pruned_.end()) return it->second;
  auto walked = walk(filter, kMaxWalkNodes);
  if (!walked) return {};
  return pruned_.emplace(filter, std::move(walked->pruned_by)).first->second;
}

void SearchSpace::explain_empty(const ConfigFilter& filter) const {
  std::string scope = filter.empty() ? "" : " matching --config";
  std::string at = fmt::format(" at shape {} {}", problem_.shape_str(), dtype_info(problem_.dtype).name);
  if (raw_size() > kMaxExplained)
    throw InputError(fmt::format("the space is empty{}: no config{} satisfies all constraints together", at, scope));
  // How many candidates each constraint rejects on its own, over the raw product.
  const auto total = static_cast<std::uint64_t>(raw_size());
  std::vector<std::uint64_t> rejected(spec_.constraints.size(), 0);
  std::uint64_t candidates = 0;
  for (std::uint64_t index = 0; index < total; ++index) {
    Config config;
    config.values.resize(spec_.params.size());
    std::uint64_t rest = index;
    for (std::size_t i = spec_.params.size(); i-- > 0;) {
      const auto& values = spec_.params[i].values;
      config.values[i] = {spec_.params[i].name, values[rest % values.size()]};
      rest /= values.size();
    }
    bool matches = std::all_of(config.values.begin(), config.values.end(), [&](const auto& kv) {
      auto it = filter.find(kv.first);
      return it == filter.end() || it->second == kv.second;
    });
    if (!matches) continue;
    ++candidates;
    Bindings b = problem_.bindings();
    config.bind(b);
    for (std::size_t c = 0; c < spec_.constraints.size(); ++c)
      if (!passes(c, b, config)) ++rejected[c];
  }
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

std::vector<Config> SearchSpace::random_descents(std::size_t count, std::uint64_t seed, const ConfigFilter& filter) const {
  // Each descent picks the parameters in manifest order, trying their values
  // in a random order and backing up from dead ends, so every config it
  // returns is valid however sparse the valid set is. Not exactly uniform:
  // a value with few valid completions is picked as often as one with many.
  std::mt19937_64 rng(seed);
  std::set<std::string> seen;
  std::vector<Config> out;
  Bindings b = problem_.bindings();
  Config partial;
  for (std::size_t c : constraints_fixed_)
    if (!passes(c, b, partial)) return out;
  std::uint64_t nodes = 0;
  std::function<bool(std::size_t)> descend = [&](std::size_t level) -> bool {
    if (level == spec_.params.size()) return seen.insert(partial.str()).second;
    const ParamSpec& param = spec_.params[level];
    std::vector<long long> order = param.values;
    std::shuffle(order.begin(), order.end(), rng);
    auto fixed = filter.find(param.name);
    for (long long value : order) {
      if (fixed != filter.end() && fixed->second != value) continue;
      if (++nodes > kMaxWalkNodes) return false;
      if (!extend(level, value, b, partial) && descend(level + 1)) return true;
      partial.values.pop_back();
    }
    b.erase(param.name);
    return false;
  };
  // A descent that finds only configs already drawn fails; a run of failures means the space is used up.
  for (int misses = 0; out.size() < count && misses < 64 && nodes <= kMaxWalkNodes;) {
    partial.values.clear();
    b = problem_.bindings();
    if (descend(0)) {
      out.push_back(partial);
      misses = 0;
    } else {
      ++misses;
    }
  }
  return out;
}

std::vector<Config> SearchSpace::sample(std::size_t count, std::uint64_t seed, const ConfigFilter& filter) const {
  if (enumerable(filter)) {
    auto all = enumerate(filter);  // throws the explanation when the space is empty
    std::mt19937_64 rng(seed);
    std::shuffle(all.begin(), all.end(), rng);
    if (all.size() > count) all.resize(count);
    return all;
  }
  auto out = random_descents(count, seed, filter);
  if (out.empty()) explain_empty(filter);
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
