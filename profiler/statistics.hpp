#pragma once
// Summaries of timing samples and the rule that says when to stop sampling.
// Pure functions: tested on synthetic samples without a GPU.
#include <vector>

namespace tkbench {

struct SampleSummary {
  int count = 0;
  double median = 0, min = 0, max = 0, mean = 0, stddev = 0;
  double p10 = 0, p90 = 0;
  double spread = 0;         // (p90 - p10) / median
  double rel_std_error = 0;  // of the median: 1.2533 * sigma / sqrt(n) / median, sigma = 1.4826 * MAD
};

SampleSummary summarize(std::vector<double> samples);

// nvbench's rule, applied to the median: sample until the relative standard
// error of the median drops below `target_rel_error` (after `min_samples`),
// or a cap is hit.
struct StoppingRule {
  double target_rel_error = 0.005;
  int min_samples = 10;
  int max_samples = 2000;
  double max_seconds = 1.0;   // wall time spent sampling this config

  bool converged(const SampleSummary& s) const { return s.count >= min_samples && s.rel_std_error < target_rel_error; }
  bool should_stop(const SampleSummary& s, double elapsed_seconds) const {
    return converged(s) || s.count >= max_samples || (s.count >= min_samples && elapsed_seconds >= max_seconds);
  }
};

}  // namespace tkbench
