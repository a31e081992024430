#pragma once
// Fake GPUs for tests on machines without one: a DeviceInfo shaped like an
// H200, and tests/fixtures/fake_worker.py, a `tkbench worker` that answers
// each evaluation with a time made up from the config.
#include <string>

#include "profiler/device.hpp"
#include "test_helpers.hpp"

namespace tkbench::test {

inline DeviceInfo fake_h200(int index = 0) {
  DeviceInfo d;
  d.index = index;
  d.name = "Fake H200";
  d.uuid = "GPU-fake-" + std::to_string(index);
  d.cc_major = 9;
  d.sm_count = 132;
  d.l2_bytes = 60LL << 20;
  d.sm_clock_khz = 1980000;
  d.memory_clock_khz = 3201000;
  d.bus_width_bits = 6144;
  return d;
}

// argv: COUNT_FILE SLOWDOWN DIE_AFTER DEAD_MARKER (the script's header says what each does).
inline std::string fake_worker_script() { return fixtures() + "/fake_worker.py"; }

}  // namespace tkbench::test
