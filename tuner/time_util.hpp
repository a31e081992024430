#pragma once
// Wall-clock timestamps for documents: ISO 8601, UTC.
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

}  // namespace tkbench
