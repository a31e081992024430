#include "reports/gate_compare.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "reports/library_comparison.hpp"
#include "reports/verdict.hpp"
#include "tuner/errors.hpp"

namespace tkbench {
namespace {

// A result and its workload, as one document holds them.
struct Indexed {
  const Result* result = nullptr;
  const Workload* workload = nullptr;
};

// One (template, shape, dtype) of a document.
struct Group {
  std::string template_name, shape, dtype;
  std::vector<std::string> configs;        // in the order first seen
  std::map<std::string, Indexed> by_config;  // a config seen twice (a resumed run): the later result
  std::optional<Indexed> best;             // the fastest ok, timed result
};

struct DocumentIndex {
  std::vector<std::string> order;  // group keys in the order first seen
  std::map<std::string, Group> groups;
  const Group* find(const std::string& key) const {
    auto it = groups.find(key);
    return it == groups.end() ? nullptr : &it->second;
  }
};

bool timed(const Result& r) {
  return r.status == Status::ok && r.measurement && r.measurement->timing && r.measurement->timing->median_us > 0;
}
double median_us(const Indexed& x) { return x.result->measurement->timing->median_us; }

DocumentIndex index_document(const ResultDocument& doc) {
  DocumentIndex index;
  for (std::size_t i = 0; i < doc.set.results.size(); ++i) {
    const Result& r = doc.set.results[i];
    const std::string dtype(dtype_info(r.problem.dtype).name);
    const std::string key = r.template_name + " " + r.problem.shape_str() + " " + dtype;
    auto [it, added] = index.groups.try_emplace(key);
    Group& g = it->second;
    if (added) {
      index.order.push_back(key);
      g.template_name = r.template_name;
      g.shape = r.problem.shape_str();
      g.dtype = dtype;
    }
    const std::string config = r.config.str();
    if (!g.by_config.count(config)) g.configs.push_back(config);
    g.by_config[config] = {&r, &doc.workloads.at(i)};
  }
  for (auto& [key, g] : index.groups)
    for (const auto& [config, x] : g.by_config)
      if (timed(*x.result) && (!g.best || median_us(x) < median_us(*g.best))) g.best = x;
  return index;
}

std::string device_label(const DevicePeaks& peaks) { return fmt::format("{} ({})", peaks.device.name, peaks.device.arch()); }
std::string percent(double fraction) { return fmt::format("{:.1f}%", 100 * fraction); }
std::string signed_percent(double ratio) { return fmt::format("{:+.1f}%", 100 * (ratio - 1)); }

GateSide side_of(const Indexed& x, const ResultDocument& doc, bool calibrated) {
  const DevicePeaks& peaks = doc.peaks;
  const Result& r = *x.result;
  GateSide s;
  s.config = r.config.str();
  s.status = r.status;
  s.reason = r.reason;
  s.source_hash = r.source_hash;
  if (r.measurement && r.measurement->timing) {
    const TimingStats& t = *r.measurement->timing;
    s.samples = t.samples;
    s.spread = t.spread;
    s.l2 = t.l2;
    s.throttled = t.throttled;
  }
  if (timed(r)) {
    s.median_us = median_us(x);
    s.sol = sol_fraction(*s.median_us, *x.workload, r.problem.dtype, peaks, calibrated);
    if (calibrated) {
      const RooflineFigures f = roofline_figures(r, *x.workload, peaks);
      if (f.has_size_roof()) s.size_sol = f.pct_of_size_roof / 100;
      s.roof_verdict = verdict_of(f);
    }
  }
  if (const Result* library = doc.set.baseline_for(r.template_name, r.problem)) {
    s.library = library->baseline;
    if (library->status == Status::ok && library->measurement && library->measurement->timing)
      s.library_us = library->measurement->timing->median_us;
    if (s.median_us) s.pct_of_library = pct_of_library(*library, *s.median_us);
  }
  return s;
}

TimingSample timing_sample(const Indexed& x) {
  const TimingStats& t = *x.result->measurement->timing;
  return {t.median_us, t.rel_std_error, t.samples_us};
}

bool failure_status(Status s) { return s != Status::ok && s != Status::skipped; }

// What the gate compares for one document: its peaks, and whether SoL uses the calibrated roof.
struct Side {
  const ResultDocument* doc = nullptr;
  bool calibrated = false;
};

class Judge {
 public:
  Judge(const GateOptions& options, const Side& base, const Side& cur) : opt_(options), base_(base), cur_(cur) {}

  // Fills the entry's sides, interval, verdict and notes from the two results.
  void judge(GateEntry& e, const Indexed* b, const Indexed* c) const {
    if (b) e.baseline = side_of(*b, *base_.doc, base_.calibrated);
    if (c) e.current = side_of(*c, *cur_.doc, cur_.calibrated);
    if (!base_.doc) {
      e.verdict = Verdict::measured;
      return;
    }
    if (!b || !c) {
      e.verdict = b ? Verdict::only_baseline : Verdict::only_current;
      return;
    }
    const bool bt = timed(*b->result), ct = timed(*c->result);
    if (bt && ct) return compare_timed(e, *b, *c);
    const Result &br = *b->result, &cr = *c->result;
    if (bt) {
      if (failure_status(cr.status)) {
        e.verdict = Verdict::broken;
        e.notes.push_back(fmt::format("was ok ({:.2f} µs), now {}: {}", median_us(*b), status_name(cr.status), first_line(cr.reason)));
      } else {
        e.verdict = Verdict::incomparable;
        e.notes.push_back(fmt::format("not measured in the current run ({})", cr.reason.empty() ? status_name(cr.status) : first_line(cr.reason)));
      }
    } else if (ct) {
      e.verdict = failure_status(br.status) ? Verdict::fixed : Verdict::incomparable;
      e.notes.push_back(fmt::format("was {} in the baseline{}", status_name(br.status), br.reason.empty() ? "" : ": " + first_line(br.reason)));
    } else {
      e.verdict = Verdict::still_failing;
      e.notes.push_back(fmt::format("{} in the baseline, {} now", status_name(br.status), status_name(cr.status)));
    }
  }

  static std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    return line.size() > 200 ? line.substr(0, 200) + "..." : line;
  }

 private:
  void compare_timed(GateEntry& e, const Indexed& b, const Indexed& c) const {
    const GateSide &bs = *e.baseline, &cs = *e.current;
    if (bs.l2 != cs.l2) {
      e.verdict = Verdict::incomparable;
      e.notes.push_back(fmt::format("timed with {} L2 in the baseline, {} now: not comparable", bs.l2, cs.l2));
      return;
    }
    RatioInterval ri = median_ratio_interval(timing_sample(b), timing_sample(c), opt_.bootstrap);
    // SoL is proportional to 1 / time on each side: the same interval, scaled.
    if (opt_.compare == CompareBy::sol && bs.sol > 0 && cs.sol > 0) ri = ri.scaled(bs.sol / cs.sol / ri.ratio);
    e.slowdown = ri;
    const double up = 1 + opt_.max_regression, down = 1 / up;
    const std::string allowed = fmt::format("{:g}%", 100 * opt_.max_regression);
    const std::string values = opt_.compare == CompareBy::sol
                                   ? fmt::format("SoL {} -> {}", percent(bs.sol), percent(cs.sol))
                                   : fmt::format("{:.2f} µs -> {:.2f} µs", *bs.median_us, *cs.median_us);
    // With --compare sol the change is in time relative to each GPU's roof.
    const char* what = opt_.compare == CompareBy::sol ? "in time per roof" : "in time";
    if (ri.lower > up) {
      e.verdict = Verdict::regression;
      e.notes.push_back(fmt::format("{}: {} {}, at least {} with 95% confidence: over the {} allowed", values,
                                    signed_percent(ri.ratio), what, signed_percent(ri.lower), allowed));
    } else if (ri.upper < down) {
      e.verdict = Verdict::improved;
      e.notes.push_back(fmt::format("{}: {} {}, at least {:.1f}% faster with 95% confidence", values, signed_percent(ri.ratio),
                                    what, 100 * (1 - ri.upper)));
    } else if (ri.ratio > up) {
      e.verdict = Verdict::noisy;
      e.notes.push_back(fmt::format(
          "{}: {} {}, over the {} allowed, but too noisy to be sure (95% lower bound {}; spread {} and {} over {} and {} "
          "samples): measure longer to decide",
          values, signed_percent(ri.ratio), what, allowed, signed_percent(ri.lower), percent(bs.spread), percent(cs.spread),
          bs.samples, cs.samples));
    } else {
      e.verdict = Verdict::ok;
    }
    if (cs.throttled) e.notes.push_back("the GPU was throttling (SM clock under its --throttle-threshold of the max) during the current run");
    if (bs.throttled) e.notes.push_back("the GPU was throttling (SM clock under its --throttle-threshold of the max) during the baseline run");
  }

  const GateOptions& opt_;
  Side base_, cur_;
};

bool verdict_fails(Verdict v, bool strict) {
  switch (v) {
    case Verdict::regression:
    case Verdict::broken: return true;
    case Verdict::only_baseline:
    case Verdict::only_current:
    case Verdict::incomparable: return strict;
    default: return false;
  }
}

void check_floor(GateEntry& e, const Floor& f) {
  const bool has_time = e.current && e.current->median_us;
  const std::string untimed = e.current ? fmt::format("not timed ({})", status_name(e.current->status)) : "no result";
  if (f.min_sol) {
    FloorCheck c{fmt::format("SoL ≥ {:g}%", 100 * *f.min_sol), untimed, f.origin, false};
    if (has_time) {
      c.actual = percent(e.current->sol);
      c.passed = e.current->sol >= *f.min_sol;
    }
    e.floors.push_back(c);
  }
  if (f.max_time_us) {
    FloorCheck c{fmt::format("time ≤ {:g} µs", *f.max_time_us), untimed, f.origin, false};
    if (has_time) {
      c.actual = fmt::format("{:.2f} µs", *e.current->median_us);
      c.passed = *e.current->median_us <= *f.max_time_us;
    }
    e.floors.push_back(c);
  }
}

bool floor_matches(const Floor& f, const GateEntry& e) {
  if (!e.current) return false;
  if (f.template_name.empty()) return e.shape_best;  // every shape's best
  if (f.template_name != e.template_name || f.shape != e.shape || f.dtype != e.dtype) return false;
  return f.config.empty() ? e.shape_best : e.kind == GateEntry::Kind::config && e.current->config == f.config;
}

void apply_floors(GateReport& report) {
  for (const Floor& f : report.options.floors) {
    bool found = false;
    for (auto& e : report.entries)
      if (floor_matches(f, e)) {
        check_floor(e, f);
        found = true;
      }
    if (found || f.template_name.empty()) continue;
    // A floor on something the current run does not have fails, visibly.
    GateEntry missing;
    missing.kind = f.config.empty() ? GateEntry::Kind::best : GateEntry::Kind::config;
    missing.template_name = f.template_name;
    missing.shape = f.shape;
    missing.dtype = f.dtype;
    missing.verdict = report.has_baseline() ? Verdict::only_baseline : Verdict::measured;
    missing.notes.push_back(fmt::format("{} sets a floor, but the current run has no such result", f.origin));
    check_floor(missing, f);
    report.entries.push_back(std::move(missing));
  }
}

}  // namespace

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::ok: return "ok";
    case Verdict::improved: return "improved";
    case Verdict::noisy: return "noisy";
    case Verdict::regression: return "regression";
    case Verdict::broken: return "broken";
    case Verdict::fixed: return "fixed";
    case Verdict::still_failing: return "still failing";
    case Verdict::only_baseline: return "only in baseline";
    case Verdict::only_current: return "only in current";
    case Verdict::incomparable: return "not comparable";
    case Verdict::measured: return "measured";
  }
  return "?";
}

std::optional<std::string> gpu_mismatch(const std::string& baseline_path, const DeviceInfo& baseline,
                                        const std::string& current_path, const DeviceInfo& current) {
  if (baseline.name == current.name && baseline.arch() == current.arch()) return std::nullopt;
  return fmt::format("{} was measured on {} ({}), {} on {} ({}): times from different GPUs are not comparable. Use --compare "
                     "sol to compare the fraction of each GPU's own peak (its calibrated copy bandwidth) instead",
                     baseline_path, baseline.name, baseline.arch(), current_path, current.name, current.arch());
}

double sol_fraction(double median_us, const Workload& w, DType dtype, const DevicePeaks& peaks, bool calibrated) {
  if (!(median_us > 0)) return 0;
  const double seconds = median_us * 1e-6;
  const Roofs roofs = roofs_for(peaks, dtype);
  const double memory_roof = calibrated && roofs.memory_measured > 0 ? roofs.memory_measured : roofs.memory_theoretical;
  // Both sides of a comparison are judged against the same kind of roof: measured ones only when calibrated.
  double compute_roof = roofs.fp32;
  if (w.compute_pipe == "tensor" && roofs.tensor > 0) compute_roof = calibrated ? roofs.tensor : roofs.tensor_theoretical;
  const double intensity = w.ideal_bytes > 0 ? w.flops / w.ideal_bytes : 0;
  if (compute_roof > 0 && intensity * memory_roof > compute_roof) return w.flops / seconds / compute_roof;
  return memory_roof > 0 ? w.ideal_bytes / seconds / memory_roof : 0;
}

std::string GateEntry::library() const {
  if (current && !current->library.empty()) return current->library;
  return baseline ? baseline->library : "";
}

bool GateEntry::floor_failed() const {
  return std::any_of(floors.begin(), floors.end(), [](const FloorCheck& c) { return !c.passed; });
}

std::size_t GateReport::failures() const {
  return static_cast<std::size_t>(std::count_if(entries.begin(), entries.end(), [](const GateEntry& e) { return e.failed; }));
}
bool GateReport::passed() const { return failures() == 0; }
std::size_t GateReport::count(Verdict v) const {
  return static_cast<std::size_t>(std::count_if(entries.begin(), entries.end(), [v](const GateEntry& e) { return e.verdict == v; }));
}
std::size_t GateReport::floors_missed() const {
  return static_cast<std::size_t>(std::count_if(entries.begin(), entries.end(), [](const GateEntry& e) { return e.floor_failed(); }));
}

GateReport gate_documents(const ResultDocument* baseline, const ResultDocument& current, const GateOptions& options) {
  GateReport report;
  report.options = options;
  report.current_path = current.path;
  report.current_device = device_label(current.peaks);
  const bool cur_calibrated = current.peaks.calibration.has_value();
  Side cur{&current, cur_calibrated}, base;
  if (baseline) {
    report.baseline_path = baseline->path;
    report.baseline_device = device_label(baseline->peaks);
    const DeviceInfo &bd = baseline->peaks.device, &cd = current.peaks.device;
    const auto mismatch = gpu_mismatch(baseline->path, bd, current.path, cd);
    if (mismatch && options.compare == CompareBy::time) throw InputError(*mismatch);
    // SoL against the same kind of roof on both sides, or the comparison measures the calibration.
    const bool both = cur_calibrated && baseline->peaks.calibration.has_value();
    if (options.compare == CompareBy::sol) cur.calibrated = both;
    base = {baseline, options.compare == CompareBy::sol ? both : baseline->peaks.calibration.has_value()};
    if (options.compare == CompareBy::sol && !both)
      report.notes.push_back(fmt::format("{} not calibrated (`tkbench calibrate`): SoL is compared against the theoretical DRAM "
                                         "bandwidth on both sides",
                                         !cur_calibrated && !baseline->peaks.calibration ? "neither GPU is"
                                         : !cur_calibrated ? "the current GPU is" : "the baseline GPU is"));
    if (mismatch) report.notes.push_back(fmt::format("different GPUs: compared by the fraction of each one's roof"));
    const int bv = baseline->peaks.driver_version, cv = current.peaks.driver_version;
    if (bv && cv && bv / 1000 != cv / 1000)
      report.notes.push_back(fmt::format("the CUDA driver changed: {}.{} in the baseline, {}.{} now", bv / 1000, bv % 1000 / 10,
                                         cv / 1000, cv % 1000 / 10));
  }
  report.roof = cur.calibrated ? "the calibrated copy bandwidth" : "the theoretical DRAM bandwidth";
  if (!cur.calibrated && options.compare == CompareBy::time &&
      std::any_of(options.floors.begin(), options.floors.end(), [](const Floor& f) { return f.min_sol.has_value(); }))
    report.notes.push_back(fmt::format("{}: this GPU was never calibrated (`tkbench calibrate`): SoL floors are checked "
                                       "against the theoretical DRAM bandwidth",
                                       current.path));

  const DocumentIndex bi = baseline ? index_document(*baseline) : DocumentIndex{};
  const DocumentIndex ci = index_document(current);
  std::vector<std::string> order = ci.order;
  for (const auto& key : bi.order)
    if (!ci.find(key)) order.push_back(key);

  Judge judge(options, base, cur);
  for (const auto& key : order) {
    const Group *bg = bi.find(key), *cg = ci.find(key);
    const Group& any = cg ? *cg : *bg;
    auto make_entry = [&](GateEntry::Kind kind) {
      GateEntry e;
      e.kind = kind;
      e.template_name = any.template_name;
      e.shape = any.shape;
      e.dtype = any.dtype;
      return e;
    };
    std::vector<std::string> configs = cg ? cg->configs : std::vector<std::string>{};
    if (bg)
      for (const auto& c : bg->configs)
        if (!cg || !cg->by_config.count(c)) configs.push_back(c);
    std::vector<GateEntry> rows;
    for (const auto& config : configs) {
      GateEntry e = make_entry(GateEntry::Kind::config);
      const Indexed* b = bg && bg->by_config.count(config) ? &bg->by_config.at(config) : nullptr;
      const Indexed* c = cg && cg->by_config.count(config) ? &cg->by_config.at(config) : nullptr;
      judge.judge(e, b, c);
      rows.push_back(std::move(e));
    }
    auto mark_best = [&](const std::string& config) {
      auto it = std::find_if(rows.begin(), rows.end(), [&](const GateEntry& e) {
        return (e.current && e.current->config == config) || (!e.current && e.baseline && e.baseline->config == config);
      });
      if (it != rows.end()) it->shape_best = true;
    };

    // The shape's best on each side. The same config on both: its row says it
    // all. Different configs, or none ok on one side: a row of its own.
    const std::optional<Indexed> bb = bg ? bg->best : std::nullopt, cb = cg ? cg->best : std::nullopt;
    if (bb && cb && bb->result->config == cb->result->config) {
      mark_best(cb->result->config.str());
    } else if (baseline && bg && cg && (bb || cb)) {
      GateEntry e = make_entry(GateEntry::Kind::best);
      const Indexed fallback_b{bg->by_config.at(bg->configs.front())}, fallback_c{cg->by_config.at(cg->configs.front())};
      judge.judge(e, bb ? &*bb : &fallback_b, cb ? &*cb : &fallback_c);
      if (!cb) e.notes.insert(e.notes.begin(), "no config of this shape is ok in the current run");
      if (!bb) e.notes.insert(e.notes.begin(), "no config of this shape was ok in the baseline");
      e.shape_best = true;
      rows.insert(rows.begin(), std::move(e));
    } else if (cg) {
      mark_best(cb ? cb->result->config.str() : cg->configs.front());
    } else if (bb) {
      mark_best(bb->result->config.str());  // listed even with --best-only
    }
    for (auto& e : rows)
      if (!options.best_only || e.shape_best || e.kind == GateEntry::Kind::best) report.entries.push_back(std::move(e));
  }

  // A changed template source is why a PR is gated: said once per template, not on every row.
  std::vector<std::string> changed;
  for (const auto& e : report.entries)
    if (e.baseline && e.current && e.baseline->source_hash != e.current->source_hash &&
        std::find(changed.begin(), changed.end(), e.template_name) == changed.end())
      changed.push_back(e.template_name);
  for (const auto& name : changed) report.notes.push_back(fmt::format("{}'s source changed between the two runs", name));

  apply_floors(report);
  for (auto& e : report.entries) e.failed = verdict_fails(e.verdict, options.strict) || e.floor_failed();

  if (current.set.results.empty() && !baseline)
    throw InputError(fmt::format("{}: holds no results: nothing to gate", current.path));
  const bool in_common = std::any_of(report.entries.begin(), report.entries.end(),
                                     [](const GateEntry& e) { return e.baseline && e.current; });
  const bool floors_checked = std::any_of(report.entries.begin(), report.entries.end(),
                                          [](const GateEntry& e) { return !e.floors.empty(); });
  if (baseline && !in_common && !floors_checked)
    throw InputError(fmt::format("{} and {} have no (template, shape, dtype) in common ({} and {} results): nothing to "
                                 "compare. Are these the right documents?",
                                 baseline->path, current.path, baseline->set.results.size(), current.set.results.size()));
  return report;
}

}  // namespace tkbench
