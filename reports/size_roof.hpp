#pragma once
// The roof for a result's own size: a copy of the same bytes at the bandwidth
// the calibrated curve gives for that footprint, and never under the latency
// floor. It answers "could anything moving these bytes finish sooner?", where
// the large-copy roof answers "how far from the GPU's best streaming rate?".
#include <optional>

#include "profiler/device_peaks.hpp"

namespace tkbench {

// A result timed within this factor of the latency floor is latency-bound:
// a launch and one DRAM round trip are at least half of its time, so no
// kernel body, however fast, could make the call much shorter.
constexpr double kLatencyBoundFactor = 2;

struct SizeRoof {
  double seconds = 0;                // max(latency floor, bytes / bandwidth)
  double bandwidth = 0;              // bytes/s of the calibrated copy at this footprint
  double latency_floor_seconds = 0;
};

// Nothing when the GPU's calibration has no usable size curve (not
// calibrated, or calibrated before curves existed) or bytes is not positive.
std::optional<SizeRoof> size_roof(const DevicePeaks& peaks, double bytes);

}  // namespace tkbench
