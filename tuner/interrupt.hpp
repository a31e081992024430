#pragma once
// Ctrl-C and SIGTERM set a flag instead of killing tkbench, so long work can
// finish the item in hand, keep everything finished, and exit 130.
#include <atomic>
#include <csignal>

namespace tkbench {

inline std::atomic<bool>& interrupt_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}
inline bool interrupted() { return interrupt_flag().load(); }

inline void install_interrupt_handlers() {
  auto handler = [](int) {
    // A second Ctrl-C means "stop now".
    if (interrupt_flag().exchange(true)) std::_Exit(130);
  };
  std::signal(SIGINT, handler);
  std::signal(SIGTERM, handler);
}

}  // namespace tkbench
