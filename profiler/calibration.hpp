#pragma once
// `tkbench calibrate`: the achievable DRAM bandwidth of this GPU, the better of
// the built-in copy template tuned over its whole space and the driver's
// device-to-device copy, at a footprint of at least 8x L2.
#include <functional>

#include "profiler/device_peaks.hpp"
#include "tuner/worker_client.hpp"
#include "tuner/template_registry.hpp"

namespace tkbench {

// (configs done, configs total, best bandwidth so far in bytes/s)
using CalibrationProgress = std::function<void(int, int, double)>;

Calibration calibrate_bandwidth(WorkerClient& worker, const TemplateRegistry& registry, const DeviceInfo& device,
                                const CalibrationProgress& progress);

}  // namespace tkbench
