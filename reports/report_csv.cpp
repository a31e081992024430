// The CSV report: one row per evaluated config, flat columns (each parameter
// its own column), RFC 4180 quoting. Empty cells where a figure is unknown.
#include <set>

#include <fmt/format.h>

#include "reports/report_formats.hpp"

namespace tkbench {
namespace {

std::string csv(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number(double value, bool known, int precision) {
  return known ? fmt::format("{:.{}f}", value, precision) : "";
}

}  // namespace

std::string render_csv(const Report& report) {
  // Parameter columns: every name any result uses, in first-seen order.
  std::vector<std::string> params;
  std::set<std::string> seen;
  for (const auto& p : report.points)
    for (const auto& [name, value] : report.result_of(p).config.values)
      if (seen.insert(name).second) params.push_back(name);

  std::string out = "document,gpu,template,shape,dtype,config";
  for (const auto& name : params) out += "," + csv("param_" + name);
  out += ",status,best,median_us,min_us,samples,graph,l2,ideal_bytes,flops,bandwidth_gbs,pct_of_measured,pct_of_theoretical,"
         "arithmetic_intensity,bound_by,pct_of_bound,floor_us,size_roof_us,latency_floor_us,pct_of_size_roof,latency_bound,dram_efficiency,achieved_occupancy,theoretical_occupancy,"
         "tensor_pipe_pct,l2_hit_rate_pct,registers,spill_bytes,reason\n";
  for (const auto& p : report.points) {
    const Result& r = report.result_of(p);
    const ResultDocument& doc = report.documents[p.document];
    const RooflineFigures& f = p.figures;
    const TimingStats* t = p.timed ? &*r.measurement->timing : nullptr;
    out += fmt::format("{},{},{},{},{},{}", csv(doc.path), csv(doc.peaks.device.name), csv(r.template_name), r.problem.shape_str(),
                       dtype_info(r.problem.dtype).name, csv(r.config.str()));
    for (const auto& name : params) {
      std::string cell;
      for (const auto& [n, v] : r.config.values)
        if (n == name) cell = std::to_string(v);
      out += "," + cell;
    }
    bool counted = r.measurement && r.measurement->counters;
    std::string reason = r.reason.substr(0, r.reason.find('\n'));
    out += fmt::format(",{},{},{},{},{},{},{},{:.0f},{:.0f},{},{},{},{:.4f},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", status_name(r.status),
                       p.best ? 1 : 0, number(t ? t->median_us : 0, t, 3), number(t ? t->min_us : 0, t, 3),
                       t ? std::to_string(t->samples) : "", t ? (t->graph ? "1" : "0") : "", t ? t->l2 : "", f.ideal_bytes, f.flops,
                       number(f.bandwidth / 1e9, t, 1), number(f.pct_of_measured, t && f.pct_of_measured > 0, 2),
                       number(f.pct_of_theoretical, t, 2), f.arithmetic_intensity, csv(f.bound_by), number(f.pct_of_bound, t, 2),
                       number(f.floor_seconds * 1e6, f.floor_seconds > 0, 3),
                       number(f.size_roof_seconds * 1e6, f.has_size_roof(), 3),
                       number(f.latency_floor_seconds * 1e6, f.has_size_roof(), 3),
                       number(f.pct_of_size_roof, t && f.has_size_roof(), 2),
                       t && f.has_size_roof() ? (f.latency_bound ? "1" : "0") : "",
                       number(f.dram_efficiency, counted && f.dram_efficiency > 0, 4),
                       number(f.achieved_occupancy, counted && f.achieved_occupancy > 0, 4),
                       number(f.theoretical_occupancy, r.compile.has_value(), 4),
                       number(f.tensor_pipe_pct.value_or(0), f.tensor_pipe_pct.has_value(), 2),
                       number(f.l2_hit_rate_pct.value_or(0), f.l2_hit_rate_pct.has_value(), 2),
                       r.compile ? std::to_string(r.compile->resources.registers) : "",
                       r.compile ? std::to_string(r.compile->resources.spill_store_bytes + r.compile->resources.spill_load_bytes) : "",
                       csv(reason));
  }
  return out;
}

}  // namespace tkbench
