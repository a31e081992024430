#pragma once
// Skipping a test so that ctest says "Skipped", not "Passed": ctest reports a
// test whose output holds kSkipMarker as skipped (SKIP_REGULAR_EXPRESSION in
// tests/CMakeLists.txt). The marker is printed on the skip path only, so a
// [gpu] test that runs on a GPU and passes is reported as passed.
#include <catch2/catch.hpp>

#include "profiler/device.hpp"

namespace tkbench::test {
inline constexpr const char* kSkipMarker = "tkbench-test-skipped: ";
}  // namespace tkbench::test

// Ends the running test case, saying why it did not run.
#define TKBENCH_SKIP_TEST(reason)                     \
  do {                                                \
    WARN(::tkbench::test::kSkipMarker << reason);     \
    return;                                           \
  } while (0)

// The first line of a [gpu] test case.
#define TKBENCH_SKIP_WITHOUT_GPU()                                                              \
  do {                                                                                          \
    if (::tkbench::probe_devices().devices.empty())                                             \
      TKBENCH_SKIP_TEST("no CUDA device (" << ::tkbench::probe_devices().error << ")");        \
  } while (0)
