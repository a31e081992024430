#include "profiler/nvml_clock.hpp"

#include <dlfcn.h>

namespace tkbench {
namespace {

// The few NVML entry points used, declared here (the toolkit ships no nvml.h).
using NvmlInit = int (*)();
using NvmlHandleByUuid = int (*)(const char*, void**);
using NvmlClock = int (*)(void*, int, unsigned*);
constexpr int kNvmlClockSm = 1;

struct Nvml {
  NvmlHandleByUuid handle_by_uuid = nullptr;
  NvmlClock clock = nullptr, max_clock = nullptr;
  bool ok = false;
  Nvml() {
    void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    auto init = reinterpret_cast<NvmlInit>(dlsym(lib, "nvmlInit_v2"));
    handle_by_uuid = reinterpret_cast<NvmlHandleByUuid>(dlsym(lib, "nvmlDeviceGetHandleByUUID"));
    clock = reinterpret_cast<NvmlClock>(dlsym(lib, "nvmlDeviceGetClockInfo"));
    max_clock = reinterpret_cast<NvmlClock>(dlsym(lib, "nvmlDeviceGetMaxClockInfo"));
    ok = init && handle_by_uuid && clock && max_clock && init() == 0;
  }
};

const Nvml& nvml() {
  static Nvml n;
  return n;
}

}  // namespace

SmClock::SmClock(const std::string& gpu_uuid) {
  if (!nvml().ok) return;
  void* handle = nullptr;
  if (nvml().handle_by_uuid(gpu_uuid.c_str(), &handle) == 0) device_ = handle;
}

int SmClock::current_mhz() const {
  unsigned mhz = 0;
  if (device_ && nvml().clock(device_, kNvmlClockSm, &mhz) == 0) return static_cast<int>(mhz);
  return 0;
}

int SmClock::max_mhz() const {
  unsigned mhz = 0;
  if (device_ && nvml().max_clock(device_, kNvmlClockSm, &mhz) == 0) return static_cast<int>(mhz);
  return 0;
}

}  // namespace tkbench
