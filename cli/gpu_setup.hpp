#pragma once
// Shared wiring of the GPU commands: the worker process and the device's peaks.
#include <memory>

#include "cli/global_options.hpp"
#include "profiler/device_peaks.hpp"
#include "profiler/worker_client.hpp"

namespace tkbench {

// A client for `tkbench worker` with this run's options (device, cache, template dirs).
std::unique_ptr<WorkerClient> make_worker(const GlobalOptions& global, double watchdog_seconds);

// Theoretical peaks plus the stored calibration. With `calibrate_if_missing`,
// a GPU never calibrated is calibrated now (once; stored for later commands).
DevicePeaks device_peaks(const GlobalOptions& global, const DeviceInfo& device, WorkerClient* worker,
                         const TemplateRegistry* registry, bool calibrate_if_missing);

// Runs the calibration with a progress line and stores it.
Calibration run_and_store_calibration(const GlobalOptions& global, const DeviceInfo& device, WorkerClient& worker,
                                      const TemplateRegistry& registry);

}  // namespace tkbench
