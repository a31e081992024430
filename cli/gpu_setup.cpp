#include "cli/gpu_setup.hpp"

#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "profiler/calibration.hpp"
#include "tuner/diagnostics.hpp"

namespace tkbench {

std::unique_ptr<WorkerClient> make_worker(const GlobalOptions& global, double watchdog_seconds) {
  std::vector<std::string> argv = {std::filesystem::read_symlink("/proc/self/exe").string(), "worker",
                                   "--device", std::to_string(global.device), "--cache-dir", global.resolved_cache_dir()};
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

Calibration run_and_store_calibration(const GlobalOptions& global, const DeviceInfo& device, WorkerClient& worker,
                                      const TemplateRegistry& registry) {
  const bool progress = !global.quiet && !global.json && ::isatty(STDERR_FILENO);
  diagnostics().note(fmt::format("calibrating {}: tuning the copy template over its space and timing the driver's copy (about a minute)",
                                 device.name));
  Calibration c = calibrate_bandwidth(worker, registry, device, [&](int done, int total, double best) {
    if (progress) std::fprintf(stderr, "\rcalibrating: %d/%d copy configs, best %.2f TB/s", done, total, best / 1e12);
    if (progress && done == total) std::fprintf(stderr, "\r\033[K");
  });
  if (auto error = store_calibration(global.resolved_cache_dir(), device, c))
    diagnostics().warn(fmt::format("calibration not stored ({}); it will run again next time", *error));
  return c;
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
