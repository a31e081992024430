#pragma once
// Output of `tkbench compile`: one row per config with its resources and
// theoretical occupancy, as a terminal table or a JSON document.
#include <cstdio>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuner/result.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

// What the driver said about a loaded CUBIN (compile --on-device).
struct DriverCheck {
  int registers = 0;
  int blocks_per_sm = 0;
  bool agrees = false;  // registers and blocks/SM equal tkbench's own figures
  std::string error;    // the kernel could not be loaded
};

struct CompileSummary {
  std::string arch;
  std::string nvrtc_version;
  double wall_ms = 0;
  std::size_t compiled = 0, cache_hits = 0, failed = 0, skipped = 0;
  std::string cache_dir;  // empty when caching is off
};

void print_compile_table(std::FILE* out, const TemplateSpec& spec, const std::vector<Result>& results,
                         const std::vector<std::optional<DriverCheck>>& checks, bool color);
void print_compile_summary(std::FILE* out, const CompileSummary& summary, bool color);
nlohmann::ordered_json compile_document(const TemplateSpec& spec, const std::vector<Result>& results,
                                const std::vector<std::optional<DriverCheck>>& checks, const CompileSummary& summary);

}  // namespace tkbench
