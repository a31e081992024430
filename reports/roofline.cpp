#include "reports/roofline.hpp"

#include <algorithm>

#include "profiler/default_metrics.hpp"
#include "reports/size_roof.hpp"

namespace tkbench {

Workload workload_of(const TemplateSpec& spec, const Problem& problem) {
  Bindings b = problem.bindings();
  return {spec.ideal_bytes.evaluate(b), spec.flops.evaluate(b), spec.compute_pipe};
}

Roofs roofs_for(const DevicePeaks& peaks, DType dtype) {
  Roofs r;
  r.memory_measured = peaks.measured_bandwidth();
  r.memory_theoretical = peaks.theoretical_bandwidth;
  r.fp32 = peaks.fp32_flops;
  // Dense tensor rates from sm_80 to sm_100: fp16 runs at the bf16 rate, TF32 at half of it.
  switch (dtype) {
    case DType::bf16: r.tensor = peaks.tensor_bf16_flops, r.tensor_name = "bf16 tensor"; break;
    case DType::fp16: r.tensor = peaks.tensor_bf16_flops, r.tensor_name = "fp16 tensor"; break;
    case DType::fp32: r.tensor = peaks.tensor_bf16_flops / 2, r.tensor_name = "TF32 tensor"; break;
    default: break;
  }
  r.tensor_theoretical = r.tensor;
  // A measured dense 16-bit rate judges bf16 and fp16 results, as the
  // measured copy judges bandwidth (TF32 was not measured).
  if ((dtype == DType::bf16 || dtype == DType::fp16) && peaks.calibration && peaks.calibration->tensor_bf16_flops > 0) {
    r.tensor = peaks.calibration->tensor_bf16_flops;
    r.tensor_name = "measured " + r.tensor_name;
  }
  return r;
}

RooflineFigures roofline_figures(const Result& result, const Workload& workload, const DevicePeaks& peaks) {
  RooflineFigures f;
  f.ideal_bytes = workload.ideal_bytes;
  f.flops = workload.flops;
  f.arithmetic_intensity = f.ideal_bytes > 0 ? f.flops / f.ideal_bytes : 0;
  f.compute_pipe = workload.compute_pipe;
  if (result.compile) f.theoretical_occupancy = result.compile->occupancy.fraction;
  if (result.measurement && result.measurement->counters) {
    const Counters& c = *result.measurement->counters;
    auto read = c.get(metric::kDramRead), write = c.get(metric::kDramWrite);
    if (read && write) {
      f.dram_bytes = *read + *write;
      if (f.dram_bytes > 0) f.dram_efficiency = f.ideal_bytes / f.dram_bytes;
    }
    f.dram_throughput_pct = c.get(metric::kDramThroughput).value_or(0);
    f.achieved_occupancy = c.get(metric::kWarpsActive).value_or(0) / 100;
    f.tensor_pipe_pct = c.get(metric::kTensorPipeElapsed);
    f.tensor_pipe_busy_pct = c.get(metric::kTensorPipeActive);
    f.l2_hit_rate_pct = c.get(metric::kL2RequestHitRate);
  }
  const Roofs roofs = roofs_for(peaks, result.problem.dtype);
  const double compute_roof = workload.compute_pipe == "tensor" && roofs.tensor > 0 ? roofs.tensor : roofs.fp32;
  const std::string compute_name = workload.compute_pipe == "tensor" && roofs.tensor > 0 ? roofs.tensor_name : "FP32";
  f.compute_bound = f.flops > 0 && compute_roof > 0 && f.arithmetic_intensity * roofs.memory() > compute_roof;
  f.bound_by = f.compute_bound ? compute_name : roofs.memory_name();
  if (roofs.memory() > 0) f.floor_seconds = f.ideal_bytes / roofs.memory();
  if (f.flops > 0 && compute_roof > 0) f.floor_seconds = std::max(f.floor_seconds, f.flops / compute_roof);
  if (auto roof = f.compute_bound ? std::nullopt : size_roof(peaks, f.ideal_bytes)) {
    f.size_roof_seconds = roof->seconds;
    f.size_roof_bandwidth = roof->bandwidth;
    f.latency_floor_seconds = roof->latency_floor_seconds;
  }
  if (!result.measurement || !result.measurement->timing) return f;
  f.seconds = result.measurement->timing->median_us * 1e-6;
  if (f.seconds <= 0) return f;
  f.bandwidth = f.ideal_bytes / f.seconds;
  f.flop_rate = f.flops / f.seconds;
  if (roofs.memory_measured > 0) f.pct_of_measured = 100 * f.bandwidth / roofs.memory_measured;
  if (roofs.memory_theoretical > 0) f.pct_of_theoretical = 100 * f.bandwidth / roofs.memory_theoretical;
  if (f.compute_bound) f.pct_of_bound = 100 * f.flop_rate / compute_roof;
  else if (roofs.memory() > 0) f.pct_of_bound = 100 * f.bandwidth / roofs.memory();
  if (f.has_size_roof()) {
    f.pct_of_size_roof = 100 * f.size_roof_seconds / f.seconds;
    f.latency_bound = f.seconds < kLatencyBoundFactor * f.latency_floor_seconds;
  }
  return f;
}

RooflineFigures roofline_figures(const Result& result, const TemplateSpec& spec, const DevicePeaks& peaks) {
  return roofline_figures(result, workload_of(spec, result.problem), peaks);
}

nlohmann::ordered_json figures_json(const Result& r, const TemplateSpec& spec, const DevicePeaks& peaks) {
  return figures_json(r, workload_of(spec, r.problem), peaks);
}

nlohmann::ordered_json figures_json(const Result& r, const Workload& workload, const DevicePeaks& peaks) {
  using json = nlohmann::ordered_json;
  RooflineFigures f = roofline_figures(r, workload, peaks);
  bool timed = r.measurement && r.measurement->timing;
  bool counted = r.measurement && r.measurement->counters;
  auto optional = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  return {{"ideal_bytes", f.ideal_bytes}, {"flops", f.flops}, {"compute_pipe", workload.compute_pipe},
          {"bandwidth", timed ? json(f.bandwidth) : json(nullptr)},
          {"pct_of_measured_bandwidth", timed && peaks.calibration ? json(f.pct_of_measured) : json(nullptr)},
          {"pct_of_theoretical_bandwidth", timed ? json(f.pct_of_theoretical) : json(nullptr)},
          {"arithmetic_intensity", f.arithmetic_intensity},
          {"pct_of_bound", timed ? json(f.pct_of_bound) : json(nullptr)},
          {"bound_by", f.bound_by},
          {"size_roof_us", f.has_size_roof() ? json(1e6 * f.size_roof_seconds) : json(nullptr)},
          {"size_roof_bandwidth", f.has_size_roof() ? json(f.size_roof_bandwidth) : json(nullptr)},
          {"latency_floor_us", f.has_size_roof() ? json(1e6 * f.latency_floor_seconds) : json(nullptr)},
          {"pct_of_size_roof", timed && f.has_size_roof() ? json(f.pct_of_size_roof) : json(nullptr)},
          {"latency_bound", timed && f.has_size_roof() ? json(f.latency_bound) : json(nullptr)},
          {"dram_bytes", counted && f.dram_bytes > 0 ? json(f.dram_bytes) : json(nullptr)},
          {"dram_efficiency", counted && f.dram_bytes > 0 ? json(f.dram_efficiency) : json(nullptr)},
          {"dram_throughput_pct", counted ? json(f.dram_throughput_pct) : json(nullptr)},
          {"achieved_occupancy", counted ? json(f.achieved_occupancy) : json(nullptr)},
          {"theoretical_occupancy", r.compile ? json(f.theoretical_occupancy) : json(nullptr)},
          {"tensor_pipe_pct", optional(f.tensor_pipe_pct)},
          {"tensor_pipe_busy_pct", optional(f.tensor_pipe_busy_pct)},
          {"l2_hit_rate_pct", optional(f.l2_hit_rate_pct)}};
}

}  // namespace tkbench
