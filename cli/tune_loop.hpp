#pragma once
// The per-shape search of `tune`, shared with `gate --spec` (which tunes the
// shapes the tuning cache does not know): strategy proposals compiled on a
// thread pool ahead of the GPU, each evaluated in the worker and journaled
// as it lands.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "profiler/device_peaks.hpp"
#include "profiler/throttle_guard.hpp"
#include "tuner/worker_client.hpp"
#include "tuner/compiler.hpp"
#include "tuner/config.hpp"
#include "tuner/result.hpp"
#include "tuner/results_journal.hpp"
#include "tuner/shard.hpp"
#include "tuner/tuning_cache.hpp"

namespace tkbench {

struct TuneSettings {
  std::string strategy;      // empty: plan_search's default for the space's size
  std::size_t budget = 0;    // 0: plan_search's default
  double time_limit = 0;     // seconds per shape; 0: none
  double target_sol = 0;     // stop once the best reaches this % of its roof; 0: never
  double max_time = 0.5;     // seconds of timing per config
  double throttle_threshold = kDefaultThrottleThreshold;  // fraction of the max SM clock under which samples are dropped (0: none)
  bool cold_l2 = true;
  std::uint64_t seed = 1;
  bool counters = false;
  bool live = false;         // a progress line on stderr
  bool announce = false;     // one line per shape: the strategy, budget and valid configs
};

// What one tune run shares between its shapes.
// Compiles a tune runs at once: one per core, or `jobs` when given. The
// compile servers run niced, so the worker timing kernels and the tune loop
// keep their CPU; on the 16-core H200 host all 16 beat 14 (39-41 against 35
// configs/s, timing spread unchanged).
unsigned tune_compile_threads(unsigned jobs);

// One GPU of a --devices run: its worker process and its own peaks (calibration).
struct GpuLane {
  const DeviceInfo& device;
  WorkerClient& worker;
  const DevicePeaks& peaks;
};

struct TuneStage {
  unsigned jobs;             // compiles at once; 0: one per core (tune_compile_threads)
  const DeviceInfo& device;  // the first GPU: its model's best is the shape's best
  WorkerClient& worker;
  const Compiler& compiler;
  const DevicePeaks& peaks;
  ResultsJournal& journal;   // results already in it (a resumed run) count and are not evaluated again
  // --devices: the other GPUs, each with its worker, fed from the same
  // compiles (same arch as `device`). A result then records its GPU's UUID.
  std::vector<GpuLane> more_gpus = {};
  Shard shard = {};          // --shard: this run's part of a fixed-list search
};

// Where a tune's wall time went, in seconds (summed over shapes).
struct TuneTimes {
  double space = 0;         // enumerating the valid configs, setting up the strategy
  double propose = 0;       // the strategy choosing configs
  double compile_wait = 0;  // waiting for the next config's compile, the GPU idle
  double worker = 0;        // the worker's round trips: pipe, JSON and its start-up included
  EvaluationCost in_worker; // inside those round trips, by phase (milliseconds)
  double journal = 0;       // appending each result to the journal (fsynced)
  std::size_t wanted = 0;        // configs the search evaluated or queued (compile asked for)
  std::size_t wanted_ahead = 0;  // ... whose compile had begun on speculation
  std::size_t speculated = 0;    // configs compiled on speculation (used or not)
  TuneTimes& operator+=(const TuneTimes& o);
};

// "space 1.2 s, propose 0.3 s, ..." with what is left of `wall` as "other".
std::string describe_tune_times(const TuneTimes& times, double wall_seconds);

struct ShapeTuning {
  std::optional<Result> best;      // the fastest ok result on the first GPU's model
  std::map<std::string, Result> best_elsewhere;  // GPU model -> its fastest, for the run's other models
  std::optional<Result> baseline;  // the manifest's default config, when it is valid and ok
  std::optional<Result> library;   // the manifest's [baseline] library (cuBLAS) on this shape, timed after the search
  int evaluated = 0, failed = 0;
  // Throttling among this run's timings (profiler/throttle_guard.hpp): still
  // throttled after resting, and those that dropped samples to stay clean.
  int throttled = 0, rested = 0, dropped_samples = 0;
  double rest_s = 0;
  TuneTimes times;  // times.worker: the GPU's share ("GPU busy")
  std::string strategy;        // as planned: the user's or the default
  std::size_t budget = 0, valid = 0;
  // Several GPUs of one model: the best config measured again on each of the
  // others, and a sentence per GPU that disagrees beyond the noise.
  std::vector<Result> rechecks;
  std::vector<std::string> disagreements;
};

ShapeTuning tune_shape(const TuneStage& stage, const TemplateSpec& spec, const Problem& problem, const ConfigFilter& filter,
                       const TuneSettings& settings);

// tkbench-results/STEM-YYYYmmdd-HHMMSS.json: where a run's document goes unless -o says.
std::string default_results_path(const std::string& stem);

// The --config filter as the tuning cache keys it: "ROWS=2,VEC=1" in the manifest's parameter order.
std::string filter_key(const TemplateSpec& spec, const ConfigFilter& filter);

// The tuning cache's key for this GPU, driver, CUDA version, template source, problem and --config filter.
TuningKey tuning_key(const DeviceInfo& device, const TemplateSpec& spec, const Problem& problem, const ConfigFilter& filter);

// For a --shard run: throws InputError when `strategy` (as planned for a shape
// of `valid` configs) is one --shard cannot split, naming what to do instead.
void check_shardable(const std::string& strategy, std::size_t valid, const Shard& shard);

// Stores `tuning.best` under `key`, warning when the cache cannot be written.
void remember_best(const TuningCache& cache, const TuningKey& key, const ShapeTuning& tuning, const TemplateSpec& spec,
                   const DevicePeaks& peaks, const std::string& document);

}  // namespace tkbench
