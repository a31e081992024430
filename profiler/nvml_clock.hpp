#pragma once
// The SM clock through NVML, loaded at run time (libnvidia-ml.so.1 comes with
// the driver; tkbench does not link it). Absent NVML, readings are 0.
#include <string>

namespace tkbench {

class SmClock {
 public:
  explicit SmClock(const std::string& gpu_uuid);
  bool available() const { return device_ != nullptr; }
  int current_mhz() const;
  int max_mhz() const;

 private:
  void* device_ = nullptr;
};

}  // namespace tkbench
