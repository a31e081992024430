// The terminal report: one line per document (GPU, driver, date, roofs), a
// table of each shape's best, and the shape furthest from its limit.
#include <algorithm>

#include <fmt/format.h>

#include "reports/report_formats.hpp"
#include "reports/report_text.hpp"
#include "reports/tensor_counters.hpp"
#include "reports/terminal.hpp"

namespace tkbench {
namespace {

Style verdict_style(const std::string& verdict) {
  return verdict_at_limit(verdict) ? Style::green : verdict == "near the limit" ? Style::yellow : Style::red;
}

std::string table_to_string(const Table& table, bool color) {
  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* stream = ::open_memstream(&buffer, &size);
  table.print(stream, color);
  std::fclose(stream);
  std::string out(buffer, size);
  std::free(buffer);
  return out;
}

}  // namespace

std::string render_terminal(const Report& report, bool color) {
  std::string out;
  for (std::size_t d = 0; d < report.documents.size(); ++d) {
    const ResultDocument& doc = report.documents[d];
    std::string label = report.document_label(d);
    out += styled(fmt::format("{}{}", label.empty() ? "" : "[" + label + "] ", document_title(doc)), Style::bold, color) +
           fmt::format("  ({})\n", doc.path);
    DType dtype = doc.set.results.empty() ? DType::bf16 : doc.set.results.front().problem.dtype;
    out += "  roofs: " + roofs_summary(doc, dtype, ", ") + "\n";
  }
  out += "\n";
  const auto rows = compare_by_key(report);
  const bool several = report.documents.size() > 1;
  const bool sized = has_size_roofs(report);  // "% of size roof" beside "% of copy"
  if (!documents_overlap(report)) {
    std::vector<std::string> header = {"template", "shape", "dtype", "best config", "time", "GB/s", "% of copy", "% of theor.", "bound", "DRAM eff.",
                 "occupancy", "configs", "verdict"};
    // The tensor pipe's activity and the L2 hit rate when a best result has them (tune --counters of a tensor-pipe template).
    const bool tensor = std::any_of(report.groups.begin(), report.groups.end(), [&](const ShapeGroup& g) {
      const ReportPoint* best = best_point(report, g);
      return best && has_tensor_counters(best->figures);
    });
    if (tensor) header.insert(header.begin() + 11, {"tensor pipe", "L2 hit"});
    // "% of cuBLAS" (or another library) when a document timed the template's [baseline].
    const bool libraries = std::any_of(report.groups.begin(), report.groups.end(), [](const ShapeGroup& g) { return !g.library.empty(); });
    if (libraries) header.insert(header.begin() + 8, "% of library");
    if (sized) header.insert(header.begin() + 7, "% of size roof");
    if (several) header.insert(header.begin(), "doc");
    Table table(header);
    auto add = [&](const ShapeGroup& g, std::vector<Cell> cells) {
      const ReportPoint* best = best_point(report, g);
      if (tensor) {
        auto pct = [](const std::optional<double>& v) { return v ? format_pct(*v) : std::string("-"); };
        cells.insert(cells.begin() + 11, {Cell(best ? pct(best->figures.tensor_pipe_pct) : "-"),
                                          Cell(best ? pct(best->figures.l2_hit_rate_pct) : "-")});
      }
      if (libraries)
        cells.insert(cells.begin() + 8, g.pct_of_library ? Cell(fmt::format("{} {}", format_pct(*g.pct_of_library), library_display_name(g.library)))
                                                         : Cell(g.library.empty() ? "-" : "failed"));
      if (sized) cells.insert(cells.begin() + 7, best ? Cell(size_roof_pct(best->figures)) : Cell("-"));
      if (several) cells.insert(cells.begin(), Cell(report.document_label(g.document)));
      table.add_row(std::move(cells));
    };
    for (const auto& g : report.groups) {
      const ReportPoint* best = best_point(report, g);
      std::string configs = g.failed ? fmt::format("{} ({} failed)", g.evaluated, g.failed) : std::to_string(g.evaluated);
      if (!best) {
        add(g, {g.template_name, g.problem.shape_str(), std::string(dtype_info(g.problem.dtype).name),
                       Cell("no valid config", Style::red), "-", "-", "-", "-", "-", "-", "-", configs, Cell(g.verdict, Style::red)});
        continue;
      }
      const RooflineFigures& f = best->figures;
      const Result& r = report.result_of(*best);
      add(g, {g.template_name, g.problem.shape_str(), std::string(dtype_info(g.problem.dtype).name), r.config.str(),
                     format_us(r.measurement->timing->median_us), fmt::format("{:.0f}", f.bandwidth / 1e9),
                     f.pct_of_measured > 0 ? format_pct(f.pct_of_measured) : "-", format_pct(f.pct_of_theoretical),
                     fmt::format("{} {}", format_pct(f.pct_of_bound), f.bound_by),
                     f.dram_efficiency > 0 ? format_pct(100 * f.dram_efficiency) : "-",
                     f.achieved_occupancy > 0 ? fmt::format("{:.0f}/{:.0f}%", 100 * f.achieved_occupancy, 100 * f.theoretical_occupancy) : "-",
                     configs, Cell(g.verdict, verdict_style(g.verdict))});
    }
    out += table_to_string(table, color);
  } else {
    // Side by side: each document's best time and % of its bound, and the speedup against the first.
    std::vector<std::string> header = {"template", "shape", "dtype"};
    for (std::size_t d = 0; d < report.documents.size(); ++d) {
      std::string l = report.document_label(d);
      header.push_back("time " + l);
      header.push_back("% of bound " + l);
      if (sized) header.push_back("% of size roof " + l);
      if (d > 0) header.push_back(fmt::format("{} vs A", l));
    }
    Table table(header);
    for (const auto& row : rows) {
      std::size_t present = 0;
      for (const auto& g : row.groups)
        if (g) { present = *g; break; }
      const ShapeGroup& any = report.groups[present];
      std::vector<Cell> cells = {any.template_name, any.problem.shape_str(), std::string(dtype_info(any.problem.dtype).name)};
      const ReportPoint* first = row.groups[0] ? best_point(report, report.groups[*row.groups[0]]) : nullptr;
      for (std::size_t d = 0; d < report.documents.size(); ++d) {
        const ReportPoint* best = row.groups[d] ? best_point(report, report.groups[*row.groups[d]]) : nullptr;
        if (best) {
          const ShapeGroup& g = report.groups[*row.groups[d]];
          cells.emplace_back(format_us(report.result_of(*best).measurement->timing->median_us));
          cells.emplace_back(format_pct(best->figures.pct_of_bound), verdict_style(g.verdict));
          if (sized) cells.emplace_back(size_roof_pct(best->figures), verdict_style(g.verdict));
        } else {
          cells.emplace_back("-");
          cells.emplace_back("-");
          if (sized) cells.emplace_back("-");
        }
        if (d == 0) continue;
        if (best && first) {
          double speedup = report.result_of(*first).measurement->timing->median_us / report.result_of(*best).measurement->timing->median_us;
          cells.emplace_back(fmt::format("{:.2f}x", speedup), speedup >= 1.02 ? Style::green : speedup <= 0.98 ? Style::red : Style::plain);
        } else {
          cells.emplace_back("-");
        }
      }
      table.add_row(cells);
    }
    out += table_to_string(table, color);
  }
  if (report.furthest) {
    const ShapeGroup& g = report.groups[*report.furthest];
    std::string label = report.document_label(g.document);
    out += fmt::format("\n{} {}{} at {}: {}\n", styled("Furthest from the limit:", Style::bold, color), g.key(),
                       label.empty() ? "" : " [" + label + "]", bound_phrase(*best_point(report, g)), g.why);
  }
  return out;
}

}  // namespace tkbench
