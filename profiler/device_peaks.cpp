#include "profiler/device_peaks.hpp"

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tuner/file_util.hpp"
#include "tuner/occupancy.hpp"

namespace tkbench {
namespace {
std::filesystem::path calibration_path(const std::string& cache_dir, const DeviceInfo& d) {
  return std::filesystem::path(cache_dir) / "calibration" / (d.uuid + ".json");
}
}  // namespace

DevicePeaks theoretical_peaks(const DeviceInfo& device) {
  DevicePeaks p;
  p.device = device;
  p.theoretical_bandwidth = device.theoretical_bandwidth();
  p.driver_version = probe_devices().driver_version;
  p.runtime_version = probe_devices().runtime_version;
  if (const ArchLimits* arch = arch_limits(device.arch())) {
    double clock_hz = device.sm_clock_khz * 1e3;
    p.fp32_flops = device.sm_count * clock_hz * arch->fp32_flops_per_clock_per_sm;
    p.tensor_bf16_flops = device.sm_count * clock_hz * arch->tensor_bf16_flops_per_clock_per_sm;
  }
  return p;
}

std::optional<Calibration> load_calibration(const std::string& cache_dir, const DeviceInfo& device) {
  auto text = read_file(calibration_path(cache_dir, device));
  if (!text) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(*text);
    if (j.at("schema") != "tkbench.calibration/1" || j.at("device").at("uuid") != device.uuid) return std::nullopt;
    Calibration c;
    c.bandwidth = j.at("bandwidth");
    c.source = j.at("source");
    c.copy_kernel_bandwidth = j.at("copy_kernel").at("bandwidth");
    c.copy_kernel_config = j.at("copy_kernel").at("config");
    c.configs_tried = j.at("copy_kernel").at("configs_tried");
    c.driver_copy_bandwidth = j.at("driver_copy").at("bandwidth");
    c.bytes_per_buffer = j.at("bytes_per_buffer");
    c.measured_at = j.at("measured_at");
    c.tool_version = j.at("tool_version");
    c.driver_version = j.at("device").at("driver_version");
    return c;
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable: treated as absent, recalibrated
  }
}

std::optional<std::string> store_calibration(const std::string& cache_dir, const DeviceInfo& device, const Calibration& c) {
  nlohmann::ordered_json j = {
      {"schema", "tkbench.calibration/1"},
      {"device", {{"name", device.name}, {"uuid", device.uuid}, {"arch", device.arch()}, {"driver_version", c.driver_version}}},
      {"bandwidth", c.bandwidth},
      {"source", c.source},
      {"copy_kernel", {{"bandwidth", c.copy_kernel_bandwidth}, {"config", c.copy_kernel_config}, {"configs_tried", c.configs_tried}}},
      {"driver_copy", {{"bandwidth", c.driver_copy_bandwidth}}},
      {"bytes_per_buffer", c.bytes_per_buffer},
      {"measured_at", c.measured_at},
      {"tool_version", c.tool_version}};
  return write_file_atomically(calibration_path(cache_dir, device), j.dump(2) + "\n");
}

}  // namespace tkbench
