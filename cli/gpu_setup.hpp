#pragma once
// Shared wiring of the commands: their helper processes (the GPU worker, the
// compile servers) and the device's peaks.
#include <memory>
#include <string>
#include <vector>

#include "cli/global_options.hpp"
#include "profiler/device_peaks.hpp"
#include "tuner/compile_servers.hpp"
#include "tuner/worker_client.hpp"

namespace tkbench {

// A client for `tkbench worker` with this run's options (cache, template dirs)
// on GPU `device` (-1: --device). Test hook: with TKBENCH_TEST_WORKER set, the
// worker is that shell command instead, given the device index as $1.
std::unique_ptr<WorkerClient> make_worker(const GlobalOptions& global, double watchdog_seconds, int device = -1);

// --devices: "all" or indices "0,2" -> those GPUs, each once, in the order
// given; empty text -> --device alone. InputError for an index the machine
// lacks, a repeated one, or GPUs of different archs (one run compiles for one).
std::vector<const DeviceInfo*> select_devices(const std::string& devices, int device);

// The --devices option's help text, shared by tune, gate and calibrate.
inline constexpr const char* kDevicesHelp =
    "GPUs to run on at once: all, or indices such as 0,2 (one worker process per GPU, fed by one compile pipeline; "
    "default: --device)";

// `count` `tkbench compile-server` processes, each at priority `nice` (0: unchanged).
std::unique_ptr<CompileServers> make_compile_servers(unsigned count, int nice);

// Theoretical peaks plus the stored calibration. With `calibrate_if_missing`,
// a GPU never calibrated is calibrated now (once; stored for later commands).
DevicePeaks device_peaks(const GlobalOptions& global, const DeviceInfo& device, WorkerClient* worker,
                         const TemplateRegistry* registry, bool calibrate_if_missing);

// The peaks of each of `gpus`, each GPU calibrated through its own worker
// when it never was: several at once, one thread each.
std::vector<DevicePeaks> devices_peaks(const GlobalOptions& global, const std::vector<const DeviceInfo*>& gpus,
                                       const std::vector<std::unique_ptr<WorkerClient>>& workers,
                                       const TemplateRegistry& registry);

// Runs the calibration with a progress line and stores it.
// `progress_line`: a \r progress line on a terminal (off when several GPUs calibrate at once).
Calibration run_and_store_calibration(const GlobalOptions& global, const DeviceInfo& device, WorkerClient& worker,
                                      const TemplateRegistry& registry, bool progress_line = true);

}  // namespace tkbench
