#include "reports/roofline.hpp"

namespace tkbench {

RooflineFigures roofline_figures(const Result& result, const TemplateSpec& spec, const DevicePeaks& peaks) {
  RooflineFigures f;
  Bindings b = result.problem.bindings();
  f.ideal_bytes = spec.ideal_bytes.evaluate(b);
  f.flops = spec.flops.evaluate(b);
  f.arithmetic_intensity = f.ideal_bytes > 0 ? f.flops / f.ideal_bytes : 0;
  if (result.compile) f.theoretical_occupancy = result.compile->occupancy.fraction;
  if (result.measurement && result.measurement->counters) {
    const Counters& c = *result.measurement->counters;
    auto read = c.get("dram__bytes_read.sum"), write = c.get("dram__bytes_write.sum");
    if (read && write) {
      f.dram_bytes = *read + *write;
      if (f.dram_bytes > 0) f.dram_efficiency = f.ideal_bytes / f.dram_bytes;
    }
    f.dram_throughput_pct = c.get("dram__throughput.avg.pct_of_peak_sustained_elapsed").value_or(0);
    f.achieved_occupancy = c.get("sm__warps_active.avg.pct_of_peak_sustained_active").value_or(0) / 100;
  }
  if (!result.measurement || !result.measurement->timing) return f;
  f.seconds = result.measurement->timing->median_us * 1e-6;
  if (f.seconds <= 0) return f;
  f.bandwidth = f.ideal_bytes / f.seconds;
  f.flop_rate = f.flops / f.seconds;
  if (peaks.measured_bandwidth() > 0) f.pct_of_measured = 100 * f.bandwidth / peaks.measured_bandwidth();
  if (peaks.theoretical_bandwidth > 0) f.pct_of_theoretical = 100 * f.bandwidth / peaks.theoretical_bandwidth;
  const double memory_roof = peaks.measured_bandwidth() > 0 ? peaks.measured_bandwidth() : peaks.theoretical_bandwidth;
  f.compute_bound = peaks.fp32_flops > 0 && f.arithmetic_intensity * memory_roof > peaks.fp32_flops;
  if (f.compute_bound) f.pct_of_bound = 100 * f.flop_rate / peaks.fp32_flops;
  else if (memory_roof > 0) f.pct_of_bound = 100 * f.bandwidth / memory_roof;
  return f;
}

nlohmann::ordered_json figures_json(const Result& r, const TemplateSpec& spec, const DevicePeaks& peaks) {
  using json = nlohmann::ordered_json;
  RooflineFigures f = roofline_figures(r, spec, peaks);
  bool timed = r.measurement && r.measurement->timing;
  bool counted = r.measurement && r.measurement->counters;
  return {{"ideal_bytes", f.ideal_bytes}, {"flops", f.flops},
          {"bandwidth", timed ? json(f.bandwidth) : json(nullptr)},
          {"pct_of_measured_bandwidth", timed && peaks.calibration ? json(f.pct_of_measured) : json(nullptr)},
          {"pct_of_theoretical_bandwidth", timed ? json(f.pct_of_theoretical) : json(nullptr)},
          {"arithmetic_intensity", f.arithmetic_intensity},
          {"dram_bytes", counted && f.dram_bytes > 0 ? json(f.dram_bytes) : json(nullptr)},
          {"dram_efficiency", counted && f.dram_bytes > 0 ? json(f.dram_efficiency) : json(nullptr)},
          {"dram_throughput_pct", counted ? json(f.dram_throughput_pct) : json(nullptr)},
          {"achieved_occupancy", counted ? json(f.achieved_occupancy) : json(nullptr)},
          {"theoretical_occupancy", r.compile ? json(f.theoretical_occupancy) : json(nullptr)}};
}

}  // namespace tkbench
