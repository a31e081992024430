#include "profiler/bandwidth_curve.hpp"

#include <algorithm>
#include <cmath>

namespace tkbench {
using json = nlohmann::ordered_json;

double BandwidthCurve::bandwidth_at(double bytes) const {
  if (points.empty()) return 0;
  if (bytes <= points.front().bytes) return points.front().bandwidth;
  if (bytes >= points.back().bytes) return points.back().bandwidth;
  auto upper = std::upper_bound(points.begin(), points.end(), bytes,
                                [](double b, const BandwidthPoint& p) { return b < p.bytes; });
  const BandwidthPoint& hi = *upper;
  const BandwidthPoint& lo = *(upper - 1);
  const double t = (std::log(bytes) - std::log(lo.bytes)) / (std::log(hi.bytes) - std::log(lo.bytes));
  return std::exp(std::log(lo.bandwidth) + t * (std::log(hi.bandwidth) - std::log(lo.bandwidth)));
}

json to_json(const BandwidthCurve& c) {
  json points = json::array();
  for (const auto& p : c.points) points.push_back({{"bytes", p.bytes}, {"bandwidth", p.bandwidth}, {"config", p.config}});
  return {{"points", points},
          {"latency_floor_us", c.latency_floor_us},
          {"latency_floor_bytes", c.latency_floor_bytes},
          {"latency_floor_config", c.latency_floor_config},
          {"configs_tried", c.configs_tried}};
}

BandwidthCurve bandwidth_curve_from_json(const json& j) {
  BandwidthCurve c;
  for (const auto& p : j.at("points"))
    c.points.push_back({p.at("bytes").get<double>(), p.at("bandwidth").get<double>(), p.value("config", "")});
  std::sort(c.points.begin(), c.points.end(), [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
  // Points the interpolation cannot use (a footprint measured twice, or nothing measured) are dropped.
  c.points.erase(std::remove_if(c.points.begin(), c.points.end(), [](const auto& p) { return p.bytes <= 0 || p.bandwidth <= 0; }),
                 c.points.end());
  c.points.erase(std::unique(c.points.begin(), c.points.end(), [](const auto& a, const auto& b) { return a.bytes == b.bytes; }),
                 c.points.end());
  c.latency_floor_us = j.at("latency_floor_us");
  c.latency_floor_bytes = j.value("latency_floor_bytes", 0.0);
  c.latency_floor_config = j.value("latency_floor_config", "");
  c.configs_tried = j.value("configs_tried", 0);
  return c;
}

}  // namespace tkbench
