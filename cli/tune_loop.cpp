#include "cli/tune_loop.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <deque>
#include <filesystem>
#include <future>
#include <set>

#include <fmt/format.h>

#include "profiler/cupti_host.hpp"
#include "profiler/remote_evaluation.hpp"
#include "reports/result_json.hpp"
#include "reports/roofline.hpp"
#include "tuner/compile_batch.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/interrupt.hpp"
#include "tuner/search_space.hpp"
#include "tuner/strategy.hpp"
#include "tuner/thread_pool.hpp"
#include "tuner/time_util.hpp"

namespace tkbench {
using clock_type = std::chrono::steady_clock;

std::string default_results_path(const std::string& stem) {
  std::time_t t = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&t));
  return fmt::format("tkbench-results/{}-{}.json", stem, stamp);
}

TuningKey tuning_key(const DeviceInfo& device, const TemplateSpec& spec, const Problem& problem, const ConfigFilter& filter) {
  std::string fixed;  // in the manifest's parameter order, so VEC=1,ROWS=2 and ROWS=2,VEC=1 are one key
  for (const auto& param : spec.params)
    if (auto it = filter.find(param.name); it != filter.end())
      fixed += (fixed.empty() ? "" : ",") + param.name + "=" + std::to_string(it->second);
  return {device.name, device.arch(), probe_devices().driver_version / 1000, probe_devices().runtime_version,
          spec.name, spec.source_hash, problem.shape_str(), std::string(dtype_info(problem.dtype).name), fixed};
}

void remember_best(const TuningCache& cache, const TuningKey& key, const ShapeTuning& tuning, const TemplateSpec& spec,
                   const DevicePeaks& peaks, const std::string& document) {
  if (!tuning.best) return;
  RooflineFigures f = roofline_figures(*tuning.best, spec, peaks);
  TunedEntry entry{key, to_json(tuning.best->config), tuning.best->measurement->timing->median_us, f.bandwidth,
                   f.pct_of_measured, tuning.evaluated, std::filesystem::absolute(document).string(), ""};
  entry.tuned_at = utc_timestamp();
  if (auto error = cache.store(entry)) diagnostics().warn("tuning cache not written: " + *error);
}

TuneTimes& TuneTimes::operator+=(const TuneTimes& o) {
  space += o.space, propose += o.propose, compile_wait += o.compile_wait, worker += o.worker, journal += o.journal;
  in_worker += o.in_worker;
  return *this;
}

std::string describe_tune_times(const TuneTimes& t, double wall) {
  const double other = wall - t.space - t.propose - t.compile_wait - t.worker - t.journal;
  const EvaluationCost& w = t.in_worker;
  return fmt::format(
      "{:.1f} s wall: space {:.1f} s, propose {:.1f} s, compile wait {:.1f} s, worker {:.1f} s (load {:.1f}, buffers {:.1f}, "
      "verify {:.1f}, timing {:.1f}, counters {:.1f}, pipe and start-up {:.1f}), journal {:.1f} s, other {:.1f} s",
      wall, t.space, t.propose, t.compile_wait, t.worker, w.load_ms / 1e3, w.buffers_ms / 1e3, w.verify_ms / 1e3,
      w.timing_ms / 1e3, w.counters_ms / 1e3, t.worker - w.total_ms() / 1e3, t.journal, other);
}

ShapeTuning tune_shape(const TuneStage& stage, const TemplateSpec& spec, const Problem& problem, const ConfigFilter& filter,
                       const TuneSettings& settings) {
  const GlobalOptions& global = stage.global;
  ShapeTuning summary;
  Stopwatch watch;
  SearchSpace space(spec, problem);
  std::vector<Config> valid = space.enumerate(filter);
  std::string strategy = !settings.strategy.empty() ? settings.strategy : valid.size() <= 256 ? "exhaustive" : "random";
  std::size_t budget = settings.budget ? settings.budget : strategy == "exhaustive" ? valid.size() : std::min<std::size_t>(64, valid.size());
  auto proposer = make_strategy(strategy, space, filter, budget, settings.seed);
  std::optional<Config> default_config = space.default_config();
  if (default_config && std::find(valid.begin(), valid.end(), *default_config) == valid.end()) default_config.reset();
  summary.times.space += watch.lap_ms() / 1e3;

  // Results a resumed run already holds count, and are not evaluated again.
  auto consider = [&](const Result& r) {
    if (r.status == Status::ok && r.measurement && r.measurement->timing &&
        (!summary.best || r.measurement->timing->median_us < summary.best->measurement->timing->median_us))
      summary.best = r;
    if (default_config && r.config == *default_config && r.status == Status::ok) summary.baseline = r;
    if (r.status != Status::ok) ++summary.failed;
    ++summary.evaluated;
  };
  auto journaled = [&](const Config& c) -> const Result* {
    for (const auto& r : stage.journal.results())
      if (r.config == c && r.template_name == spec.name && r.problem.dims == problem.dims && r.problem.dtype == problem.dtype)
        return &r;
    return nullptr;
  };

  // Proposals come in small batches (adaptive strategies learn from each
  // result), compiled on the pool ahead of the GPU. The hand-written
  // default goes first: the speedup is measured against it.
  ThreadPool pool(global.jobs ? global.jobs : ThreadPool::default_threads());
  const std::size_t depth = std::min(proposer->lookahead(),
                                     std::max<std::size_t>(4, 2 * (global.jobs ? global.jobs : ThreadPool::default_threads())));
  std::deque<std::pair<Config, std::future<CompiledConfig>>> inflight;
  std::set<std::string> seen;
  std::size_t proposed = 0;
  bool proposer_done = false;
  auto enqueue = [&](const Config& c) {
    if (!seen.insert(c.str()).second || proposed >= budget) return;
    ++proposed;
    if (const Result* old = journaled(c)) {
      consider(*old);
      proposer->observe(*old);
      return;
    }
    inflight.emplace_back(c, pool.submit([&, c] { return compile_config(spec, problem, c, stage.compiler, stage.device.arch()); }));
  };
  if (default_config) enqueue(*default_config);
  const auto shape_start = clock_type::now();
  std::size_t done = 0;
  while (!interrupted()) {
    watch.lap_ms();
    while (!proposer_done && inflight.size() < depth && proposed < budget) {
      auto batch = proposer->propose(std::min(depth - inflight.size(), budget - proposed));
      if (batch.empty()) proposer_done = true;
      for (const auto& c : batch) enqueue(c);
    }
    summary.times.propose += watch.lap_ms() / 1e3;
    if (inflight.empty()) break;
    double elapsed = std::chrono::duration<double>(clock_type::now() - shape_start).count();
    if (settings.time_limit > 0 && elapsed > settings.time_limit) break;
    watch.lap_ms();
    Result r = inflight.front().second.get().result;
    inflight.pop_front();
    summary.times.compile_wait += watch.lap_ms() / 1e3;
    if (r.status == Status::ok) {
      EvaluationRequest req = EvaluationRequest::for_config(spec, problem, r.config);
      req.cold_l2 = settings.cold_l2;
      req.rule.max_seconds = settings.max_time;
      req.seed = settings.seed;
      if (settings.counters) req.metrics = default_metrics();
      auto gpu_start = clock_type::now();
      evaluate_remotely(stage.worker, req, r, &summary.times.in_worker);
      summary.gpu_seconds += std::chrono::duration<double>(clock_type::now() - gpu_start).count();
    }
    watch.lap_ms();
    stage.journal.append(r, figures_json(r, spec, stage.peaks));
    summary.times.journal += watch.lap_ms() / 1e3;
    proposer->observe(r);
    consider(r);
    ++done;
    if (settings.live) {
      double total = static_cast<double>(std::min(budget, valid.size()));
      double rate = static_cast<double>(done) / std::max(1e-9, std::chrono::duration<double>(clock_type::now() - shape_start).count());
      double eta = std::max(0.0, total - static_cast<double>(summary.evaluated)) / rate;
      std::string best = summary.best ? fmt::format("best {:.2f} µs ({:.1f}%)", summary.best->measurement->timing->median_us,
                                                    roofline_figures(*summary.best, spec, stage.peaks).pct_of_measured)
                                      : "no valid config yet";
      std::fprintf(stderr, "\r\033[K%s %s [%s]: %d/%.0f configs, %d failed, %s, ETA %.0f s", spec.name.c_str(),
                   problem.shape_str().c_str(), strategy.c_str(), summary.evaluated, total, summary.failed, best.c_str(), eta);
    }
    if (settings.target_sol > 0 && summary.best &&
        roofline_figures(*summary.best, spec, stage.peaks).pct_of_bound >= settings.target_sol)
      break;
  }
  summary.times.worker = summary.gpu_seconds;
  pool.cancel_pending();
  if (settings.live) std::fprintf(stderr, "\r\033[K");
  return summary;
}

}  // namespace tkbench
