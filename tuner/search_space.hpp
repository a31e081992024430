#pragma once
// SearchSpace: the configs of a template that are valid for one problem,
// the Cartesian product of the parameter lists filtered by the constraints.
#include <cstdint>
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
  // constraint that emptied the space.
  std::vector<Config> enumerate(const ConfigFilter& filter = {}) const;
  // Up to `count` distinct valid configs drawn uniformly, deterministic for a seed.
  std::vector<Config> sample(std::size_t count, std::uint64_t seed, const ConfigFilter& filter = {}) const;
  // The text and location of the first constraint `config` breaks, if any.
  std::optional<std::string> violation(const Config& config) const;
  // The manifest's [default] completed with each parameter's first value that
  // keeps the config valid; nullopt if the space is empty.
  std::optional<Config> default_config() const;

  double raw_size() const { return spec_.raw_space_size(); }
  const TemplateSpec& spec() const { return spec_; }

 private:
  Config config_at(std::uint64_t index) const;  // index into the raw product
  bool matches(const Config& config, const ConfigFilter& filter) const;
  bool satisfies(const Config& config) const;

  const TemplateSpec& spec_;
  Problem problem_;
};

}  // namespace tkbench
