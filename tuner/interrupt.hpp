#pragma once
// Ctrl-C and SIGTERM set a flag instead of killing tkbench, so long work can
// finish the item in hand, keep everything finished, and exit 130.
#include <time.h>

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace tkbench {

inline std::atomic<bool>& interrupt_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}
inline bool interrupted() { return interrupt_flag().load(); }

inline void install_interrupt_handlers() {
  auto handler = [](int) {
    // A second Ctrl-C means "stop now" -- unless it comes within a second of
    // the first: `timeout` and wrapper scripts deliver one interrupt twice
    // (to the process and to its group). clock_gettime is async-signal-safe.
    static std::atomic<long long> first_ns{0};
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ns = static_cast<long long>(now.tv_sec) * 1000000000LL + now.tv_nsec;
    if (!interrupt_flag().exchange(true)) {
      first_ns = ns;
      return;
    }
    if (ns - first_ns.load() > 1000000000LL) std::_Exit(130);
  };
  std::signal(SIGINT, handler);
  std::signal(SIGTERM, handler);
}

}  // namespace tkbench
