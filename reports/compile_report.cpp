#include "reports/compile_report.hpp"

#include <fmt/format.h>

#include "reports/terminal.hpp"
#include "tuner/occupancy.hpp"
#include "tuner/template_check.hpp"
#include "tuner/result_json.hpp"

namespace tkbench {
void print_compile_table(std::FILE* out, const TemplateSpec& spec, const std::vector<Result>& results,
                         const std::vector<std::optional<DriverCheck>>& checks, bool color) {
  std::vector<std::string> header;
  for (const auto& p : spec.params) header.push_back(p.name);
  bool with_driver = false;
  for (const auto& c : checks) with_driver = with_driver || c.has_value();
  for (const char* h : {"block", "regs", "spill st/ld", "stack", "smem", "occupancy", "limit", "ms", "cache"}) header.push_back(h);
  if (with_driver) {
    header.push_back("drv regs");
    header.push_back("drv blk/SM");
  }
  header.push_back("status");
  Table table(header);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    std::vector<Cell> row;
    for (const auto& [name, value] : r.config.values) {
      const ParamSpec* p = spec.find_param(name);
      row.emplace_back(p && p->is_bool ? (value ? "true" : "false") : std::to_string(value));
    }
    if (r.compile) {
      const auto& c = *r.compile;
      const auto& res = c.resources;
      bool spills = res.spill_store_bytes > 0 || res.spill_load_bytes > 0;
      row.emplace_back(std::to_string(c.geometry.threads_per_block()));
      row.emplace_back(std::to_string(res.registers));
      row.emplace_back(fmt::format("{}/{}", res.spill_store_bytes, res.spill_load_bytes), spills ? Style::red : Style::plain);
      row.emplace_back(std::to_string(res.stack_bytes), res.stack_bytes > 0 ? Style::yellow : Style::plain);
      row.emplace_back(std::to_string(res.shared_static_bytes + c.geometry.dynamic_shared_bytes));
      if (arch_limits(c.arch))
        row.emplace_back(fmt::format("{:.0f}% {}blk", 100 * c.occupancy.fraction, c.occupancy.blocks_per_sm),
                         c.occupancy.blocks_per_sm == 0 ? Style::red : Style::plain);
      else
        row.emplace_back("-");  // no table for this arch: unknown, not 0%
      row.emplace_back(c.occupancy.limiter);
      row.emplace_back(c.cache_hit ? "-" : fmt::format("{:.0f}", c.compile_ms));
      row.emplace_back(c.cache_hit ? "hit" : "miss", c.cache_hit ? Style::green : Style::plain);
    } else {
      for (int k = 0; k < 9; ++k) row.emplace_back("-");
    }
    if (with_driver) {
      const auto& check = i < checks.size() ? checks[i] : std::nullopt;
      if (check && check->error.empty()) {
        Style s = check->agrees ? Style::green : Style::red;
        row.emplace_back(std::to_string(check->registers), s);
        row.emplace_back(std::to_string(check->blocks_per_sm), s);
      } else {
        row.emplace_back("-");
        row.emplace_back("-");
      }
    }
    std::string status(status_name(r.status));
    if (r.status != Status::ok) status += ": " + compile_error_headline(r.reason).substr(0, 120);
    row.emplace_back(status, r.status == Status::ok ? Style::plain : Style::red);
    table.add_row(std::move(row));
  }
  table.print(out, color);
}

void print_compile_summary(std::FILE* out, const CompileSummary& s, bool color) {
  std::string line = fmt::format("{} configs for {} in {:.1f} s: {} compiled, {} from cache", s.compiled + s.cache_hits + s.failed + s.skipped,
                                 s.arch, s.wall_ms / 1000, s.compiled, s.cache_hits);
  if (s.failed) line += styled(fmt::format(", {} failed to compile", s.failed), Style::red, color);
  if (s.skipped) line += fmt::format(", {} skipped", s.skipped);
  line += fmt::format(" (NVRTC {}; cache {})", s.nvrtc_version, s.cache_dir.empty() ? "off" : s.cache_dir);
  std::fprintf(out, "%s\n", line.c_str());
}

nlohmann::ordered_json compile_document(const TemplateSpec& spec, const std::vector<Result>& results,
                                const std::vector<std::optional<DriverCheck>>& checks, const CompileSummary& s) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < results.size(); ++i) {
    auto row = to_json(results[i]);
    if (i < checks.size() && checks[i]) {
      const auto& c = *checks[i];
      row["driver"] = c.error.empty() ? nlohmann::ordered_json{{"registers", c.registers}, {"blocks_per_sm", c.blocks_per_sm}, {"agrees", c.agrees}}
                                      : nlohmann::ordered_json{{"error", c.error}};
    }
    rows.push_back(row);
  }
  return {{"schema", "tkbench.compile/1"},
          {"tool_version", TKBENCH_VERSION},
          {"template", spec.name},
          {"source_hash", spec.source_hash},
          {"arch", s.arch},
          {"nvrtc", s.nvrtc_version},
          {"summary", {{"configs", results.size()}, {"compiled", s.compiled}, {"cache_hits", s.cache_hits},
                       {"compile_errors", s.failed}, {"skipped", s.skipped}, {"wall_ms", s.wall_ms}}},
          {"results", rows}};
}

}  // namespace tkbench
