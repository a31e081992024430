#pragma once
// The GPUs this machine has, found through the CUDA runtime (linked
// statically: it loads the driver at run time, so tkbench starts on machines
// with no GPU or driver and says so).
#include <optional>
#include <string>
#include <vector>

namespace tkbench {

struct DeviceInfo {
  int index = 0;
  std::string name;
  std::string uuid;               // "GPU-xxxxxxxx-..."
  int cc_major = 0, cc_minor = 0;
  int sm_count = 0;
  long long memory_bytes = 0;
  long long l2_bytes = 0;
  int sm_clock_khz = 0;           // peak
  int memory_clock_khz = 0;       // peak
  int bus_width_bits = 0;
  std::string arch() const;       // "sm_90"
  // 2 x memory clock x bus width / 8 (double data rate), bytes per second.
  double theoretical_bandwidth() const;
};

struct DeviceProbe {
  std::vector<DeviceInfo> devices;
  std::string error;        // why there are none, when there are none
  int driver_version = 0;   // 13000 for 13.0; 0 without a driver
  int runtime_version = 0;
};

// Asks the CUDA runtime once per process and remembers the answer.
const DeviceProbe& probe_devices();

// The device a GPU command runs on; throws EnvironmentError ("no CUDA device
// found: ...", exit 3) when there is none, InputError for a bad index.
const DeviceInfo& require_device(int index);

// The first device's arch, if a device exists: the default --arch.
std::optional<std::string> local_device_arch(int index);

}  // namespace tkbench
