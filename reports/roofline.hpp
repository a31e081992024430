#pragma once
// Roofline math, in one place: a GPU's roofs for a dtype (memory at the
// measured copy bandwidth and at the theoretical peak; compute on the FP32
// pipe and on the tensor pipe at the dtype's rate), and where one result sits
// under them — achieved bandwidth and FLOP/s from the manifest's ideal bytes
// and flops, the attainable bound at its arithmetic intensity, % of that
// bound, and which roof binds.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "profiler/device_peaks.hpp"
#include "tuner/result.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

// What one problem costs at the limit, from the manifest's [roofline]. It
// travels in results documents, so reports need no manifest.
struct Workload {
  double ideal_bytes = 0;
  double flops = 0;
  std::string compute_pipe = "fp32";  // "fp32" or "tensor": which compute roof applies
};
Workload workload_of(const TemplateSpec& spec, const Problem& problem);

struct Roofs {
  double memory_measured = 0;     // bytes/s, the calibrated copy (0: not calibrated)
  double memory_theoretical = 0;  // bytes/s, 2 x memory clock x bus width / 8
  double fp32 = 0;                // FLOP/s on the CUDA cores
  // FLOP/s on the tensor cores at the dtype's rate (0: none for it): the
  // measured roof when calibrate measured one (bf16/fp16: cuBLAS at 8192^3),
  // as the memory roof is the measured copy; else the theoretical one.
  double tensor = 0;
  double tensor_theoretical = 0;
  std::string tensor_name;        // "bf16 tensor", "fp16 tensor", "TF32 tensor"; "measured bf16 tensor" when measured
  // The memory roof results are judged against: measured when calibrated.
  double memory() const { return memory_measured > 0 ? memory_measured : memory_theoretical; }
  std::string memory_name() const { return memory_measured > 0 ? "measured copy" : "theoretical DRAM"; }
};
Roofs roofs_for(const DevicePeaks& peaks, DType dtype);

struct RooflineFigures {
  double ideal_bytes = 0;
  double flops = 0;
  double seconds = 0;                 // median
  double bandwidth = 0;               // ideal bytes / seconds
  double flop_rate = 0;
  double arithmetic_intensity = 0;    // flops / ideal bytes
  double pct_of_measured = 0;         // of the calibrated copy bandwidth; 0 when not calibrated
  double pct_of_theoretical = 0;      // of 2 x memory clock x bus width / 8
  // The attainable bound at this intensity: min(memory roof x intensity,
  // compute roof of the template's pipe), and how close the result gets.
  // A kernel with no flops is bound by memory alone.
  double pct_of_bound = 0;
  double floor_seconds = 0;           // the bound as a time: max(ideal bytes / memory roof, flops / compute roof)
  bool compute_bound = false;
  std::string compute_pipe = "fp32";  // the workload's: "tensor" for tensor-core kernels
  std::string bound_by;               // "measured copy", "theoretical DRAM", "FP32", "bf16 tensor", ...

  // Against a copy of the same bytes (reports/size_roof), for memory-bound
  // results on a GPU whose calibration has a size curve; 0 otherwise.
  double size_roof_seconds = 0;       // max(latency floor, ideal bytes / copy bandwidth at this footprint)
  double size_roof_bandwidth = 0;     // that copy's bandwidth
  double latency_floor_seconds = 0;
  double pct_of_size_roof = 0;        // size roof time / median time; 0 when not timed
  bool latency_bound = false;         // timed within 2x of the latency floor (kLatencyBoundFactor)
  bool has_size_roof() const { return size_roof_seconds > 0; }

  // From hardware counters, when present (0 otherwise):
  double dram_bytes = 0;              // measured read + write
  double dram_efficiency = 0;         // ideal bytes / measured bytes: < 1 means re-reads or extra traffic
  double dram_throughput_pct = 0;     // dram__throughput.avg.pct_of_peak_sustained_elapsed
  double achieved_occupancy = 0;      // sm__warps_active.avg.pct_of_peak_sustained_active, in [0, 1]
  double theoretical_occupancy = 0;   // from the compiler's resource report, in [0, 1]
  // From a tensor-pipe template's counters (profiler/default_metrics.hpp), in
  // percent; absent when not collected (0% is a measurement: no tensor work).
  std::optional<double> tensor_pipe_pct;       // tensor pipe active, of the kernel's elapsed cycles
  std::optional<double> tensor_pipe_busy_pct;  // ... of the cycles its SM had work
  std::optional<double> l2_hit_rate_pct;       // L2 requests that hit
};

// Zeroes (but the workload) where the result has no timing.
RooflineFigures roofline_figures(const Result& result, const Workload& workload, const DevicePeaks& peaks);
RooflineFigures roofline_figures(const Result& result, const TemplateSpec& spec, const DevicePeaks& peaks);
// The figures as they go into results documents: null where unknown.
nlohmann::ordered_json figures_json(const Result& result, const Workload& workload, const DevicePeaks& peaks);
nlohmann::ordered_json figures_json(const Result& result, const TemplateSpec& spec, const DevicePeaks& peaks);

}  // namespace tkbench
