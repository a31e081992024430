// The Markdown report, for a PR comment: a line per GPU, a table of each
// shape's best (side by side for several documents), and a one-line verdict
// per shape, furthest from the limit first.
#include <algorithm>

#include <fmt/format.h>

#include "reports/report_formats.hpp"
#include "reports/report_text.hpp"
#include "reports/tensor_counters.hpp"

namespace tkbench {
namespace {

// Text from manifests and results must not break the table or inject HTML.
std::string md(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '|': out += "\\|"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '`': out += "'"; break;
      case '*': case '_': case '[': case ']': case '\\': out += '\\'; out += c; break;
      case '\n': case '\r': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

const char* mark(const std::string& verdict) {
  return verdict_at_limit(verdict) ? "🟢" : verdict == "near the limit" ? "🟡" : "🔴";
}

}  // namespace

std::string render_markdown(const Report& report) {
  std::string out = "### tkbench roofline report\n\n";
  for (std::size_t d = 0; d < report.documents.size(); ++d) {
    const ResultDocument& doc = report.documents[d];
    std::string label = report.document_label(d);
    DType dtype = doc.set.results.empty() ? DType::bf16 : doc.set.results.front().problem.dtype;
    out += fmt::format("- {}**{}** — roofs: {}\n", label.empty() ? "" : "**" + label + "** ", md(document_title(doc)),
                       md(roofs_summary(doc, dtype, ", ")));
  }
  out += "\n";
  const bool sized = has_size_roofs(report);  // "% of size roof" beside "% of copy"; the verdict's mark on the figure it judges
  if (!documents_overlap(report)) {
    const bool several = report.documents.size() > 1;
    out += several ? "| doc " : "";
    out += sized ? "| template | shape | dtype | best config | time | GB/s | % of copy | % of size roof | % of bound | bound by | configs |\n"
                 : "| template | shape | dtype | best config | time | GB/s | % of copy | % of bound | bound by | configs |\n";
    out += several ? "|---" : "";
    out += sized ? "|---|---|---|---|--:|--:|--:|--:|--:|---|--:|\n" : "|---|---|---|---|--:|--:|--:|--:|---|--:|\n";
    std::string library_lines, counter_lines;
    for (const auto& g : report.groups) {
      const ReportPoint* best = best_point(report, g);
      std::string head = several ? "| " + report.document_label(g.document) + " " : "";
      head += fmt::format("| {} | {} | {} ", md(g.template_name), g.problem.shape_str(), dtype_info(g.problem.dtype).name);
      std::string configs = g.failed ? fmt::format("{} ({} failed)", g.evaluated, g.failed) : std::to_string(g.evaluated);
      if (!best) {
        out += head + fmt::format("| no valid config | - | - | - | {}- | - | {} |\n", sized ? "- | " : "", configs);
        continue;
      }
      const Result& r = report.result_of(*best);
      const RooflineFigures& f = best->figures;
      const std::string judged = f.has_size_roof() ? fmt::format("{} {} | {}", mark(g.verdict), size_roof_pct(f), format_pct(f.pct_of_bound))
                                 : sized ? fmt::format("- | {} {}", mark(g.verdict), format_pct(f.pct_of_bound))
                                         : fmt::format("{} {}", mark(g.verdict), format_pct(f.pct_of_bound));
      out += head + fmt::format("| {} | {} | {:.0f} | {} | {} | {} | {} |\n", md(r.config.str()),
                                format_us(r.measurement->timing->median_us), f.bandwidth / 1e9,
                                f.pct_of_measured > 0 ? format_pct(f.pct_of_measured) : "-", judged, md(f.bound_by), configs);
      if (g.pct_of_library)  // the library timed in the same run: listed under the table, which keeps its columns
        library_lines += fmt::format("- {} {}: **{}** of {} ({} against {}, same run)\n", md(g.template_name), g.problem.shape_str(),
                                     format_pct(*g.pct_of_library), library_display_name(g.library),
                                     format_us(r.measurement->timing->median_us), format_us(*g.library_us));
      if (has_tensor_counters(f))  // also listed under the table, for the same reason
        counter_lines += fmt::format("- {} {}: {}\n", md(g.template_name), g.problem.shape_str(), md(tensor_counters_summary(f)));
    }
    if (!library_lines.empty()) out += "\nAgainst the template's library baseline:\n\n" + library_lines;
    if (!counter_lines.empty()) out += "\nTensor-pipe counters of each shape's best:\n\n" + counter_lines;
  } else {
    out += "| template | shape | dtype |";
    std::string rule = "|---|---|---|";
    for (std::size_t d = 0; d < report.documents.size(); ++d) {
      std::string l = report.document_label(d);
      out += fmt::format(" time {0} | % of bound {0} |", l);
      rule += "--:|--:|";
      if (sized) out += fmt::format(" % of size roof {} |", l), rule += "--:|";
      if (d > 0) out += fmt::format(" {} vs A |", l), rule += "--:|";
    }
    out += "\n" + rule + "\n";
    for (const auto& row : compare_by_key(report)) {
      std::size_t present = 0;
      for (const auto& g : row.groups)
        if (g) { present = *g; break; }
      const ShapeGroup& any = report.groups[present];
      out += fmt::format("| {} | {} | {} |", md(any.template_name), any.problem.shape_str(), dtype_info(any.problem.dtype).name);
      const ReportPoint* first = row.groups[0] ? best_point(report, report.groups[*row.groups[0]]) : nullptr;
      for (std::size_t d = 0; d < report.documents.size(); ++d) {
        const ReportPoint* best = row.groups[d] ? best_point(report, report.groups[*row.groups[d]]) : nullptr;
        if (best)
          out += fmt::format(" {} | {} {} |", format_us(report.result_of(*best).measurement->timing->median_us),
                             mark(report.groups[*row.groups[d]].verdict), format_pct(best->figures.pct_of_bound));
        else
          out += " - | - |";
        if (sized) out += fmt::format(" {} |", best ? size_roof_pct(best->figures) : "-");
        if (d == 0) continue;
        if (best && first)
          out += fmt::format(" {:.2f}x |", report.result_of(*first).measurement->timing->median_us /
                                              report.result_of(*best).measurement->timing->median_us);
        else
          out += " - |";
      }
      out += "\n";
    }
  }
  // Verdicts, furthest from the limit first: what a reviewer reads.
  std::vector<std::size_t> order(report.groups.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto pct = [&](std::size_t i) {
    const ReportPoint* b = best_point(report, report.groups[i]);
    return b ? judged_pct(b->figures) : -1.0;
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pct(a) < pct(b); });
  out += "\n";
  for (std::size_t i : order) {
    const ShapeGroup& g = report.groups[i];
    std::string label = report.document_label(g.document);
    const ReportPoint* best = best_point(report, g);
    out += fmt::format("- {} **{}**{}: {}{} — {}\n", mark(g.verdict), md(g.key()), label.empty() ? "" : " (" + label + ")",
                       g.verdict, best ? ", " + bound_phrase(*best) : "", md(g.why));
  }
  if (report.furthest) {
    const ShapeGroup& g = report.groups[*report.furthest];
    std::string label = report.document_label(g.document);
    out += fmt::format("\n**Furthest from the limit:** {}{} at {}.\n", md(g.key()), label.empty() ? "" : " (" + label + ")",
                       bound_phrase(*best_point(report, g)));
  }
  return out;
}

}  // namespace tkbench
