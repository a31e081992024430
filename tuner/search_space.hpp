#pragma once
// SearchSpace: the configs of a template that are valid for one problem,
// the Cartesian product of the parameter lists filtered by the constraints.
//
// The valid set is found by a depth-first walk over the parameters in
// manifest order that checks each constraint as soon as every parameter it
// names has a value, so whole subtrees of the raw product are cut at once
// (rmsnorm: 626,688 raw configs, about 1,000 valid, walked in milliseconds).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tuner/config.hpp"
#include "tuner/problem.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

class SearchSpace {
 public:
  SearchSpace(const TemplateSpec& spec, const Problem& problem);

  // Every valid config that agrees with `filter`, in odometer order (last
  // parameter fastest). Throws InputError when none is left, naming the
  // constraint that emptied the space, or when the walk would take too long
  // (then sample). Remembered per filter: a second call is free.
  std::vector<Config> enumerate(const ConfigFilter& filter = {}) const;
  // Whether enumerate(filter) finishes within its work limit.
  bool enumerable(const ConfigFilter& filter = {}) const;
  // Up to `count` distinct valid configs, deterministic for a seed: drawn
  // uniformly from the valid set where it can be enumerated, else by random
  // descents that respect the constraints level by level. Fewer than `count`
  // only when the space holds fewer.
  std::vector<Config> sample(std::size_t count, std::uint64_t seed, const ConfigFilter& filter = {}) const;
  // Per constraint (spec().constraints order): how many configs of the raw
  // product matching `filter` it removes, each counted once, for the first
  // constraint the walk finds it breaking. Sums with the valid configs to the
  // raw size. Empty when the space is too large to walk.
  std::vector<std::uint64_t> pruned_by(const ConfigFilter& filter = {}) const;
  // The text and location of the first constraint `config` breaks, if any.
  std::optional<std::string> violation(const Config& config) const;
  // The manifest's [default] completed with each parameter's first value that
  // keeps the config valid; nullopt if the space is empty.
  std::optional<Config> default_config() const;

  double raw_size() const { return spec_.raw_space_size(); }
  const TemplateSpec& spec() const { return spec_; }
  const Problem& problem() const { return problem_; }

 private:
  struct Walk {
    std::vector<Config> valid;  // in odometer order
    std::vector<std::uint64_t> pruned_by;
  };
  // The valid configs and what each constraint cut; nullopt once `max_nodes` partial configs were visited.
  std::optional<Walk> walk(const ConfigFilter& filter, std::uint64_t max_nodes) const;
  std::vector<Config> random_descents(std::size_t count, std::uint64_t seed, const ConfigFilter& filter) const;
  // Counts what each constraint rejects over the raw product and throws the explanation of an empty space.
  [[noreturn]] void explain_empty(const ConfigFilter& filter) const;
  bool satisfies(const Config& config) const;
  bool passes(std::size_t constraint, const Bindings& bindings, const Config& partial) const;
  // Gives params[level] `value` in `bindings` and `partial` (the caller pops it
  // again) and checks the constraints whose last parameter it is: the index
  // of the first that fails, or nullopt.
  std::optional<std::size_t> extend(std::size_t level, long long value, Bindings& bindings, Config& partial) const;

  const TemplateSpec& spec_;
  Problem problem_;
  // constraints_at_[i]: the constraints whose last named parameter is params[i];
  // constraints naming no parameter are checked before the walk (level 0 with the first).
  std::vector<std::vector<std::size_t>> constraints_at_;
  std::vector<std::size_t> constraints_fixed_;  // name dims and dtype only
  mutable std::map<ConfigFilter, std::vector<Config>> enumerated_;
  mutable std::map<ConfigFilter, std::vector<std::uint64_t>> pruned_;
};

}  // namespace tkbench
