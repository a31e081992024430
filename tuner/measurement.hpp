#pragma once
// Measurement: what running one compiled config on the GPU found out:
// whether it is correct (against the template's reference) and how long it
// takes. Produced by the Evaluator (in the worker process), carried in Result.
// Plain values, no GPU: it sits in tuner/, the lowest stage, so that Result
// and every later stage can include it.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tkbench {

struct Verification {
  bool verified = false;        // false: the template has no reference ("unverified")
  bool passed = false;
  double tolerance = 0;         // relative L2 error allowed for `buffer` (an output may have its own)
  double rel_l2_error = 0;      // ||test - ref|| / ||ref|| of `buffer`: the first failing output, else the one nearest its tolerance
  double max_abs_error = 0;
  long long nonfinite = 0;      // NaN/Inf where the reference is finite (poison left unwritten counts here)
  long long first_bad_index = -1;
  std::string buffer;           // the output buffer these figures describe
};

struct TimingStats {
  std::string l2 = "cold";      // "cold": L2 flushed (or inputs rotated) before each launch; "hot"
  bool graph = false;           // samples are CUDA-graph replays of `launches_per_sample` launches
  int launches_per_sample = 1;
  int buffer_sets = 1;          // input sets rotated through in graph mode
  int samples = 0;
  double median_us = 0, min_us = 0, max_us = 0, mean_us = 0;
  double spread = 0;            // (p90 - p10) / median: the achieved spread
  double rel_std_error = 0;     // relative standard error of the median
  bool converged = false;       // rel_std_error reached the target before a cap
  int sm_clock_start_mhz = 0, sm_clock_end_mhz = 0, sm_clock_max_mhz = 0;  // 0: no reading
  bool throttled = false;       // SM clock under the throttle threshold at the first or last kept sample, or still low after resting
  int samples_clocked_in_stream = 0;  // samples whose clock the in-stream probe read (the rest: NVML after them)
  int throttle_dropped_samples = 0;  // samples dropped because the clock was throttled (profiler/throttle_guard.hpp)
  double throttle_rest_s = 0;        // seconds the GPU rested so its clock could recover
  // Every sample, per launch, in the order taken: the gate's significance test
  // resamples them. Empty in documents written before they were kept.
  std::vector<double> samples_us;
};

// Hardware counters of one launch (CUPTI range profiler, kernel replay).
struct Counters {
  std::vector<std::pair<std::string, double>> values;  // metric name -> value, in the order asked for
  std::size_t passes = 0;
  double overhead_ms = 0;  // wall time of the profiled launch, all replay passes
  std::optional<double> get(const std::string& metric) const {
    for (const auto& [name, value] : values)
      if (name == metric) return value;
    return std::nullopt;
  }
};

// Where one evaluation's time went inside the worker, in milliseconds: the
// tune loop adds these up to show where a run's wall time goes. Not kept in
// results documents.
struct EvaluationCost {
  double load_ms = 0;      // the kernel and reference from the compiled-kernel cache into the GPU
  double buffers_ms = 0;   // allocating and filling inputs (and input sets to rotate)
  double verify_ms = 0;    // reference run, kernel run, comparison
  double timing_ms = 0;    // warm-up, estimate, sampling (L2 flushes included)
  double counters_ms = 0;  // CUPTI range profiler
  double total_ms() const { return load_ms + buffers_ms + verify_ms + timing_ms + counters_ms; }
  EvaluationCost& operator+=(const EvaluationCost& o) {
    load_ms += o.load_ms, buffers_ms += o.buffers_ms, verify_ms += o.verify_ms, timing_ms += o.timing_ms,
        counters_ms += o.counters_ms;
    return *this;
  }
};

struct Measurement {
  Verification verification;
  std::optional<TimingStats> timing;  // absent when verification failed
  std::optional<Counters> counters;   // when asked for and available
  std::string counters_unavailable;   // why counters are absent although asked for
};

}  // namespace tkbench
