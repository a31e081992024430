#include <catch2/catch.hpp>

#include <random>

#include "profiler/statistics.hpp"
#include "profiler/sample_clock.hpp"
#include "profiler/throttle_guard.hpp"

using namespace tkbench;

TEST_CASE("summaries of known samples", "[statistics]") {
  auto s = summarize({5, 1, 4, 2, 3});
  CHECK(s.count == 5);
  CHECK(s.median == 3);
  CHECK(s.min == 1);
  CHECK(s.max == 5);
  CHECK(s.mean == Approx(3));
  CHECK(s.p10 == Approx(1.4));
  CHECK(s.p90 == Approx(4.6));
  CHECK(s.spread == Approx((4.6 - 1.4) / 3));
  CHECK(summarize({}).count == 0);
  CHECK(summarize({7}).rel_std_error == 1.0);  // one sample says nothing about its error
  CHECK(summarize({2, 4}).median == 3);
}

TEST_CASE("the median's standard error shrinks as 1/sqrt(n) and ignores a stray outlier", "[statistics]") {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(100.0, 1.0);  // 1% noise
  std::vector<double> small, large;
  for (int i = 0; i < 25; ++i) small.push_back(noise(rng));
  for (int i = 0; i < 400; ++i) large.push_back(noise(rng));
  double e_small = summarize(small).rel_std_error, e_large = summarize(large).rel_std_error;
  CHECK(e_small == Approx(1.2533 * 0.01 / 5).epsilon(0.35));
  CHECK(e_large == Approx(1.2533 * 0.01 / 20).epsilon(0.2));
  large.push_back(1e6);  // one pathological sample
  CHECK(summarize(large).rel_std_error == Approx(e_large).epsilon(0.05));
}

TEST_CASE("the stopping rule: converge, or hit a cap, never stop before min_samples", "[statistics]") {
  StoppingRule rule;  // 0.5%, >= 10 samples, <= 2000, <= 1 s
  std::mt19937_64 rng(3);
  std::normal_distribution<double> quiet(100.0, 0.5), loud(100.0, 30.0);
  std::vector<double> q;
  for (int i = 0; i < 9; ++i) q.push_back(quiet(rng));
  CHECK_FALSE(rule.should_stop(summarize(q), 0.0));  // 9 < min_samples
  q.push_back(quiet(rng));
  CHECK(rule.converged(summarize(q)));                 // 0.5% noise: SE of median ~0.2% at n = 10
  std::vector<double> l;
  for (int i = 0; i < 50; ++i) l.push_back(loud(rng));
  CHECK_FALSE(rule.converged(summarize(l)));
  CHECK_FALSE(rule.should_stop(summarize(l), 0.5));
  CHECK(rule.should_stop(summarize(l), 1.5));          // time cap
  for (int i = 0; i < 2000; ++i) l.push_back(loud(rng));
  CHECK(rule.should_stop(summarize(l), 0.1));          // sample cap
}

TEST_CASE("the throttle guard drops samples under the threshold, rests doubling, and gives up at its budget", "[statistics][throttle]") {
  ThrottlePolicy policy;  // 75% of the max (nvbench's), 50 ms first, 1 s at most
  ThrottleGuard guard(policy, 1980);
  CHECK(guard.keep(1980));
  CHECK(guard.keep(1485));  // exactly 75%
  CHECK(guard.keep(1600));  // gemm 8192^3 at a rested H100's 700 W cap: kept
  // the same after minutes of it: 1300 MHz
  CHECK_FALSE(guard.keep(1300));
  CHECK(guard.next_rest_s() == Approx(0.05));
  CHECK_FALSE(guard.keep(1300));
  CHECK(guard.next_rest_s() == Approx(0.1));
  CHECK(guard.keep(1965));  // recovered: kept, and no rest asked for
  CHECK_FALSE(guard.keep(1400));
  CHECK(guard.next_rest_s() == Approx(0.2));
  CHECK_FALSE(guard.keep(1400));
  CHECK(guard.next_rest_s() == Approx(0.4));
  CHECK_FALSE(guard.keep(1400));
  CHECK(guard.next_rest_s() == Approx(0.25));  // what is left of the 1 s budget
  CHECK(guard.rested_s() == Approx(1.0));
  CHECK(guard.dropped() == 5);
  CHECK_FALSE(guard.gave_up());
  CHECK(guard.keep(1185));  // the budget is spent: throttled samples are kept, and the timing says so
  CHECK(guard.gave_up());
  CHECK(guard.keep(1185));
  CHECK(guard.dropped() == 5);
  CHECK(guard.throttled(1965, 1965));  // given up: throttled whatever its kept samples read
}

TEST_CASE("a timing is throttled where its first or last kept sample ran under the threshold", "[statistics][throttle]") {
  ThrottleGuard guard(ThrottlePolicy{}, 1980);
  CHECK_FALSE(guard.throttled(1600, 1550));  // the power cap of a rested card
  CHECK(guard.throttled(1600, 1400));
  CHECK_FALSE(guard.throttled(0, 1600));  // no reading at the start: judged by the end alone
  ThrottlePolicy strict;
  strict.threshold = 0.9;  // --throttle-threshold 90
  CHECK(ThrottleGuard(strict, 1980).throttled(1600, 1600));
  ThrottlePolicy off;
  off.threshold = 0;  // the guard off: judged by the default threshold
  CHECK_FALSE(ThrottleGuard(off, 1980).throttled(1500, 1500));
  CHECK(ThrottleGuard(off, 1980).throttled(1400, 1500));
  CHECK_FALSE(ThrottleGuard(ThrottlePolicy{}, 0).throttled(300, 300));  // no max clock: cannot say
}

TEST_CASE("the throttle guard keeps every sample when switched off or blind", "[statistics][throttle]") {
  ThrottlePolicy off;
  off.threshold = 0;  // --throttle-threshold 0
  ThrottleGuard no_threshold(off, 1980);
  CHECK(no_threshold.keep(300));
  ThrottleGuard no_max(ThrottlePolicy{}, 0);  // NVML unavailable: no max clock
  CHECK(no_max.keep(300));
  ThrottleGuard unreadable(ThrottlePolicy{}, 1980);
  CHECK(unreadable.keep(0));  // a clock NVML could not read is not a throttled one
  CHECK(no_threshold.dropped() + no_max.dropped() + unreadable.dropped() == 0);
}

TEST_CASE("the clock probe's readings give the SM clock over a sample, or nothing where they cannot", "[statistics][throttle]") {
  std::vector<ClockReading> before(kClockProbeSlots), after(kClockProbeSlots);
  // 1.4 ms of an 8192^3 GEMM at 1470 MHz: 2,058,000 cycles on each SM read both times.
  for (int sm : {0, 3, 7}) {
    before[sm] = {1'000'000, 5'000'000ull + sm, 42};
    after[sm] = {1'000'000 + 1'400'000, 5'000'000ull + sm + 2'058'000, 43};
  }
  REQUIRE(average_mhz(before, after, 42, 1980));
  CHECK(*average_mhz(before, after, 42, 1980) == 1470);
  // An SM whose counter went back, and one read only before: left out, the others decide.
  after[3].cycles = 1'000;
  before[9] = {1'000'000, 0, 42};
  CHECK(*average_mhz(before, after, 42, 1980) == 1470);
  // Stale readings (an earlier sample's stamps) never pair.
  CHECK_FALSE(average_mhz(before, after, 44, 1980));
  // A figure over 1.5x the max (a counter reset between the readings) is no clock.
  for (int sm : {0, 7}) after[sm].cycles = before[sm].cycles + 10'000'000;
  CHECK_FALSE(average_mhz(before, after, 42, 1980));
  // No time between the readings.
  for (int sm : {0, 7}) after[sm] = before[sm], after[sm].seq = 43;
  CHECK_FALSE(average_mhz(before, after, 42, 1980));
}
