#pragma once
// A gate spec (gate.toml): what `tkbench gate --spec` measures and the floors
// each result must clear. Format in docs/ci.md. Every mistake is an
// InputError with file:line:column, raised before any GPU work.
//
//   max_regression = "5%"          # optional defaults for every entry
//   min_sol = 0.90
//   [[entry]]
//   template = "rmsnorm_basic"
//   shapes = ["4096x8192", "16384x8192"]
//   dtype = "bf16"
//   config = "VEC=1"               # optional: gate the best config with these fixed
//   min_sol = 0.95                 # or "95%"
//   max_time_us = { "4096x8192" = 40.0 }   # or one number for every shape
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tuner/config.hpp"
#include "tuner/errors.hpp"
#include "tuner/problem.hpp"
#include "tuner/template_registry.hpp"

namespace tkbench {

struct GateSpecEntry {
  SourceLocation where;                      // the [[entry]] table
  const TemplateSpec* spec = nullptr;        // owned by the registry the spec was resolved against
  std::vector<Problem> problems;             // one per shape, in the order written
  ConfigFilter filter;                       // from `config`; empty: the tuned best
  std::string config_text;                   // as written
  std::optional<double> min_sol;             // fraction of the roof
  std::optional<double> max_time_us;         // for every shape
  std::map<std::string, double> max_time_us_by_shape;
  std::string strategy;                      // when it must tune: empty = tune's default
  std::size_t budget = 0;                    // 0: tune's default

  std::optional<double> max_time_for(const std::string& shape) const;
};

struct GateSpec {
  std::string path;
  std::optional<double> max_regression;  // --max-regression overrides it
  double max_time = 1.0;                 // seconds of timing per measured config, at most
  int min_samples = 50;                  // samples per measured config, at least
  std::vector<GateSpecEntry> entries;
};

// Parses `text` (shown as `path` in messages) and checks every entry against
// the registry: templates, shapes, dtypes, config filters.
GateSpec parse_gate_spec(const std::string& text, const std::string& path, const TemplateRegistry& registry);
// Reads the file; InputError when it cannot.
GateSpec load_gate_spec(const std::filesystem::path& path, const TemplateRegistry& registry);

// "5%" -> 0.05, "0.05" -> 0.05. A bare number above 1 is refused as
// ambiguous ("5" could mean 5% or 500%). Throws InputError naming `what`.
double parse_fraction(std::string_view text, std::string_view what);
// A speed-of-light floor ("90%" or 0.9): parse_fraction, refusing more than
// 100%, which no result can reach.
double parse_sol_floor(std::string_view text, std::string_view what);

}  // namespace tkbench
