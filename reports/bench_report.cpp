#include "reports/bench_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "profiler/default_metrics.hpp"
#include "reports/library_comparison.hpp"
#include "reports/roofline.hpp"
#include "reports/tensor_counters.hpp"
#include "reports/terminal.hpp"
#include "reports/verdict.hpp"
#include "tuner/format_bytes.hpp"
#include "tuner/result_json.hpp"

namespace tkbench {
using json = nlohmann::ordered_json;

namespace {
std::string tbps(double bytes_per_s) { return fmt::format("{:.2f} TB/s", bytes_per_s / 1e12); }
std::string us(double v) { return v >= 1000 ? fmt::format("{:.1f} µs", v) : fmt::format("{:.2f} µs", v); }
}  // namespace

void print_bench_result(std::FILE* out, const Result& r, const TemplateSpec& spec, const DevicePeaks& peaks, bool color) {
  auto line = [&](const std::string& key, const std::string& value) {
    std::fprintf(out, "  %s %s\n", styled(fmt::format("{:<11}", key), Style::bold, color).c_str(), value.c_str());
  };
  std::fprintf(out, "%s\n", styled(fmt::format("{} {} {}  {}", spec.name, r.problem.shape_str(), dtype_info(r.problem.dtype).name,
                                               r.config.str()), Style::bold, color).c_str());
  if (r.status != Status::ok && r.status != Status::wrong_result) {
    line("status", styled(std::string(status_name(r.status)), Style::red, color) + ": " + r.reason);
    return;
  }
  const Verification& v = r.measurement->verification;
  if (!v.verified) {
    line("correct", styled("UNVERIFIED: the template has no reference kernel", Style::yellow, color) +
                        (v.passed ? " (no NaN/Inf or unwritten outputs)" : ""));
  } else if (v.passed) {
    line("correct", styled("yes", Style::green, color) + fmt::format(": relative L2 error {:.2g} (tolerance {:.2g}), max abs error {:.2g}",
                                                                     v.rel_l2_error, v.tolerance, v.max_abs_error));
  }
  if (!v.passed) {
    line("correct", styled("NO: wrong_result", Style::red, color) + ": " + r.reason + "; not timed");
    return;
  }
  const TimingStats& t = *r.measurement->timing;
  line("time", fmt::format("{} median (min {}, max {}), spread {:.1f}%, {} samples, L2 {}{}", us(t.median_us), us(t.min_us),
                           us(t.max_us), 100 * t.spread, t.samples, t.l2,
                           t.graph ? fmt::format(", CUDA graph of {} launches{}", t.launches_per_sample,
                                                 t.buffer_sets > 1 ? fmt::format(" over {} input sets", t.buffer_sets) : "")
                                   : ""));
  if (!t.converged)
    line("", styled(fmt::format("noisy: the median's relative error is {:.2f}% after the time cap", 100 * t.rel_std_error), Style::yellow, color));
  if (t.throttled)
    line("", styled(fmt::format("throttled: SM clock {}/{} MHz at start/end, max {}", t.sm_clock_start_mhz, t.sm_clock_end_mhz, t.sm_clock_max_mhz),
                    Style::yellow, color));
  if (t.throttle_dropped_samples > 0)
    line("", fmt::format("{} sample{} dropped: the SM clock was throttled; the GPU rested {:.2f} s to recover", t.throttle_dropped_samples,
                         t.throttle_dropped_samples == 1 ? "" : "s", t.throttle_rest_s));
  RooflineFigures f = roofline_figures(r, spec, peaks);
  std::string measured = peaks.calibration ? fmt::format("{:.1f}% of measured copy ({})", f.pct_of_measured, tbps(peaks.measured_bandwidth()))
                                           : "not calibrated (run `tkbench calibrate`)";
  line("bandwidth", fmt::format("{} = {}, {:.1f}% of theoretical ({})", tbps(f.bandwidth), measured, f.pct_of_theoretical,
                                tbps(peaks.theoretical_bandwidth)));
  line("", fmt::format("ideal bytes {} ({}), {:.2f} FLOP/byte", static_cast<long long>(f.ideal_bytes),
                       format_bytes(f.ideal_bytes), f.arithmetic_intensity));
  if (f.compute_bound)
    line("compute", fmt::format("{:.1f} TFLOP/s = {:.1f}% of the {} roof", f.flop_rate / 1e12, f.pct_of_bound, f.bound_by));
  const bool floor_binds = f.has_size_roof() && f.size_roof_seconds <= f.latency_floor_seconds;
  if (floor_binds)
    line("size roof", fmt::format("{:.1f}% of the roof for these bytes: {}, the latency floor (a copy at this footprint's {}: {})",
                                  f.pct_of_size_roof, us(1e6 * f.size_roof_seconds), tbps(f.size_roof_bandwidth),
                                  us(1e6 * f.ideal_bytes / f.size_roof_bandwidth)));
  else if (f.has_size_roof())
    line("size roof", fmt::format("{:.1f}% of the roof for these bytes: {}, a copy at this footprint's {} (latency floor {})",
                                  f.pct_of_size_roof, us(1e6 * f.size_roof_seconds), tbps(f.size_roof_bandwidth),
                                  us(1e6 * f.latency_floor_seconds)));
  else if (peaks.calibration && !f.compute_bound)
    line("size roof", "unknown: this GPU was calibrated before size curves (`tkbench calibrate --force` measures one)");
  if (peaks.calibration) {
    const std::string verdict = verdict_of(f);
    const Style style = verdict_at_limit(verdict) ? Style::green : verdict == "near the limit" ? Style::yellow : Style::red;
    line("verdict", styled(verdict, style, color) + fmt::format(" ({:.1f}% of the {} roof)", judged_pct(f), judged_roof_name(f)));
  }
  print_counters(out, r, f, color);
  // What the counters and ptxas say a tensor-core kernel loses its roof to.
  if (f.compute_bound && f.compute_pipe == "tensor") {
    if (const auto reasons = tensor_loss_reasons(r, f); !reasons.empty()) line("why", fmt::format("{}", fmt::join(reasons, "; ")));
  }
}

// What an efficiency far from 100% means, for the counters' DRAM line.
static std::string dram_efficiency_note(double efficiency) {
  if (efficiency < 0.9) return ": moves more than it must";
  // The counters cover the kernel alone: outputs that fit in L2 are written
  // back to DRAM after it ends (or during the next kernel), not counted here.
  if (efficiency > 1.1) return ": less than the ideal, outputs still in L2 at the kernel's end are written back later";
  return "";
}

void print_counters(std::FILE* out, const Result& r, const RooflineFigures& f, bool color) {
  if (!r.measurement) return;
  const Measurement& m = *r.measurement;
  auto line = [&](const std::string& key, const std::string& value) {
    std::fprintf(out, "  %s %s\n", styled(fmt::format("{:<11}", key), Style::bold, color).c_str(), value.c_str());
  };
  if (!m.counters_unavailable.empty()) {
    line("counters", styled("unavailable: " + m.counters_unavailable, Style::yellow, color));
    return;
  }
  if (!m.counters) return;
  if (f.dram_bytes > 0) {
    Style s = f.dram_efficiency < 0.9 ? Style::red : Style::plain;
    line("DRAM", styled(fmt::format("{} moved ({} read, {} written) = {:.1f}% efficiency (ideal / measured){}",
                                    format_bytes(f.dram_bytes), format_bytes(m.counters->get(metric::kDramRead).value_or(0)),
                                    format_bytes(m.counters->get(metric::kDramWrite).value_or(0)), 100 * f.dram_efficiency,
                                    dram_efficiency_note(f.dram_efficiency)), s, color));
  }
  if (m.counters->get(metric::kDramThroughput))
    line("", fmt::format("DRAM throughput {:.1f}% of peak", f.dram_throughput_pct));
  if (m.counters->get(metric::kWarpsActive))
    line("occupancy", fmt::format("achieved {:.1f}%, theoretical {}", 100 * f.achieved_occupancy,
                                  f.theoretical_occupancy > 0 ? fmt::format("{:.1f}%", 100 * f.theoretical_occupancy) : "-"));
  if (f.tensor_pipe_pct)
    line("tensor pipe", fmt::format("active {:.1f}% of elapsed cycles{}", *f.tensor_pipe_pct,
                                    f.tensor_pipe_busy_pct ? fmt::format(", {:.1f}% of the cycles its SM had work", *f.tensor_pipe_busy_pct) : ""));
  if (f.l2_hit_rate_pct) line("L2", fmt::format("{:.1f}% of requests hit", *f.l2_hit_rate_pct));
  std::string rest;
  for (const auto& [name, value] : m.counters->values) rest += fmt::format("\n    {:<55} {:.6g}", name, value);
  line("counters", fmt::format("{} metric{}, {} pass{}, {:.0f} ms to collect{}", m.counters->values.size(),
                               m.counters->values.size() == 1 ? "" : "s", m.counters->passes, m.counters->passes == 1 ? "" : "es",
                               m.counters->overhead_ms, rest));
}

void print_library_comparison(std::FILE* out, const Result& library, const Result& kernel, const TemplateSpec& spec, bool color) {
  const std::string name = spec.baseline ? spec.baseline->display_name() : library.baseline;
  const bool timed = library.status == Status::ok && library.measurement && library.measurement->timing;
  if (!timed) {
    std::fprintf(out, "  %s: %s (%s)\n", name.c_str(), styled(std::string(status_name(library.status)), Style::red, color).c_str(),
                 library.reason.c_str());
    return;
  }
  const double library_us = library.measurement->timing->median_us;
  const double kernel_us = kernel.measurement && kernel.measurement->timing ? kernel.measurement->timing->median_us : 0;
  std::string figure = library_figure(&library, kernel_us);
  std::fprintf(out, "  %s %.2f µs (%s, same worker and timer): this config is %s of %s\n", name.c_str(), library_us,
               library.measurement->verification.verified ? "verified" : "UNVERIFIED",
               styled(figure, Style::bold, color).c_str(), name.c_str());
  if (std::string noise = library_noise(library, name); !noise.empty())
    std::fprintf(out, "  %s: the ratio is not to be trusted; run the command again\n",
                 styled(noise, Style::yellow, color).c_str());
  if (std::string clocks = library_clock_mismatch(library, kernel, name); !clocks.empty())
    std::fprintf(out, "  %s: the ratio is not to be trusted; let the GPU cool and run the command again\n",
                 styled(clocks, Style::yellow, color).c_str());
}

json bench_document(const std::vector<Result>& results, const std::vector<Result>& libraries, const TemplateSpec& spec,
                    const DevicePeaks& peaks) {
  json rows = json::array();
  for (const auto& r : results) {
    json row = to_json(r);
    row["figures"] = figures_json(r, spec, peaks);
    rows.push_back(row);
  }
  json doc = {{"schema", "tkbench.bench/1"}, {"tool_version", TKBENCH_VERSION}, {"device", to_json(peaks)}, {"results", rows}};
  if (!libraries.empty()) {
    json baselines = json::array();
    for (const auto& l : libraries) baselines.push_back(to_json(l));
    doc["baselines"] = baselines;
  }
  return doc;
}

void print_calibration(std::FILE* out, const DevicePeaks& p, bool color) {
  std::fprintf(out, "%s\n", styled(fmt::format("{} ({}, {})", p.device.name, p.device.arch(), p.device.uuid), Style::bold, color).c_str());
  std::fprintf(out, "  theoretical DRAM bandwidth  %s  (2 x %d MHz x %d bits / 8)\n", tbps(p.theoretical_bandwidth).c_str(),
               p.device.memory_clock_khz / 1000, p.device.bus_width_bits);
  std::fprintf(out, "  theoretical FP32 / bf16 tensor  %.1f / %.0f TFLOP/s  (at the %d MHz SM clock the device reports)\n",
               p.fp32_flops / 1e12, p.tensor_bf16_flops / 1e12, p.device.sm_clock_khz / 1000);
  if (!p.calibration) {
    std::fprintf(out, "  measured: not calibrated yet (tkbench calibrate)\n");
    return;
  }
  const auto& c = *p.calibration;
  std::fprintf(out, "  measured DRAM bandwidth     %s  (%s; %.1f%% of theoretical)\n",
               styled(tbps(c.bandwidth), Style::green, color).c_str(), c.source.c_str(), 100 * c.bandwidth / p.theoretical_bandwidth);
  std::fprintf(out, "    copy kernel (tuned, %d configs)  %s  best %s\n", c.configs_tried, tbps(c.copy_kernel_bandwidth).c_str(),
               c.copy_kernel_config.c_str());
  std::fprintf(out, "    driver copy (cudaMemcpyAsync)   %s\n", tbps(c.driver_copy_bandwidth).c_str());
  if (c.tensor_bf16_flops > 0)
    std::fprintf(out, "  measured bf16 tensor        %.0f TFLOP/s  (%s; %.1f%% of theoretical)\n", c.tensor_bf16_flops / 1e12,
                 c.tensor_source.c_str(), p.tensor_bf16_flops > 0 ? 100 * c.tensor_bf16_flops / p.tensor_bf16_flops : 0.0);
  std::fprintf(out, "    footprint %s per buffer, measured %s\n", format_bytes(static_cast<double>(c.bytes_per_buffer)).c_str(),
               c.measured_at.c_str());
  if (!p.size_curve()) {
    std::fprintf(out, "  size curve: not measured (calibrated before size curves; tkbench calibrate --force)\n");
    return;
  }
  const BandwidthCurve& curve = *p.size_curve();
  std::fprintf(out, "  latency floor               %s  (graph-launched copy of %s, %s)\n",
               styled(us(curve.latency_floor_us), Style::green, color).c_str(), format_bytes(curve.latency_floor_bytes).c_str(),
               curve.latency_floor_config.c_str());
  std::fprintf(out, "  copy bandwidth by footprint (bytes read + written; the best config of each, %d timed in all):\n",
               curve.configs_tried);
  for (const auto& point : curve.points)
    std::fprintf(out, "    %9s  %s  %5.1f%% of the large copy  %s\n", format_bytes(point.bytes).c_str(), tbps(point.bandwidth).c_str(),
                 c.bandwidth > 0 ? 100 * point.bandwidth / c.bandwidth : 0.0, point.config.c_str());
}

}  // namespace tkbench
