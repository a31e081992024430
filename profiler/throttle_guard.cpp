#include "profiler/throttle_guard.hpp"

#include <algorithm>

namespace tkbench {

bool ThrottleGuard::keep(int clock_mhz) {
  const bool judged = policy_.threshold > 0 && max_mhz_ > 0 && clock_mhz > 0;
  if (!judged || clock_mhz >= policy_.threshold * max_mhz_ || gave_up_) return true;
  const double rest = dropped_ == 0 ? policy_.first_rest_s : 2 * next_rest_s_;
  const double left = policy_.budget_s - rested_s_;
  if (left <= 0) {
    gave_up_ = true;
    return true;
  }
  next_rest_s_ = std::min(rest, left);
  rested_s_ += next_rest_s_;
  ++dropped_;
  return false;
}

bool ThrottleGuard::throttled(int start_mhz, int end_mhz) const {
  if (max_mhz_ <= 0) return false;
  const double threshold = judged_threshold(policy_.threshold);
  auto low = [&](int mhz) { return mhz > 0 && mhz < threshold * max_mhz_; };  // 0: no reading, no verdict
  return gave_up_ || low(start_mhz) || low(end_mhz);
}

}  // namespace tkbench
