#include "reports/report_model.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "reports/library_comparison.hpp"
#include "reports/report_text.hpp"
#include "reports/size_roof.hpp"
#include "reports/tensor_counters.hpp"

namespace tkbench {

std::string ShapeGroup::key() const {
  return fmt::format("{} {} {}", template_name, problem.shape_str(), dtype_info(problem.dtype).name);
}

std::string Report::document_label(std::size_t index) const {
  return documents.size() > 1 ? std::string(1, static_cast<char>('A' + index % 26)) : "";
}

namespace {

std::vector<ParameterEffect> parameter_effects(const Report& report, const ShapeGroup& group) {
  std::vector<ParameterEffect> effects;
  if (group.points.empty()) return effects;
  const Result& first = report.result_of(report.points[group.points.front()]);
  for (const auto& [name, unused] : first.config.values) {
    std::map<long long, ParameterEffect::Value> by_value;
    for (std::size_t index : group.points) {
      const ReportPoint& p = report.points[index];
      const Result& r = report.result_of(p);
      long long v = 0;
      bool found = false;
      for (const auto& [n, value] : r.config.values)
        if (n == name) v = value, found = true;
      if (!found) continue;
      auto& entry = by_value[v];
      entry.value = v;
      if (!p.timed) continue;
      double us = r.measurement->timing->median_us;
      if (entry.configs == 0 || us < entry.best_us) entry.best_us = us;
      ++entry.configs;
    }
    ParameterEffect effect;
    effect.name = name;
    double lo = 0, hi = 0;
    for (const auto& [v, entry] : by_value) {
      effect.values.push_back(entry);
      if (entry.configs == 0) continue;
      lo = lo == 0 ? entry.best_us : std::min(lo, entry.best_us);
      hi = std::max(hi, entry.best_us);
    }
    effect.swing = lo > 0 ? hi / lo - 1 : 0;
    effects.push_back(std::move(effect));
  }
  std::stable_sort(effects.begin(), effects.end(), [](const auto& a, const auto& b) { return a.swing > b.swing; });
  return effects;
}

// Past the ridge on the tensor pipe the memory-side reasons (bytes in flight,
// footprint) do not apply: the tensor pipe's counters, L2, DRAM and spills
// say what is in the way.
std::vector<std::string> explain_tensor_bound(const Result& r, const RooflineFigures& f, double pct, double us,
                                               std::vector<std::string> reasons) {
  for (auto& reason : tensor_loss_reasons(r, f)) reasons.push_back(std::move(reason));
  if (pct < kAtLimitPct && us < 15)
    reasons.push_back(fmt::format("short kernel ({:.1f} µs): launch ramp and tail dominate", us));
  if (pct < kAtLimitPct && !has_tensor_counters(f))
    reasons.push_back(r.measurement->counters ? "no tensor-pipe counters in this document: `tkbench tune --counters` collects them "
                                                "for templates with [roofline] pipe = \"tensor\""
                                              : "no counters in this document: `tkbench tune --counters` shows tensor-pipe "
                                                "activity, L2 hit rate and DRAM traffic");
  return reasons;
}

// One sentence on what stands between the best config and its bound, from the
// figures the document has. Counters are the strongest evidence; without them
// the footprint and duration still say a lot.
std::string explain(const Report& report, const ShapeGroup& group) {
  if (!group.best) {
    if (group.evaluated == 0) return "nothing was evaluated";
    return fmt::format("all {} evaluated configs failed (see their reasons in the results)", group.evaluated);
  }
  const ReportPoint& best = report.points[*group.best];
  const RooflineFigures& f = best.figures;
  const Result& r = report.result_of(best);
  const double us = r.measurement->timing->median_us;
  std::vector<std::string> reasons;
  const double pct = judged_pct(f);
  if (pct >= kAtLimitPct)
    reasons.push_back(fmt::format("within {:.0f}% of {}", 100 - kAtLimitPct, f.has_size_roof() ? "a copy of the same bytes" : "the roof"));
  if (f.compute_bound && f.compute_pipe == "tensor") return fmt::format("{}", fmt::join(explain_tensor_bound(r, f, pct, us, reasons), "; "));
  if (f.latency_bound)
    reasons.push_back(fmt::format("{} is within {:.0f}x of the {} latency floor (a launch and one DRAM round trip): the call, not its bytes, sets the time",
                                  format_us(us), kLatencyBoundFactor, format_us(1e6 * f.latency_floor_seconds)));
  if (f.dram_efficiency > 0 && f.dram_efficiency < 0.95)
    reasons.push_back(fmt::format("moves {:.2f}x the ideal bytes (DRAM efficiency {:.0f}%)", 1 / f.dram_efficiency, 100 * f.dram_efficiency));
  if (f.achieved_occupancy > 0 && f.theoretical_occupancy > 0 && f.achieved_occupancy < 0.6 * f.theoretical_occupancy)
    reasons.push_back(fmt::format("achieved occupancy {:.0f}% of a theoretical {:.0f}%: too few bytes in flight",
                                  100 * f.achieved_occupancy, 100 * f.theoretical_occupancy));
  // The size-aware roof already counts a small footprint's ramp and tail: they excuse nothing there.
  if (pct < kAtLimitPct && !f.has_size_roof() && us < 15)
    reasons.push_back(fmt::format("short kernel ({:.1f} µs for {}): launch ramp and tail dominate", us, format_bytes_si(f.ideal_bytes)));
  else if (pct < kAtLimitPct && !f.has_size_roof() && f.ideal_bytes < 128e6)
    reasons.push_back(fmt::format("small footprint ({}): ramp-up and the last wave weigh", format_bytes_si(f.ideal_bytes)));
  // Fewer bytes than ideal reached DRAM: written lines were still in L2 when the
  // kernel ended. Worth saying below the limit: extra traffic is not the cause.
  if (pct < kAtLimitPct && f.dram_efficiency > 1.05)
    reasons.push_back(fmt::format("DRAM saw only {:.0f}% of the ideal bytes (output still in L2 at the end)", 100 / f.dram_efficiency));
  if (reasons.empty() && pct < kAtLimitPct) {
    bool counted = r.measurement->counters.has_value();
    reasons.push_back(counted ? fmt::format("DRAM efficiency {:.0f}% and occupancy {:.0f}% look fine: latency per byte in flight is the limit",
                                            100 * f.dram_efficiency, 100 * f.achieved_occupancy)
                              : "no counters in this document: `tkbench tune --counters` shows DRAM traffic and occupancy");
  }
  return fmt::format("{}", fmt::join(reasons, "; "));
}

}  // namespace

std::string format_bytes_si(double bytes) {
  if (bytes >= 1e9) return fmt::format("{:.2f} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.0f} MB", bytes / 1e6);
  if (bytes >= 1e3) return fmt::format("{:.0f} kB", bytes / 1e3);
  return fmt::format("{:.0f} B", bytes);
}

Report build_report(std::vector<ResultDocument> documents) {
  Report report;
  report.documents = std::move(documents);
  // Groups first, in a stable order; points refer to them.
  std::map<std::tuple<std::size_t, std::string, std::string, std::vector<long long>>, std::size_t> group_of;
  std::vector<std::tuple<std::size_t, std::string, std::string, std::vector<long long>>> keys;
  for (std::size_t d = 0; d < report.documents.size(); ++d)
    for (const auto& r : report.documents[d].set.results) {
      auto key = std::make_tuple(d, r.template_name, std::string(dtype_info(r.problem.dtype).name), r.problem.dims);
      if (group_of.emplace(key, 0).second) keys.push_back(key);
    }
  std::sort(keys.begin(), keys.end());
  for (const auto& key : keys) {
    group_of[key] = report.groups.size();
    report.groups.emplace_back();
  }
  for (std::size_t d = 0; d < report.documents.size(); ++d) {
    const ResultDocument& doc = report.documents[d];
    for (std::size_t i = 0; i < doc.set.results.size(); ++i) {
      const Result& r = doc.set.results[i];
      ReportPoint p;
      p.document = d;
      p.result = i;
      p.group = group_of.at(std::make_tuple(d, r.template_name, std::string(dtype_info(r.problem.dtype).name), r.problem.dims));
      p.timed = r.status == Status::ok && r.measurement && r.measurement->timing && r.measurement->timing->median_us > 0;
      p.figures = roofline_figures(r, doc.workloads[i], doc.peaks);
      ShapeGroup& g = report.groups[p.group];
      if (g.points.empty()) {
        g.document = d;
        g.template_name = r.template_name;
        g.problem = r.problem;
      }
      g.points.push_back(report.points.size());
      ++g.evaluated;
      if (r.status != Status::ok) ++g.failed;
      if (p.timed && (!g.best || r.measurement->timing->median_us < report.result_of(report.points[*g.best]).measurement->timing->median_us))
        g.best = report.points.size();
      report.points.push_back(p);
    }
  }
  for (auto& g : report.groups) {
    if (const Result* library = report.documents[g.document].set.baseline_for(g.template_name, g.problem)) {
      g.library = library->baseline;
      if (library->status == Status::ok && library->measurement && library->measurement->timing)
        g.library_us = library->measurement->timing->median_us;
      if (g.best) g.pct_of_library = pct_of_library(*library, report.result_of(report.points[*g.best]).measurement->timing->median_us);
    }
    if (g.best) report.points[*g.best].best = true;
    g.parameters = parameter_effects(report, g);
    if (!g.best) g.verdict = "no valid config";
    else g.verdict = verdict_of(report.points[*g.best].figures);
    g.why = explain(report, g);
  }
  // A latency-bound shape has nothing left to gain: it is furthest only when every shape is latency-bound.
  auto distance = [&](std::size_t group) {
    const RooflineFigures& f = report.points[*report.groups[group].best].figures;
    return std::make_pair(f.latency_bound, judged_pct(f));
  };
  for (std::size_t i = 0; i < report.groups.size(); ++i) {
    if (!report.groups[i].best) continue;
    if (!report.furthest || distance(i) < distance(*report.furthest)) report.furthest = i;
  }
  return report;
}

std::vector<ComparedRow> compare_by_key(const Report& report) {
  std::vector<ComparedRow> rows;
  // Documents' groups are each sorted the same way; keep the first document's order, then newcomers.
  std::vector<std::size_t> order(report.groups.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto &ga = report.groups[a], &gb = report.groups[b];
    return std::tie(ga.template_name, ga.problem.dtype, ga.problem.dims) < std::tie(gb.template_name, gb.problem.dtype, gb.problem.dims);
  });
  for (std::size_t index : order) {
    const ShapeGroup& g = report.groups[index];
    std::string key = g.key();
    auto it = std::find_if(rows.begin(), rows.end(), [&](const ComparedRow& r) { return r.key == key; });
    if (it == rows.end()) {
      rows.push_back({key, std::vector<std::optional<std::size_t>>(report.documents.size())});
      it = rows.end() - 1;
    }
    it->groups[g.document] = index;
  }
  return rows;
}

bool documents_overlap(const Report& report) {
  for (const auto& row : compare_by_key(report))
    if (std::count_if(row.groups.begin(), row.groups.end(), [](const auto& g) { return g.has_value(); }) > 1) return true;
  return false;
}

bool has_size_roofs(const Report& report) {
  return std::any_of(report.points.begin(), report.points.end(), [](const ReportPoint& p) { return p.figures.has_size_roof(); });
}

const ReportPoint* best_point(const Report& report, const ShapeGroup& group) {
  return group.best ? &report.points[*group.best] : nullptr;
}

}  // namespace tkbench
