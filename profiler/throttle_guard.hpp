#pragma once
// Samples taken while the GPU throttles. A long run of a power-hungry kernel
// (gemm at 8192^3 on an H100) reaches the card's power cap within seconds,
// and the SM clock falls from 1980 to as low as 1185 MHz: every config timed
// after that looked slower than the same config timed on a rested card, a
// sweep ranked configs by when they ran, and "% of cuBLAS" could set a
// throttled timing beside one at full clock. As nvbench does, a sample whose
// SM clock is under `threshold` of the max is dropped,
// the GPU rests, and sampling goes on. Rests double from `first_rest_s`; once
// a measurement has rested `budget_s` it keeps what it gets and reports the
// timing as throttled. Pure logic: tested without a GPU.
// The clock is the one averaged over the sample by the in-stream probe
// (profiler/sample_clock.hpp); NVML's, read after the sample, where the probe
// cannot say. NVML alone missed power-capped 3-6 ms GEMMs: it reads once the
// kernel has ended and the power has dropped (bench/results/2026-12-07f-h100).
// The default threshold is nvbench's 75%: read in the stream, a rested H100
// holds dense GEMMs at its 700 W cap at 1,550-1,630 MHz (78-82% of its 1,980),
// cuBLAS included, so a 90% threshold dropped nearly every GEMM sample and a
// tune of 8192^3 rested 134 of its 145 s (bench/results/2026-12-07g-h100).
namespace tkbench {

inline constexpr double kDefaultThrottleThreshold = 0.75;

// The threshold a timing is judged throttled against: the one in force, or
// the default where the guard is off (0), so a flag still means something.
inline constexpr double judged_threshold(double threshold) { return threshold > 0 ? threshold : kDefaultThrottleThreshold; }

struct ThrottlePolicy {
  double threshold = kDefaultThrottleThreshold;  // fraction of the max SM clock; 0 keeps every sample
  double first_rest_s = 0.05;  // nvbench's recovery delay
  double budget_s = 1.0;       // rest at most this long per measurement
};

class ThrottleGuard {
 public:
  ThrottleGuard(const ThrottlePolicy& policy, int max_mhz) : policy_(policy), max_mhz_(max_mhz) {}

  // After a sample, its SM clock in MHz (0: unreadable). True keeps the
  // sample; false drops it, and next_rest_s() says how long to rest first.
  bool keep(int clock_mhz);
  double next_rest_s() const { return next_rest_s_; }

  int dropped() const { return dropped_; }
  double rested_s() const { return rested_s_; }
  bool gave_up() const { return gave_up_; }  // the budget ran out while the clock stayed low
  // The timing's verdict from its first and last kept samples' clocks: under
  // the threshold (the default one where the guard is off), or given up. A
  // clock of 0 (unread) is not judged.
  bool throttled(int start_mhz, int end_mhz) const;

 private:
  ThrottlePolicy policy_;
  int max_mhz_ = 0;
  int dropped_ = 0;
  double rested_s_ = 0, next_rest_s_ = 0;
  bool gave_up_ = false;
};

}  // namespace tkbench
