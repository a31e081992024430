#pragma once
// Shared wiring of the commands: their helper processes (the GPU worker, the
// compile servers) and the device's peaks.
#include <memory>

#include "cli/global_options.hpp"
#include "profiler/device_peaks.hpp"
#include "tuner/compile_servers.hpp"
#include "tuner/worker_client.hpp"

namespace tkbench {

// A client for `tkbench worker` with this run's options (device, cache, template dirs).
std::unique_ptr<WorkerClient> make_worker(const GlobalOptions& global, double watchdog_seconds);

// `count` `tkbench compile-server` processes, each at priority `nice` (0: unchanged).
std::unique_ptr<CompileServers> make_compile_servers(unsigned count, int nice);

// Theoretical peaks plus the stored calibration. With `calibrate_if_missing`,
// a GPU never calibrated is calibrated now (once; stored for later commands).
DevicePeaks device_peaks(const GlobalOptions& global, const DeviceInfo& device, WorkerClient* worker,
                         const TemplateRegistry* registry, bool calibrate_if_missing);

// Runs the calibration with a progress line and stores it.
Calibration run_and_store_calibration(const GlobalOptions& global, const DeviceInfo& device, WorkerClient& worker,
                                      const TemplateRegistry& registry);

}  // namespace tkbench
