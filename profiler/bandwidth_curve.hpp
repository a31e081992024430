#pragma once
// BandwidthCurve: what a copy of a given footprint reaches on one GPU, and the
// latency floor no kernel call gets under. `tkbench calibrate` measures both
// (profiler/size_calibration) and stores them beside the large-copy figure;
// reports judge each result against the roof for its own size (reports/size_roof).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tkbench {

struct BandwidthPoint {
  double bytes = 0;       // moved by the copy: read + written
  double bandwidth = 0;   // bytes/s of the best copy config at this footprint
  std::string config;     // that config
};

struct BandwidthCurve {
  std::vector<BandwidthPoint> points;  // ascending bytes
  // The shortest graph-launched kernel that touches DRAM: a tiny copy timed
  // as decode shapes are (CUDA graph, inputs rotated out of L2).
  double latency_floor_us = 0;
  double latency_floor_bytes = 0;      // what that copy moved
  std::string latency_floor_config;
  int configs_tried = 0;

  bool usable() const { return !points.empty() && latency_floor_us > 0; }
  // The copy bandwidth at `bytes`: linear in log(bytes)-log(bandwidth) between
  // measured points (bandwidth grows roughly as a power of the footprint over
  // each octave), held at the end points' values outside them.
  double bandwidth_at(double bytes) const;
};

// The curve's one JSON form, in calibration files and results documents.
nlohmann::ordered_json to_json(const BandwidthCurve& curve);
// Throws on missing fields.
BandwidthCurve bandwidth_curve_from_json(const nlohmann::ordered_json& j);

}  // namespace tkbench
