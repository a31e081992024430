#pragma once
// Wall-clock timestamps for documents (ISO 8601, UTC) and a stopwatch for
// phase breakdowns.
#include <chrono>
#include <ctime>
#include <string>

namespace tkbench {

inline std::string utc_timestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Splits elapsed wall time into phases: lap() returns the milliseconds since
// the previous lap (or the start) and starts the next phase.
class Stopwatch {
 public:
  double lap_ms() {
    auto now = std::chrono::steady_clock::now();
    double ms = std::chrono::duration<double, std::milli>(now - last_).count();
    last_ = now;
    return ms;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace tkbench
