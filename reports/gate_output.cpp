#include "reports/gate_output.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "reports/terminal.hpp"
#include "tuner/time_util.hpp"

namespace tkbench {
namespace {
using json = nlohmann::ordered_json;

enum class Severity { plain, good, warn, fail };

Severity severity(const GateEntry& e) {
  if (e.failed) return Severity::fail;
  switch (e.verdict) {
    case Verdict::noisy:
    case Verdict::only_baseline:
    case Verdict::only_current:
    case Verdict::incomparable:
    case Verdict::still_failing: return Severity::warn;
    case Verdict::improved:
    case Verdict::fixed: return Severity::good;
    default: break;
  }
  // A throttling GPU makes any time suspect.
  if ((e.current && e.current->throttled) || (e.baseline && e.baseline->throttled)) return Severity::warn;
  return Severity::plain;
}

Style style_of(Severity s) {
  return s == Severity::fail ? Style::red : s == Severity::warn ? Style::yellow : s == Severity::good ? Style::green : Style::plain;
}
const char* icon_of(Severity s) {
  return s == Severity::fail ? "❌" : s == Severity::warn ? "⚠️" : s == Severity::good ? "🟢" : "✅";
}

std::string verdict_text(const GateEntry& e) {
  const bool plain = e.verdict == Verdict::ok || e.verdict == Verdict::measured;
  if (e.floor_failed()) return plain ? "below floor" : fmt::format("{}, below floor", verdict_name(e.verdict));
  return plain ? "ok" : std::string(verdict_name(e.verdict));
}

std::string config_text(const GateEntry& e) {
  if (e.kind == GateEntry::Kind::config) return e.current ? e.current->config : e.baseline ? e.baseline->config : "";
  const std::string b = e.baseline ? e.baseline->config : "-", c = e.current ? e.current->config : "-";
  return b == c ? "best: " + c : fmt::format("best: {} -> {}", b, c);
}

std::string side_text(const std::optional<GateSide>& s, CompareBy by) {
  if (!s) return "-";
  if (!s->median_us) return std::string(status_name(s->status));
  return by == CompareBy::sol ? fmt::format("{:.1f}%", 100 * s->sol) : fmt::format("{:.2f} µs", *s->median_us);
}

std::string change_text(const GateEntry& e) {
  if (!e.slowdown) return "-";
  const RatioInterval& r = *e.slowdown;
  return fmt::format("{:+.1f}% [{:+.1f}%, {:+.1f}%]", 100 * (r.ratio - 1), 100 * (r.lower - 1), 100 * (r.upper - 1));
}

std::string sol_text(const GateEntry& e) {
  return e.current && e.current->median_us ? fmt::format("{:.1f}%", 100 * e.current->sol) : "-";
}

// "% of cuBLAS" when any entry's documents timed the template's [baseline]
// library ("% of library" when entries name different ones); empty: none did.
std::string library_column(const GateReport& r) {
  std::string name;
  for (const auto& e : r.entries) {
    const std::string library = e.library();
    if (library.empty()) continue;
    if (!name.empty() && name != library) return "% of library";
    name = library;
  }
  return name.empty() ? "" : "% of " + library_display_name(name);
}

// A side's % of its library: "101.2%", "failed" (the library did not run), "-" (the config has no time).
std::string library_pct_text(const GateSide& s) {
  if (s.pct_of_library) return fmt::format("{:.1f}%", *s.pct_of_library);
  return s.library_us ? "-" : "failed";
}

// "97.1% -> 101.2%" when both documents timed the library, else the side that did.
std::string library_text(const GateEntry& e) {
  const bool b = e.baseline && !e.baseline->library.empty(), c = e.current && !e.current->library.empty();
  if (b && c) return library_pct_text(*e.baseline) + " -> " + library_pct_text(*e.current);
  if (c) return library_pct_text(*e.current);
  return b ? library_pct_text(*e.baseline) + " (baseline)" : "-";
}

// The current result against the roof for its size, with the verdict on it: "91.2% latency-bound".
std::string size_sol_text(const GateEntry& e) {
  if (!e.current || !e.current->median_us || e.current->size_sol <= 0) return "-";
  return fmt::format("{:.1f}% {}", 100 * e.current->size_sol, e.current->roof_verdict);
}

// Whether a current result has a size-aware roof: then its column follows SoL.
bool sized(const GateReport& r) {
  return std::any_of(r.entries.begin(), r.entries.end(), [](const GateEntry& e) { return e.current && e.current->size_sol > 0; });
}

// The columns: no baseline, no baseline or change; --compare sol shows SoL as
// the values themselves. Before the verdict: "% of cuBLAS" when a library was
// timed, then "size SoL" when a current result has a size-aware roof.
std::vector<std::string> header(const GateReport& r) {
  std::vector<std::string> out;
  if (!r.has_baseline()) out = {"entry", "config", "time", "SoL", "verdict"};
  else if (r.options.compare == CompareBy::sol) out = {"entry", "config", "baseline SoL", "current SoL", "slowdown vs roof (90% CI)", "verdict"};
  else out = {"entry", "config", "baseline", "current", "change (90% CI)", "SoL", "verdict"};
  if (const std::string library = library_column(r); !library.empty()) out.insert(out.end() - 1, library);
  if (sized(r)) out.insert(out.end() - 1, "size SoL");
  return out;
}

std::vector<std::string> cells(const GateEntry& e, const GateReport& r) {
  const CompareBy by = r.options.compare;
  std::vector<std::string> out;
  if (!r.has_baseline()) out = {e.group(), config_text(e), side_text(e.current, CompareBy::time), sol_text(e), verdict_text(e)};
  else if (by == CompareBy::sol) out = {e.group(), config_text(e), side_text(e.baseline, by), side_text(e.current, by), change_text(e), verdict_text(e)};
  else out = {e.group(), config_text(e), side_text(e.baseline, by), side_text(e.current, by), change_text(e), sol_text(e), verdict_text(e)};
  if (!library_column(r).empty()) out.insert(out.end() - 1, library_text(e));
  if (sized(r)) out.insert(out.end() - 1, size_sol_text(e));
  return out;
}

// Every reason behind a verdict, floors included, as sentences.
std::vector<std::string> reasons(const GateEntry& e) {
  std::vector<std::string> out = e.notes;
  for (const auto& f : e.floors)
    if (!f.passed) out.push_back(fmt::format("floor {} missed: {} ({})", f.what, f.actual, f.origin));
  return out;
}

std::string joined(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

// The terminal shows each shape's verdict and the entries that need a look
// (failures, regressions, noise, one side only, throttling); -v shows all. A
// whole tuning run has hundreds of configs that pass: JUnit, Markdown and
// JSON keep them.
bool shown(const GateEntry& e, bool verbose) {
  if (verbose || e.shape_best || !e.floors.empty()) return true;
  const Severity s = severity(e);
  return s == Severity::fail || s == Severity::warn;
}

// "85 ok, 3 improved": the entries `pick` takes, each once under what the
// table shows for it ("below floor" included), in order of first appearance.
template <typename Pick>
std::string count_by_verdict(const GateReport& r, Pick pick) {
  std::vector<std::pair<std::string, int>> counts;
  for (const auto& e : r.entries) {
    if (!pick(e)) continue;
    const std::string shown_as = verdict_text(e);
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& p) { return p.first == shown_as; });
    if (it == counts.end()) counts.emplace_back(shown_as, 1);
    else ++it->second;
  }
  std::vector<std::string> parts;
  for (const auto& [name, n] : counts) parts.push_back(fmt::format("{} {}", n, name));
  return joined(parts, ", ");
}

std::string context_line(const GateReport& r) {
  const std::string by = r.options.compare == CompareBy::sol ? fmt::format("SoL (fraction of {})", r.roof) : "median time";
  if (!r.has_baseline()) return fmt::format("{} on {}: floors only (no baseline)", r.current_path, r.current_device);
  return fmt::format("{} vs {} on {}; by {}, max regression {:g}%{}", r.baseline_path, r.current_path,
                     r.baseline_device == r.current_device ? r.current_device : r.baseline_device + " -> " + r.current_device,
                     by, 100 * r.options.max_regression, r.options.strict ? ", strict" : "");
}

std::string markdown_cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

// The entries `pick` takes as a Markdown table.
template <typename Pick>
std::string markdown_table(const GateReport& r, Pick pick) {
  const auto head = header(r);
  std::string md = "| |";
  for (const auto& h : head) md += " " + h + " |";
  md += "\n|---|";
  for (std::size_t i = 0; i < head.size(); ++i) md += i >= 2 && i + 1 < head.size() ? "--:|" : "---|";
  md += "\n";
  for (const auto& e : r.entries) {
    if (!pick(e)) continue;
    md += fmt::format("| {} |", icon_of(severity(e)));
    for (const auto& c : cells(e, r)) md.append(" ").append(markdown_cell(c)).append(" |");
    md += "\n";
  }
  return md;
}

json side_json(const std::optional<GateSide>& s) {
  if (!s) return nullptr;
  return {{"config", s->config},
          {"status", status_name(s->status)},
          {"reason", s->reason.empty() ? json(nullptr) : json(s->reason)},
          {"median_us", s->median_us ? json(*s->median_us) : json(nullptr)},
          {"sol", s->median_us ? json(s->sol) : json(nullptr)},
          {"size_sol", s->median_us && s->size_sol > 0 ? json(s->size_sol) : json(nullptr)},
          {"roof_verdict", s->roof_verdict.empty() ? json(nullptr) : json(s->roof_verdict)},
          {"samples", s->samples},
          {"spread", s->spread},
          {"l2", s->l2},
          {"throttled", s->throttled},
          {"source_hash", s->source_hash},
          {"library", s->library.empty() ? json(nullptr) : json(s->library)},
          {"library_us", s->library_us ? json(*s->library_us) : json(nullptr)},
          {"pct_of_library", s->pct_of_library ? json(*s->pct_of_library) : json(nullptr)}};
}

}  // namespace

std::string gate_summary_line(const GateReport& r) {
  std::vector<std::string> why;
  auto failed_with = [&](Verdict v) {
    return std::count_if(r.entries.begin(), r.entries.end(), [&](const GateEntry& e) { return e.failed && e.verdict == v; });
  };
  for (Verdict v : {Verdict::regression, Verdict::broken, Verdict::only_baseline, Verdict::only_current, Verdict::incomparable})
    if (auto n = failed_with(v)) why.push_back(fmt::format("{} {}", n, verdict_name(v)));
  if (auto n = r.floors_missed()) why.push_back(fmt::format("{} below floor", n));
  const std::string breakdown = fmt::format("{} entr{}: {}", r.entries.size(), r.entries.size() == 1 ? "y" : "ies",
                                            count_by_verdict(r, [](const GateEntry&) { return true; }));
  return r.passed() ? fmt::format("PASS ({})", breakdown) : fmt::format("FAIL: {} ({})", joined(why, ", "), breakdown);
}

void print_gate_report(std::FILE* out, const GateReport& r, bool color, bool verbose) {
  std::fprintf(out, "%s\n", context_line(r).c_str());
  const auto head = header(r);
  const std::size_t sol_column = static_cast<std::size_t>(std::find(head.begin(), head.end(), "SoL") - head.begin());
  Table table(head);
  for (const auto& e : r.entries) {
    if (!shown(e, verbose)) continue;
    std::vector<Cell> row;
    for (const auto& text : cells(e, r)) row.emplace_back(text);
    row.back().style = style_of(severity(e));
    if (e.floor_failed() && sol_column < row.size()) row[sol_column].style = Style::red;
    table.add_row(std::move(row));
  }
  table.print(out, color);
  if (auto hidden = count_by_verdict(r, [&](const GateEntry& e) { return !shown(e, verbose); }); !hidden.empty())
    std::fprintf(out, "(not shown: %s; -v lists every entry)\n", hidden.c_str());
  for (const auto& e : r.entries) {
    auto why = reasons(e);
    if (why.empty() || !shown(e, verbose)) continue;
    std::fprintf(out, "  %s %s %s: %s\n", styled(verdict_text(e), style_of(severity(e)), color).c_str(), e.group().c_str(),
                 config_text(e).c_str(), joined(why, "; ").c_str());
  }
  for (const auto& n : r.notes) std::fprintf(out, "note: %s\n", n.c_str());
  const std::string summary = "gate: " + gate_summary_line(r);
  std::fprintf(out, "%s\n", styled(summary, r.passed() ? Style::green : Style::red, color).c_str());
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') break;  // not allowed in XML 1.0
        out += ch;
    }
  }
  return out;
}

std::string gate_junit_xml(const GateReport& r) {
  std::size_t failures = 0, skipped = 0;
  std::string cases;
  for (const auto& e : r.entries) {
    const std::string name = fmt::format("{} {} {}", e.shape, e.dtype, config_text(e));
    cases += fmt::format("    <testcase classname=\"tkbench.gate.{}\" name=\"{}\" time=\"0\">\n", xml_escape(e.template_name),
                         xml_escape(name));
    const auto why = reasons(e);
    std::string values = fmt::format("baseline {}, current {}, change {}, SoL {}, size SoL {}", side_text(e.baseline, r.options.compare),
                                     side_text(e.current, r.options.compare), change_text(e), sol_text(e), size_sol_text(e));
    if (!e.library().empty()) values += fmt::format(", % of {}: {}", library_display_name(e.library()), library_text(e));
    if (e.failed) {
      ++failures;
      const std::string message = fmt::format("{}: {}", verdict_text(e), why.empty() ? values : why.front());
      cases += fmt::format("      <failure message=\"{}\" type=\"{}\">{}\n{}</failure>\n", xml_escape(message),
                           xml_escape(verdict_text(e)), xml_escape(values), xml_escape(joined(why, "\n")));
    } else if (severity(e) == Severity::warn && !e.slowdown) {
      ++skipped;  // nothing was compared: only on one side, or failing on both
      cases += fmt::format("      <skipped message=\"{}\"/>\n",
                           xml_escape(fmt::format("{}{}", verdict_text(e), why.empty() ? "" : ": " + why.front())));
    } else {
      cases += fmt::format("      <system-out>{}\n{}</system-out>\n", xml_escape(values + "; " + verdict_text(e)),
                           xml_escape(joined(why, "\n")));
    }
    cases += "    </testcase>\n";
  }
  const std::string suite = r.has_baseline() ? fmt::format("tkbench gate: {} vs {}", r.baseline_path, r.current_path)
                                             : fmt::format("tkbench gate: {}", r.current_path);
  std::string stamp = utc_timestamp();
  stamp.pop_back();  // JUnit's schema wants local-style ISO 8601, without the 'Z'
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites name=\"tkbench gate\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"0\">\n",
                     r.entries.size(), failures, skipped);
  xml += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"0\" timestamp=\"{}\">\n",
                     xml_escape(suite), r.entries.size(), failures, skipped, stamp);
  xml += "    <properties>\n";
  auto property = [&](const std::string& name, const std::string& value) {
    xml += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_escape(name), xml_escape(value));
  };
  property("compare", r.options.compare == CompareBy::sol ? "sol" : "time");
  property("max_regression", fmt::format("{:g}", r.options.max_regression));
  property("device", r.current_device);
  property("verdict", gate_summary_line(r));
  xml += "    </properties>\n" + cases + "  </testsuite>\n</testsuites>\n";
  return xml;
}

std::string gate_markdown(const GateReport& r) {
  std::string md = fmt::format("**tkbench gate: {} {}**  \n{}\n\n", r.passed() ? "✅" : "❌", markdown_cell(gate_summary_line(r)),
                               markdown_cell(context_line(r)));
  // What needs a look and why first; every other entry folded away below.
  auto brief = [](const GateEntry& e) { return shown(e, false); };
  auto rest = [&](const GateEntry& e) { return !brief(e); };
  md += markdown_table(r, brief);
  std::string details;
  for (const auto& e : r.entries) {
    auto why = reasons(e);
    if (why.empty() || !brief(e)) continue;
    details += fmt::format("- {} **{}** {} `{}`: {}\n", icon_of(severity(e)), verdict_text(e), markdown_cell(e.group()),
                           config_text(e), markdown_cell(joined(why, "; ")));
  }
  for (const auto& n : r.notes) details += "- note: " + markdown_cell(n) + "\n";
  if (!details.empty()) md.append("\n").append(details);
  if (auto hidden = count_by_verdict(r, rest); !hidden.empty())
    md += fmt::format("\n<details><summary>The other entries: {}</summary>\n\n{}\n</details>\n", hidden, markdown_table(r, rest));
  return md;
}

json gate_json(const GateReport& r) {
  json entries = json::array();
  for (const auto& e : r.entries) {
    json floors = json::array();
    for (const auto& f : e.floors)
      floors.push_back({{"floor", f.what}, {"actual", f.actual}, {"origin", f.origin}, {"passed", f.passed}});
    json slowdown = nullptr;
    if (e.slowdown)
      slowdown = {{"ratio", e.slowdown->ratio}, {"lower", e.slowdown->lower}, {"upper", e.slowdown->upper},
                  {"method", interval_method_name(e.slowdown->method)}};
    entries.push_back({{"kind", e.kind == GateEntry::Kind::best ? "best" : "config"},
                       {"template", e.template_name},
                       {"shape", e.shape},
                       {"dtype", e.dtype},
                       {"shape_best", e.shape_best},
                       {"baseline", side_json(e.baseline)},
                       {"current", side_json(e.current)},
                       {"slowdown", slowdown},
                       {"verdict", verdict_name(e.verdict)},
                       {"failed", e.failed},
                       {"floors", floors},
                       {"notes", e.notes}});
  }
  json counts = json::object();
  for (Verdict v : {Verdict::ok, Verdict::improved, Verdict::noisy, Verdict::regression, Verdict::broken, Verdict::fixed,
                    Verdict::still_failing, Verdict::only_baseline, Verdict::only_current, Verdict::incomparable, Verdict::measured})
    counts[std::string(verdict_name(v))] = r.count(v);
  auto document = [](const std::string& path, const std::string& device) {
    return path.empty() ? json(nullptr) : json{{"path", path}, {"device", device}};
  };
  const BootstrapOptions& b = r.options.bootstrap;
  return {{"schema", "tkbench.gate/1"},
          {"passed", r.passed()},
          {"exit_code", r.passed() ? 0 : 1},
          {"summary", gate_summary_line(r)},
          {"compare", r.options.compare == CompareBy::sol ? "sol" : "time"},
          {"max_regression", r.options.max_regression},
          {"strict", r.options.strict},
          {"best_only", r.options.best_only},
          {"statistics", {{"test", "percentile bootstrap of the ratio of medians"}, {"resamples", b.resamples},
                          {"confidence", b.confidence}, {"seed", b.seed}}},
          {"roof", r.roof},
          {"baseline", document(r.baseline_path, r.baseline_device)},
          {"current", document(r.current_path, r.current_device)},
          {"failures", r.failures()},
          {"floors_missed", r.floors_missed()},
          {"counts", counts},
          {"entries", entries},
          {"notes", r.notes}};
}

}  // namespace tkbench
