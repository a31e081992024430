#pragma once
// Roofline figures of one result, in one place: achieved bandwidth from the
// manifest's ideal bytes, and how close that is to the measured and the
// theoretical memory roofs.
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
};

// Zeroes where the result has no timing.
RooflineFigures roofline_figures(const Result& result, const TemplateSpec& spec, const DevicePeaks& peaks);

}  // namespace tkbench
