#include "cli/gpu_setup.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <set>

#include <fmt/format.h>

#include "profiler/calibration.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/errors.hpp"

namespace tkbench {

std::unique_ptr<WorkerClient> make_worker(const GlobalOptions& global, double watchdog_seconds, int device) {
  if (device < 0) device = global.device;
  if (const char* fake = std::getenv("TKBENCH_TEST_WORKER"); fake && *fake)
    return std::make_unique<WorkerClient>(std::vector<std::string>{"/bin/sh", "-c", fake, "tkbench-test-worker", std::to_string(device)},
                                          watchdog_seconds);
  std::vector<std::string> argv = {std::filesystem::read_symlink("/proc/self/exe").string(), "worker",
                                   "--device", std::to_string(device), "--cache-dir", global.resolved_cache_dir()};
  for (const auto& dir : global.template_dirs) {
    argv.push_back("--template-dir");
    argv.push_back(dir);
  }
  for (const auto& dir : global.include_dirs) {
    argv.push_back("--include-dir");
    argv.push_back(dir);
  }
  return std::make_unique<WorkerClient>(argv, watchdog_seconds);
}

std::unique_ptr<CompileServers> make_compile_servers(unsigned count, int nice) {
  std::vector<std::string> argv = {std::filesystem::read_symlink("/proc/self/exe").string(), "compile-server",
                                   "--nice", std::to_string(nice)};
  return std::make_unique<CompileServers>(argv, count);
}

std::vector<const DeviceInfo*> select_devices(const std::string& devices, int device) {
  if (devices.empty()) return {&require_device(device)};
  std::vector<const DeviceInfo*> out;
  if (devices == "all") {
    require_device(0);  // "no CUDA device found: ..." when there is none
    for (const auto& d : probe_devices().devices) out.push_back(&d);
  } else {
    std::set<int> seen;
    std::size_t from = 0;
    while (from <= devices.size()) {
      const auto comma = std::min(devices.find(',', from), devices.size());
      const std::string part = devices.substr(from, comma - from);
      if (part.empty() || part.size() > 6 || part.find_first_not_of("0123456789") != std::string::npos)
        throw InputError(fmt::format("--devices '{}': '{}' is not a device index; give all, or indices such as 0,2 "
                                     "(`tkbench devices` lists them)", devices, part));
      const int index = std::stoi(part);
      if (!seen.insert(index).second)
        throw InputError(fmt::format("--devices '{}': GPU {} is named twice; name each GPU once", devices, index));
      out.push_back(&require_device(index));
      from = comma + 1;
    }
  }
  for (const DeviceInfo* d : out)
    if (d->arch() != out.front()->arch())
      throw InputError(fmt::format("--devices: GPU {} is {} ({}) and GPU {} is {} ({}); one run compiles for one arch: "
                                   "name GPUs of one arch, and run the others separately",
                                   out.front()->index, out.front()->name, out.front()->arch(), d->index, d->name, d->arch()));
  return out;
}

Calibration run_and_store_calibration(const GlobalOptions& global, const DeviceInfo& device, WorkerClient& worker,
                                      const TemplateRegistry& registry, bool progress_line) {
  const bool progress = progress_line && !global.quiet && !global.json && ::isatty(STDERR_FILENO);
  diagnostics().note(fmt::format("calibrating GPU {} ({}): tuning the copy template over its space, timing the driver's copy, "
                                 "then copies from 1 MiB to 2 GiB and the latency floor (about two minutes)", device.index, device.name));
  Calibration c = calibrate_bandwidth(worker, registry, device, [&](const std::string& line, bool finished) {
    if (progress && finished) std::fprintf(stderr, "\r\033[K");
    else if (progress) std::fprintf(stderr, "\r\033[Kcalibrating: %s", line.c_str());
  });
  if (auto error = store_calibration(global.resolved_cache_dir(), device, c))
    diagnostics().warn(fmt::format("calibration not stored ({}); it will run again next time", *error));
  return c;
}

std::vector<DevicePeaks> devices_peaks(const GlobalOptions& global, const std::vector<const DeviceInfo*>& gpus,
                                       const std::vector<std::unique_ptr<WorkerClient>>& workers,
                                       const TemplateRegistry& registry) {
  if (gpus.size() == 1) return {device_peaks(global, *gpus.front(), workers.front().get(), &registry, true)};
  std::vector<DevicePeaks> peaks;
  for (const DeviceInfo* gpu : gpus) peaks.push_back(device_peaks(global, *gpu, nullptr, nullptr, false));
  std::vector<std::future<void>> calibrating;
  for (std::size_t i = 0; i < gpus.size(); ++i)
    if (!peaks[i].calibration)
      calibrating.push_back(std::async(std::launch::async, [&, i] {
        peaks[i].calibration = run_and_store_calibration(global, *gpus[i], *workers[i], registry, false);
      }));
  for (auto& c : calibrating) c.get();
  return peaks;
}

DevicePeaks device_peaks(const GlobalOptions& global, const DeviceInfo& device, WorkerClient* worker,
                         const TemplateRegistry* registry, bool calibrate_if_missing) {
  DevicePeaks peaks = theoretical_peaks(device);
  peaks.calibration = load_calibration(global.resolved_cache_dir(), device);
  if (!peaks.calibration && calibrate_if_missing && worker && registry)
    peaks.calibration = run_and_store_calibration(global, device, *worker, *registry);
  return peaks;
}

}  // namespace tkbench
