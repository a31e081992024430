#pragma once
// The gate's judgement: a baseline and a current results document (or the
// current one alone, for floors) -> one GateEntry per compared result, each
// with a verdict, and a pass/fail for the whole. No GPU.
//
// Entries: every (template, shape, dtype, config) on either side, and per
// (template, shape, dtype) the tuned best of each side where those are
// different configs. A slowdown is a regression only when it exceeds the
// threshold with 95% confidence (reports/gate_statistics); improvements are
// reported, never failures.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reports/gate_statistics.hpp"
#include "reports/result_document.hpp"

namespace tkbench {

// time: median times (same GPU only). sol: the fraction of each GPU's roof
// reached (calibrated copy bandwidth, or the pipe's compute roof past the ridge), so
// different GPUs can be compared.
enum class CompareBy { time, sol };

// A floor one current result must clear: --min-sol, or a spec entry's min_sol / max_time_us.
struct Floor {
  std::string template_name, shape, dtype;  // empty template: every shape's best (--min-sol)
  std::string config;                       // that config's result; empty: the shape's best result
  std::optional<double> min_sol;            // fraction of the roof, 0.9 = 90%
  std::optional<double> max_time_us;
  std::string origin;                       // where it was set: "--min-sol", "gate.toml:12"
};

struct GateOptions {
  double max_regression = 0.05;  // 5% slower
  CompareBy compare = CompareBy::time;
  bool strict = false;           // entries on one side only, or not comparable, fail
  bool best_only = false;        // compare each shape's best only, not every config
  std::vector<Floor> floors;
  BootstrapOptions bootstrap;
};

enum class Verdict {
  ok,             // within the threshold
  improved,       // faster by more than the threshold, with 95% confidence
  noisy,          // slower by more than the threshold, but not significantly: a warning
  regression,     // slower by more than the threshold, with 95% confidence: fails
  broken,         // ok in the baseline, failing now (wrong_result, fault, timeout, compile_error): fails
  fixed,          // failing in the baseline, ok now
  still_failing,  // not ok on either side: nothing to compare
  only_baseline,  // listed; fails with --strict
  only_current,   // listed; fails with --strict
  incomparable,   // timed differently (cold vs hot L2), or not measured on one side; fails with --strict
  measured,       // no baseline: only floors apply
};
std::string_view verdict_name(Verdict verdict);  // "regression", "only in baseline", ...

// One side of an entry: what its document says about that result.
struct GateSide {
  std::string config;               // "VEC=8,THREADS=256,ROWS=1"
  Status status = Status::skipped;
  std::string reason;               // why not ok
  std::optional<double> median_us;  // when ok and timed
  double sol = 0;                   // fraction of the roof; 0 when not timed
  // Against the roof for its size (reports/size_roof) where its document's GPU
  // has a size curve and the result is memory-bound: fraction, 0 otherwise.
  double size_sol = 0;
  std::string roof_verdict;         // verdict_of its figures ("latency-bound", "at the limit", ...); empty when untimed
  int samples = 0;
  double spread = 0;                // (p90 - p10) / median
  std::string l2;
  bool throttled = false;
  std::string source_hash;
  // The template's [baseline] library (ResultSet::baselines) on this shape in
  // the same document, timed by the same worker: "% of cuBLAS".
  std::string library;                   // "cublas"; empty: the document timed none
  std::optional<double> library_us;      // its median; absent when it failed
  std::optional<double> pct_of_library;  // its median over this result's, in percent: above 100 this config is faster
};

struct FloorCheck {
  std::string what;    // "SoL ≥ 90%", "time ≤ 120 µs"
  std::string actual;  // "88.1%", "no timed result"
  std::string origin;
  bool passed = false;
};

struct GateEntry {
  enum class Kind { config, best } kind = Kind::config;
  std::string template_name, shape, dtype;
  std::optional<GateSide> baseline, current;
  // current vs baseline, > 1 worse: the ratio of median times, or with
  // --compare sol the baseline's SoL over the current one's.
  std::optional<RatioInterval> slowdown;
  Verdict verdict = Verdict::ok;
  bool shape_best = false;         // stands for its shape's best current result
  std::vector<FloorCheck> floors;
  std::vector<std::string> notes;  // why, in words
  bool failed = false;             // the verdict or a floor fails the gate

  std::string group() const { return template_name + " " + shape + " " + dtype; }
  // The library either side was compared with ("cublas"); empty: none.
  std::string library() const;
  bool floor_failed() const;
};

struct GateReport {
  GateOptions options;
  std::string baseline_path, current_path;  // no baseline: floors only
  std::string baseline_device, current_device;
  std::string roof;                         // what SoL is measured against, in words
  std::vector<GateEntry> entries;
  std::vector<std::string> notes;           // about the comparison as a whole

  bool has_baseline() const { return !baseline_path.empty(); }
  bool passed() const;
  std::size_t failures() const;
  std::size_t count(Verdict verdict) const;
  std::size_t floors_missed() const;
};

// Throws InputError when the documents cannot be compared: different GPUs
// with CompareBy::time, or nothing in common and no floor to check.
GateReport gate_documents(const ResultDocument* baseline, const ResultDocument& current, const GateOptions& options);

// Why times from `baseline` and `current` cannot be compared (another GPU
// model or arch), suggesting --compare sol; nothing when they can.
std::optional<std::string> gpu_mismatch(const std::string& baseline_path, const DeviceInfo& baseline,
                                        const std::string& current_path, const DeviceInfo& current);

// The fraction of the roof a timed result reaches: the memory roof (the
// calibrated copy bandwidth with `calibrated`, else the theoretical one), or
// past the ridge the compute roof of the workload's pipe: FP32, or the tensor
// roof at `dtype`'s rate (the measured one with `calibrated`, when calibrate
// measured it).
double sol_fraction(double median_us, const Workload& workload, DType dtype, const DevicePeaks& peaks, bool calibrated);

}  // namespace tkbench
