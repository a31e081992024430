#include "profiler/device.hpp"

#include <cuda_runtime_api.h>

#include <cstdlib>

#include <fmt/format.h>

#include "tuner/errors.hpp"

namespace tkbench {
namespace {

std::string format_uuid(const cudaUUID_t& uuid) {
  const auto* b = reinterpret_cast<const unsigned char*>(uuid.bytes);
  return fmt::format("GPU-{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int attribute(cudaDeviceAttr attr, int device) {
  int value = 0;
  if (cudaDeviceGetAttribute(&value, attr, device) != cudaSuccess) return 0;
  return value;
}

// Test hook, for CLI tests on machines without a GPU: TKBENCH_TEST_FAKE_GPUS=N
// makes N identical H200s appear (no CUDA call is made); the worker is then
// TKBENCH_TEST_WORKER's fake (cli/gpu_setup). Never set outside tests.
std::optional<DeviceProbe> fake_probe() {
  const char* count = std::getenv("TKBENCH_TEST_FAKE_GPUS");
  if (!count || !*count) return std::nullopt;
  DeviceProbe p;
  p.driver_version = 13000;
  p.runtime_version = 13000;
  for (int i = 0; i < std::atoi(count); ++i) {
    DeviceInfo d;
    d.index = i;
    d.name = "Fake H200 (TKBENCH_TEST_FAKE_GPUS)";
    d.uuid = fmt::format("GPU-fake-{}", i);
    d.cc_major = 9;
    d.sm_count = 132;
    d.memory_bytes = 141LL << 30;
    d.l2_bytes = 60LL << 20;
    d.sm_clock_khz = 1980000;
    d.memory_clock_khz = 3201000;
    d.bus_width_bits = 6144;
    p.devices.push_back(std::move(d));
  }
  if (p.devices.empty()) p.error = "TKBENCH_TEST_FAKE_GPUS is 0";
  return p;
}

DeviceProbe probe() {
  if (auto fake = fake_probe()) return *fake;
  DeviceProbe p;
  cudaRuntimeGetVersion(&p.runtime_version);
  cudaError_t rc = cudaDriverGetVersion(&p.driver_version);
  int count = 0;
  rc = cudaGetDeviceCount(&count);
  if (rc != cudaSuccess || count == 0) {
    if (rc == cudaErrorInsufficientDriver && p.driver_version == 0)
      p.error = "no NVIDIA driver is loaded (libcuda.so.1 was not found)";
    else if (rc != cudaSuccess)
      p.error = fmt::format("{} ({})", cudaGetErrorString(rc), cudaGetErrorName(rc));
    else
      p.error = "the driver reports no GPUs";
    cudaGetLastError();  // clear the sticky error
    return p;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    DeviceInfo d;
    d.index = i;
    d.name = prop.name;
    d.uuid = format_uuid(prop.uuid);
    d.cc_major = prop.major;
    d.cc_minor = prop.minor;
    d.sm_count = prop.multiProcessorCount;
    d.memory_bytes = static_cast<long long>(prop.totalGlobalMem);
    d.l2_bytes = prop.l2CacheSize;
    // CUDA 13 removed the clock fields from cudaDeviceProp: read attributes.
    d.sm_clock_khz = attribute(cudaDevAttrClockRate, i);
    d.memory_clock_khz = attribute(cudaDevAttrMemoryClockRate, i);
    d.bus_width_bits = attribute(cudaDevAttrGlobalMemoryBusWidth, i);
    p.devices.push_back(std::move(d));
  }
  return p;
}

}  // namespace

std::string DeviceInfo::arch() const { return fmt::format("sm_{}{}", cc_major, cc_minor); }

double DeviceInfo::theoretical_bandwidth() const {
  return 2.0 * memory_clock_khz * 1e3 * bus_width_bits / 8.0;
}

const DeviceProbe& probe_devices() {
  static const DeviceProbe p = probe();
  return p;
}

const DeviceInfo& require_device(int index) {
  const auto& p = probe_devices();
  if (p.devices.empty())
    throw EnvironmentError(fmt::format(
        "no CUDA device found: {}. This command needs an NVIDIA GPU; list, show, compile, cache, report, export and gate --baseline work without one.",
        p.error));
  if (index < 0 || index >= static_cast<int>(p.devices.size()))
    throw InputError(fmt::format("--device {} does not exist; this machine has {} CUDA device{} (0..{})", index,
                                 p.devices.size(), p.devices.size() == 1 ? "" : "s", p.devices.size() - 1));
  return p.devices[static_cast<std::size_t>(index)];
}

std::optional<std::string> local_device_arch(int index) {
  const auto& p = probe_devices();
  if (index < 0 || index >= static_cast<int>(p.devices.size())) return std::nullopt;
  return p.devices[static_cast<std::size_t>(index)].arch();
}

}  // namespace tkbench
