#pragma once
// DevicePeaks: the limits results are judged against, per GPU: theoretical
// peaks from device attributes, and the DRAM bandwidth `tkbench calibrate`
// measured (stored per GPU in the cache directory, reused by later commands).
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "profiler/bandwidth_curve.hpp"
#include "profiler/device.hpp"

namespace tkbench {

struct Calibration {
  double bandwidth = 0;              // bytes/s: the better of the two below
  std::string source;                // "copy kernel" or "driver copy"
  double copy_kernel_bandwidth = 0;  // tkbench's copy template, tuned over its space
  std::string copy_kernel_config;
  double driver_copy_bandwidth = 0;  // cudaMemcpyAsync device to device
  long long bytes_per_buffer = 0;
  int configs_tried = 0;
  // The measured dense bf16 tensor roof: the built-in gemm's [baseline]
  // (cuBLAS) at a large square shape, timed like any kernel. 0: not measured.
  double tensor_bf16_flops = 0;
  std::string tensor_source;         // "cuBLAS 8192x8192x8192 bf16"
  // Copy bandwidth over footprints and the latency floor, for roofs that know
  // a result's size. Absent in calibrations made before it existed: then
  // results are judged against the large copy alone.
  std::optional<BandwidthCurve> size_curve;
  std::string measured_at;           // ISO 8601, UTC
  std::string tool_version;
  int driver_version = 0;
};

struct DevicePeaks {
  DeviceInfo device;
  double theoretical_bandwidth = 0;  // bytes/s, 2 x memory clock x bus width / 8
  double fp32_flops = 0;             // FLOP/s, SMs x clock x per-arch rate
  double tensor_bf16_flops = 0;      // dense bf16/fp16 tensor pipe; TF32 runs at half this rate
  int driver_version = 0;            // 13000 for 13.0 (0: unknown)
  int runtime_version = 0;
  std::optional<Calibration> calibration;

  // The memory roof results are measured against: calibrated when known.
  double measured_bandwidth() const { return calibration ? calibration->bandwidth : 0; }
  // The calibrated copy bandwidth over footprints and latency floor, when
  // measured and usable; nullptr otherwise (results are judged against the large copy alone).
  const BandwidthCurve* size_curve() const {
    return calibration && calibration->size_curve && calibration->size_curve->usable() ? &*calibration->size_curve : nullptr;
  }
};

DevicePeaks theoretical_peaks(const DeviceInfo& device);

// Stored calibration for this GPU (matched by UUID), or nothing.
std::optional<Calibration> load_calibration(const std::string& cache_dir, const DeviceInfo& device);
// Writes atomically; returns an error message on failure.
std::optional<std::string> store_calibration(const std::string& cache_dir, const DeviceInfo& device, const Calibration& c);

// The peaks' one JSON form: a results document's "device" (docs/results.md).
nlohmann::ordered_json to_json(const DevicePeaks& peaks);
// The peaks as to_json(DevicePeaks) wrote them. Throws on missing fields.
DevicePeaks device_peaks_from_json(const nlohmann::ordered_json& device);

}  // namespace tkbench
