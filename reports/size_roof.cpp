#include "reports/size_roof.hpp"

#include <algorithm>

namespace tkbench {

std::optional<SizeRoof> size_roof(const DevicePeaks& peaks, double bytes) {
  if (!peaks.size_curve() || bytes <= 0) return std::nullopt;
  const BandwidthCurve& curve = *peaks.size_curve();
  SizeRoof roof;
  roof.bandwidth = curve.bandwidth_at(bytes);
  roof.latency_floor_seconds = curve.latency_floor_us * 1e-6;
  roof.seconds = std::max(roof.latency_floor_seconds, bytes / roof.bandwidth);
  return roof;
}

}  // namespace tkbench
