#include "profiler/device_peaks.hpp"

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tuner/file_util.hpp"
#include "tuner/occupancy.hpp"

namespace tkbench {
using json = nlohmann::ordered_json;

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
    c.tensor_bf16_flops = j.value("tensor_bf16_flops", 0.0);
    c.tensor_source = j.value("tensor_source", "");
    if (j.contains("size_curve")) c.size_curve = bandwidth_curve_from_json(j.at("size_curve"));
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
      {"tensor_bf16_flops", c.tensor_bf16_flops},
      {"tensor_source", c.tensor_source},
      {"measured_at", c.measured_at},
      {"tool_version", c.tool_version}};
  if (c.size_curve) j["size_curve"] = to_json(*c.size_curve);
  return write_file_atomically(calibration_path(cache_dir, device), j.dump(2) + "\n");
}

json to_json(const DevicePeaks& p) {
  json out = {{"name", p.device.name}, {"uuid", p.device.uuid}, {"arch", p.device.arch()}, {"sm_count", p.device.sm_count},
              {"l2_bytes", p.device.l2_bytes}, {"sm_clock_khz", p.device.sm_clock_khz},
              {"theoretical_bandwidth", p.theoretical_bandwidth}, {"fp32_flops", p.fp32_flops},
              {"tensor_bf16_flops", p.tensor_bf16_flops}, {"driver_version", p.driver_version},
              {"runtime_version", p.runtime_version}};
  if (p.calibration) {
    const auto& c = *p.calibration;
    out["calibration"] = {{"bandwidth", c.bandwidth}, {"source", c.source},
                          {"copy_kernel", {{"bandwidth", c.copy_kernel_bandwidth}, {"config", c.copy_kernel_config},
                                           {"configs_tried", c.configs_tried}}},
                          {"driver_copy", {{"bandwidth", c.driver_copy_bandwidth}}},
                          {"bytes_per_buffer", c.bytes_per_buffer}, {"measured_at", c.measured_at}};
    if (c.tensor_bf16_flops > 0) out["calibration"]["tensor"] = {{"bf16_flops", c.tensor_bf16_flops}, {"source", c.tensor_source}};
    if (c.size_curve) out["calibration"]["size_curve"] = to_json(*c.size_curve);
  } else {
    out["calibration"] = nullptr;
  }
  return out;
}

DevicePeaks device_peaks_from_json(const json& d) {
  DevicePeaks p;
  p.device.name = d.at("name");
  p.device.uuid = d.value("uuid", "");
  const std::string arch = d.at("arch");  // "sm_90"
  if (arch.size() >= 5 && arch.rfind("sm_", 0) == 0) {
    int number = std::stoi(arch.substr(3));
    p.device.cc_major = number / 10;
    p.device.cc_minor = number % 10;
  }
  p.device.sm_count = d.value("sm_count", 0);
  p.device.l2_bytes = d.value("l2_bytes", 0LL);
  p.device.sm_clock_khz = d.value("sm_clock_khz", 0);
  p.theoretical_bandwidth = d.at("theoretical_bandwidth");
  p.fp32_flops = d.value("fp32_flops", 0.0);
  p.tensor_bf16_flops = d.value("tensor_bf16_flops", 0.0);
  p.driver_version = d.value("driver_version", 0);
  p.runtime_version = d.value("runtime_version", 0);
  if (d.contains("calibration") && !d.at("calibration").is_null()) {
    const json& c = d.at("calibration");
    Calibration cal;
    cal.bandwidth = c.at("bandwidth");
    cal.source = c.value("source", "");
    if (c.contains("copy_kernel")) {
      cal.copy_kernel_bandwidth = c.at("copy_kernel").value("bandwidth", 0.0);
      cal.copy_kernel_config = c.at("copy_kernel").value("config", "");
      cal.configs_tried = c.at("copy_kernel").value("configs_tried", 0);
    }
    if (c.contains("driver_copy")) cal.driver_copy_bandwidth = c.at("driver_copy").value("bandwidth", 0.0);
    cal.bytes_per_buffer = c.value("bytes_per_buffer", 0LL);
    cal.measured_at = c.value("measured_at", "");
    if (c.contains("tensor")) {
      cal.tensor_bf16_flops = c.at("tensor").value("bf16_flops", 0.0);
      cal.tensor_source = c.at("tensor").value("source", "");
    }
    if (c.contains("size_curve") && !c.at("size_curve").is_null()) cal.size_curve = bandwidth_curve_from_json(c.at("size_curve"));
    p.calibration = cal;
  }
  return p;
}

}  // namespace tkbench
