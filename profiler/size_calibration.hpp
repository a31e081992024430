#pragma once
// The size part of `tkbench calibrate`: the copy template's best bandwidth at
// footprints from 1 MiB to 2 GiB, and the latency floor, timed exactly as
// results are (cold L2; CUDA graphs below 20 µs), so a result can be judged
// against a copy of its own size.
#include <functional>
#include <string>
#include <vector>

#include "profiler/bandwidth_curve.hpp"
#include "profiler/device.hpp"
#include "profiler/statistics.hpp"
#include "tuner/template_registry.hpp"
#include "tuner/worker_client.hpp"

namespace tkbench {

struct SizeCalibrationPlan {
  std::vector<long long> footprints;  // bytes each copy moves (read + written), ascending
  std::vector<std::string> configs;   // copy configs tried at every footprint ("VEC_BYTES=16,THREADS=256,...")
  std::vector<std::string> floor_configs;  // tried for the latency floor
  StoppingRule rule;                  // per config
};

// What `tkbench calibrate` measures: see the constants in size_calibration.cpp.
SizeCalibrationPlan default_size_plan();

// The footprint of the latency floor's copy on a GPU with this L2: the
// smallest power of two whose input sets, rotated by graph timing, do not fit
// in L2, so every launch reads DRAM (a 16-byte copy would be timed from L2).
long long latency_floor_footprint(long long l2_bytes);

// (evaluations done, evaluations total)
using SizeCalibrationProgress = std::function<void(int, int)>;

// `extra_config` (the large copy's winner; may be empty) is tried at every
// footprint beside the plan's configs. A footprint no config could time is left
// out; a curve without points or floor (not usable()) says none was measured.
BandwidthCurve calibrate_size_curve(WorkerClient& worker, const TemplateRegistry& registry, const DeviceInfo& device,
                                    const SizeCalibrationPlan& plan, const std::string& extra_config,
                                    const SizeCalibrationProgress& progress);

}  // namespace tkbench
