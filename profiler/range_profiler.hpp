#pragma once
// Hardware counters for one kernel launch through CUPTI's Range Profiler
// (auto range, kernel replay): one range per profiled launch, right after
// verification. Kernel replay saves and restores device memory between passes.
// Once set up, the profiler slows every later launch in the process (even
// disabled; enabling it again after a disable crashed CUPTI 13.0), so nothing
// is timed in a process that has one: see evaluate_remotely.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "profiler/cupti_host.hpp"
#include "profiler/device.hpp"
#include "tuner/measurement.hpp"

namespace tkbench {

// CUPTI's chip name for a device ("GH100"), for validating metrics before any launch.
std::string device_chip_name(const DeviceInfo& device);

class RangeProfiler {
 public:
  // Throws CuptiError with a readable reason when counters are unavailable
  // (no permission, another profiler attached, vGPU/MIG, unsupported chip),
  // InputError for unknown metric names.
  RangeProfiler(const DeviceInfo& device, const std::vector<std::string>& metrics);
  ~RangeProfiler();
  RangeProfiler(const RangeProfiler&) = delete;
  RangeProfiler& operator=(const RangeProfiler&) = delete;

  // `launch` enqueues exactly one kernel launch; it is profiled as one range.
  Counters profile(const std::function<void()>& launch);
  const std::vector<std::string>& metrics() const { return config_->metrics(); }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::unique_ptr<MetricConfig> config_;
};

}  // namespace tkbench
