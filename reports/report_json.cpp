// The JSON report ("tkbench.report/1"): the computed report, for tools. Per
// document its GPU and roofs, per shape the best config, its figures, the
// verdict and why, and the effect of each parameter; per result its figures.
#include <cmath>

#include "reports/report_formats.hpp"
#include "tuner/result_json.hpp"

namespace tkbench {
namespace {
using json = nlohmann::ordered_json;

// Six significant digits: stable across compilers, more than any measurement has.
json rounded(double value) {
  if (value == 0 || !std::isfinite(value)) return value;
  double scale = std::pow(10.0, 5 - static_cast<int>(std::floor(std::log10(std::fabs(value)))));
  return std::round(value * scale) / scale;
}

json figures(const ReportPoint& p) {
  const RooflineFigures& f = p.figures;
  auto known = [&](double v, bool ok) { return ok ? rounded(v) : json(nullptr); };
  bool timed = p.timed;
  return {{"ideal_bytes", rounded(f.ideal_bytes)},
          {"flops", rounded(f.flops)},
          {"arithmetic_intensity", rounded(f.arithmetic_intensity)},
          {"bandwidth", known(f.bandwidth, timed)},
          {"flop_rate", known(f.flop_rate, timed)},
          {"pct_of_measured_bandwidth", known(f.pct_of_measured, timed && f.pct_of_measured > 0)},
          {"pct_of_theoretical_bandwidth", known(f.pct_of_theoretical, timed)},
          {"bound_by", f.bound_by},
          {"compute_bound", f.compute_bound},
          {"pct_of_bound", known(f.pct_of_bound, timed)},
          {"floor_us", known(f.floor_seconds * 1e6, f.floor_seconds > 0)},
          {"size_roof_us", known(f.size_roof_seconds * 1e6, f.has_size_roof())},
          {"size_roof_bandwidth", known(f.size_roof_bandwidth, f.has_size_roof())},
          {"latency_floor_us", known(f.latency_floor_seconds * 1e6, f.has_size_roof())},
          {"pct_of_size_roof", known(f.pct_of_size_roof, timed && f.has_size_roof())},
          {"latency_bound", timed && f.has_size_roof() ? json(f.latency_bound) : json(nullptr)},
          {"dram_efficiency", known(f.dram_efficiency, f.dram_efficiency > 0)},
          {"dram_throughput_pct", known(f.dram_throughput_pct, f.dram_throughput_pct > 0)},
          {"achieved_occupancy", known(f.achieved_occupancy, f.achieved_occupancy > 0)},
          {"theoretical_occupancy", known(f.theoretical_occupancy, f.theoretical_occupancy > 0)},
          {"tensor_pipe_pct", known(f.tensor_pipe_pct.value_or(0), f.tensor_pipe_pct.has_value())},
          {"tensor_pipe_busy_pct", known(f.tensor_pipe_busy_pct.value_or(0), f.tensor_pipe_busy_pct.has_value())},
          {"l2_hit_rate_pct", known(f.l2_hit_rate_pct.value_or(0), f.l2_hit_rate_pct.has_value())}};
}

}  // namespace

json render_json(const Report& report) {
  json documents = json::array();
  for (std::size_t d = 0; d < report.documents.size(); ++d) {
    const ResultDocument& doc = report.documents[d];
    const DevicePeaks& p = doc.peaks;
    json roofs = {{"memory_measured", p.measured_bandwidth() > 0 ? rounded(p.measured_bandwidth()) : json(nullptr)},
                  {"memory_theoretical", rounded(p.theoretical_bandwidth)},
                  {"fp32", rounded(p.fp32_flops)}};
    for (DType dtype : {DType::bf16, DType::fp16, DType::fp32}) {
      Roofs r = roofs_for(p, dtype);
      if (r.tensor > 0) roofs[r.tensor_name] = rounded(r.tensor);
    }
    json size_curve = nullptr;  // the copy over footprints and the latency floor, when calibrated
    if (const BandwidthCurve* curve = p.size_curve()) {
      const BandwidthCurve& c = *curve;
      json points = json::array();
      for (const auto& point : c.points) points.push_back({{"bytes", rounded(point.bytes)}, {"bandwidth", rounded(point.bandwidth)}});
      size_curve = {{"points", points}, {"latency_floor_us", rounded(c.latency_floor_us)}};
    }
    roofs["size_curve"] = size_curve;
    documents.push_back({{"label", report.document_label(d)}, {"path", doc.path}, {"gpu", p.device.name},
                         {"arch", p.device.arch()}, {"uuid", p.device.uuid}, {"driver_version", p.driver_version},
                         {"created_at", doc.set.created_at}, {"tool_version", doc.set.tool_version}, {"roofs", roofs}});
  }
  json shapes = json::array();
  for (std::size_t i = 0; i < report.groups.size(); ++i) {
    const ShapeGroup& g = report.groups[i];
    json params = json::array();
    for (const auto& e : g.parameters) {
      json values = json::array();
      for (const auto& v : e.values)
        values.push_back({{"value", v.value}, {"best_us", v.configs ? rounded(v.best_us) : json(nullptr)}, {"configs", v.configs}});
      params.push_back({{"name", e.name}, {"swing", rounded(e.swing)}, {"values", values}});
    }
    json best = nullptr;
    if (const ReportPoint* b = best_point(report, g)) {
      const Result& r = report.result_of(*b);
      best = {{"config", to_json(r.config)}, {"median_us", rounded(r.measurement->timing->median_us)}, {"figures", figures(*b)}};
    }
    shapes.push_back({{"document", g.document}, {"template", g.template_name}, {"shape", g.problem.shape_str()},
                      {"dtype", dtype_info(g.problem.dtype).name}, {"evaluated", g.evaluated}, {"failed", g.failed},
                      {"best", best},
                      {"library", g.library.empty() ? json(nullptr) : json(g.library)},
                      {"library_us", g.library_us ? json(rounded(*g.library_us)) : json(nullptr)},
                      {"pct_of_library", g.pct_of_library ? json(rounded(*g.pct_of_library)) : json(nullptr)},
                      {"verdict", g.verdict}, {"why", g.why},
                      {"furthest_from_limit", report.furthest && *report.furthest == i}, {"parameters", params}});
  }
  json results = json::array();
  for (const auto& p : report.points) {
    const Result& r = report.result_of(p);
    results.push_back({{"document", p.document}, {"index", p.result}, {"template", r.template_name},
                       {"shape", r.problem.shape_str()}, {"dtype", dtype_info(r.problem.dtype).name},
                       {"config", to_json(r.config)}, {"status", status_name(r.status)}, {"best", p.best},
                       {"median_us", p.timed ? rounded(r.measurement->timing->median_us) : json(nullptr)}, {"figures", figures(p)}});
  }
  return {{"schema", "tkbench.report/1"}, {"documents", documents}, {"shapes", shapes}, {"results", results}};
}

}  // namespace tkbench
