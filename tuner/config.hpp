#pragma once
// Config: one point of a template's space, a value for every parameter, in
// the manifest's order. ConfigFilter: a partial assignment from --config.
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tuner/expression.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

struct Config {
  std::vector<std::pair<std::string, long long>> values;  // manifest order

  long long at(std::string_view name) const;
  std::string str() const;  // "VEC=8,THREADS=256"
  void bind(Bindings& bindings) const;
  bool operator==(const Config&) const = default;
};

// Parameters fixed by the user: --config VEC=8,THREADS=256.
using ConfigFilter = std::map<std::string, long long, std::less<>>;

// Rejects unknown parameter names and values outside their lists, naming
// the allowed ones. Booleans may be written true/false or 1/0.
ConfigFilter parse_config_filter(std::string_view text, const TemplateSpec& spec);

}  // namespace tkbench
