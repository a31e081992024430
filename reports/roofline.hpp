#pragma once
// Roofline figures of one result, in one place: achieved bandwidth from the
// manifest's ideal bytes, and how close that is to the measured and the
// theoretical memory roofs.
#include <nlohmann/json.hpp>

#include "profiler/device_peaks.hpp"
#include "tuner/result.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

struct RooflineFigures {
  double ideal_bytes = 0;
  double flops = 0;
  double seconds = 0;                 // median
  double bandwidth = 0;               // ideal bytes / seconds
  double flop_rate = 0;
  double arithmetic_intensity = 0;    // flops / ideal bytes
  double pct_of_measured = 0;         // of the calibrated copy bandwidth; 0 when not calibrated
  double pct_of_theoretical = 0;      // of 2 x memory clock x bus width / 8
  // % of the roof that binds at this arithmetic intensity: the calibrated
  // memory roof, or the FP32 compute roof when intensity is past the ridge.
  double pct_of_bound = 0;
  bool compute_bound = false;

  // From hardware counters, when present (0 otherwise):
  double dram_bytes = 0;              // measured read + write
  double dram_efficiency = 0;         // ideal bytes / measured bytes: < 1 means re-reads or extra traffic
  double dram_throughput_pct = 0;     // dram__throughput.avg.pct_of_peak_sustained_elapsed
  double achieved_occupancy = 0;      // sm__warps_active.avg.pct_of_peak_sustained_active, in [0, 1]
  double theoretical_occupancy = 0;   // from the compiler's resource report, in [0, 1]
};

// Zeroes where the result has no timing.
RooflineFigures roofline_figures(const Result& result, const TemplateSpec& spec, const DevicePeaks& peaks);
// The figures as they go into results documents: null where unknown.
nlohmann::ordered_json figures_json(const Result& result, const TemplateSpec& spec, const DevicePeaks& peaks);

}  // namespace tkbench
