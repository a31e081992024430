#include "reports/size_roof.hpp"

#include <algorithm>

namespace tkbench {

std::optional<SizeRoof> size_roof(const DevicePeaks& peaks, double bytes) {
  if (!peaks.calibration || !peaks.calibration->size_curve || !peaks.calibration->size_curve->usable() || bytes <= 0)
    return std::nullopt;
  const BandwidthCurve& curve = *peaks.calibration->size_curve;
  SizeRoof roof;
  roof.bandwidth = curve.bandwidth_at(bytes);
  roof.latency_floor_seconds = curve.latency_floor_us * 1e-6;
  roof.seconds = std::max(roof.latency_floor_seconds, bytes / roof.bandwidth);
  return roof;
}

}  // namespace tkbench
