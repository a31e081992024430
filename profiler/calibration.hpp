#pragma once
// `tkbench calibrate`: the achievable DRAM bandwidth of this GPU, the better of
// the built-in copy template tuned over its whole space and the driver's
// device-to-device copy, at a footprint of at least 8x L2; then the copy's
// bandwidth over footprints and the latency floor (profiler/size_calibration).
#include <functional>
#include <string>

#include "profiler/device_peaks.hpp"
#include "tuner/worker_client.hpp"
#include "tuner/template_registry.hpp"

namespace tkbench {

// One line on how far calibration is ("12/96 copy configs, best 4.31 TB/s"); `finished` on the last call.
using CalibrationProgress = std::function<void(const std::string& line, bool finished)>;

Calibration calibrate_bandwidth(WorkerClient& worker, const TemplateRegistry& registry, const DeviceInfo& device,
                                const CalibrationProgress& progress);

}  // namespace tkbench
