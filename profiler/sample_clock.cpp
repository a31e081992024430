#include "profiler/sample_clock.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tkbench {

std::optional<int> average_mhz(std::span<const ClockReading> before, std::span<const ClockReading> after,
                               unsigned long long seq, int max_mhz) {
  const double ceiling = max_mhz > 0 ? 1.5 * max_mhz : 5000;
  std::vector<double> mhz;
  for (std::size_t sm = 0; sm < std::min(before.size(), after.size()); ++sm) {
    const ClockReading& a = before[sm];
    const ClockReading& b = after[sm];
    if (a.seq != seq || b.seq != seq + 1 || b.ns <= a.ns || b.cycles <= a.cycles) continue;
    const double f = static_cast<double>(b.cycles - a.cycles) * 1e3 / static_cast<double>(b.ns - a.ns);
    if (f >= 50 && f <= ceiling) mhz.push_back(f);
  }
  if (mhz.empty()) return std::nullopt;
  auto mid = mhz.begin() + static_cast<std::ptrdiff_t>(mhz.size() / 2);
  std::nth_element(mhz.begin(), mid, mhz.end());
  return static_cast<int>(std::lround(*mid));
}

}  // namespace tkbench
