#include "cli/tune_loop.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <deque>
#include <filesystem>
#include <condition_variable>
#include <exception>
#include <future>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "profiler/default_metrics.hpp"
#include "profiler/remote_evaluation.hpp"
#include "reports/gpu_agreement.hpp"
#include "reports/roofline.hpp"
#include "tuner/compile_ahead.hpp"
#include "tuner/compile_batch.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/interrupt.hpp"
#include "tuner/result_json.hpp"
#include "tuner/errors.hpp"
#include "tuner/search_space.hpp"
#include "tuner/strategy.hpp"
#include "tuner/thread_pool.hpp"
#include "tuner/time_util.hpp"

namespace tkbench {

std::string default_results_path(const std::string& stem) {
  std::time_t t = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&t));
  return fmt::format("tkbench-results/{}-{}.json", stem, stamp);
}

std::string filter_key(const TemplateSpec& spec, const ConfigFilter& filter) {
  std::string fixed;  // in the manifest's parameter order, so VEC=1,ROWS=2 and ROWS=2,VEC=1 are one key
  for (const auto& param : spec.params)
    if (auto it = filter.find(param.name); it != filter.end())
      fixed += (fixed.empty() ? "" : ",") + param.name + "=" + std::to_string(it->second);
  return fixed;
}

TuningKey tuning_key(const DeviceInfo& device, const TemplateSpec& spec, const Problem& problem, const ConfigFilter& filter) {
  return {device.name, device.arch(), probe_devices().driver_version / 1000, probe_devices().runtime_version,
          spec.name, spec.source_hash, problem.shape_str(), std::string(dtype_info(problem.dtype).name),
          filter_key(spec, filter)};
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

void check_shardable(const std::string& strategy, std::size_t valid, const Shard& shard) {
  if (shard.whole() || shardable_strategy(strategy)) return;
  throw InputError(fmt::format(
      "--shard {} splits a fixed list of configs (exhaustive or random), and the search is {}{}, which picks each config "
      "from the results before it. Add --strategy random --budget N (or --strategy exhaustive), or give each job its "
      "own --shape instead of a shard",
      shard.str(), strategy, valid ? fmt::format(" ({} valid configs at this shape)", valid) : ""));
}

TuneTimes& TuneTimes::operator+=(const TuneTimes& o) {
  space += o.space, propose += o.propose, compile_wait += o.compile_wait, worker += o.worker, journal += o.journal;
  in_worker += o.in_worker;
  wanted += o.wanted, wanted_ahead += o.wanted_ahead, speculated += o.speculated;
  return *this;
}

unsigned tune_compile_threads(unsigned jobs) {
  const unsigned cores = ThreadPool::default_threads();
  return jobs ? jobs : cores;
}

std::string describe_tune_times(const TuneTimes& t, double wall) {
  const double other = wall - t.space - t.propose - t.compile_wait - t.worker - t.journal;
  const EvaluationCost& w = t.in_worker;
  return fmt::format(
      "{:.1f} s wall: space {:.1f} s, propose {:.1f} s, compile wait {:.1f} s, worker {:.1f} s (load {:.1f}, buffers {:.1f}, "
      "verify {:.1f}, timing {:.1f}, counters {:.1f}, pipe and start-up {:.1f}), journal {:.1f} s, other {:.1f} s "
      "(negative: the loop's work overlapped the GPU's); compiles: {} configs wanted, {} of them compiled ahead, "
      "{} compiled on speculation",
      wall, t.space, t.propose, t.compile_wait, t.worker, w.load_ms / 1e3, w.buffers_ms / 1e3, w.verify_ms / 1e3,
      w.timing_ms / 1e3, w.counters_ms / 1e3, t.worker - w.total_ms() / 1e3, t.journal, other, t.wanted, t.wanted_ahead,
      t.speculated);
}

namespace {

bool same_problem(const Result& r, const TemplateSpec& spec, const Problem& problem) {
  return r.template_name == spec.name && r.problem.dims == problem.dims && r.problem.dtype == problem.dtype;
}

// The configs proposed and not yet evaluated, compiled ahead, and one
// evaluation in flight per GPU: a GPU takes its next config as soon as it
// ends one, and the bookkeeping of the finished one (journal, strategy,
// progress) runs while the GPUs measure.
class ShapeSearch {
 public:
  ShapeSearch(const TuneStage& stage, const TemplateSpec& spec, const Problem& problem, const ConfigFilter& filter,
              const TuneSettings& settings, ShapeTuning& summary)
      : stage_(stage), spec_(spec), problem_(problem), settings_(settings), summary_(summary), space_(spec, problem),
        valid_(space_.enumerate(filter)), gpu_(static_cast<unsigned>(1 + stage.more_gpus.size())) {
    plan_ = plan_search(settings.strategy, settings.budget, valid_.size());
    default_config_ = space_.default_config();
    if (default_config_ && std::find(valid_.begin(), valid_.end(), *default_config_) == valid_.end()) default_config_.reset();
    if (stage.shard.whole()) {
      proposer_ = make_strategy(plan_.strategy, space_, filter, plan_.budget, settings.seed);
    } else {
      check_shardable(plan_.strategy, valid_.size(), stage.shard);
      // This shard's part of the sequence the unsharded search would evaluate.
      auto mine = configs_of_shard(unsharded_sequence(filter), stage.shard);
      plan_.budget = mine.size();
      proposer_ = make_list_strategy(std::move(mine));
      owns_default_ = stage.shard.owns(0);
    }
    lanes_.emplace_back(GpuLane{stage.device, stage.worker, stage.peaks});
    for (const auto& more : stage.more_gpus) lanes_.emplace_back(more);
    threads_ = tune_compile_threads(stage.jobs);
    // Each further GPU keeps one config running and one compiled behind it.
    const std::size_t extra = 2 * (lanes_.size() - 1);
    const std::size_t lookahead = proposer_->lookahead();
    depth_ = std::min(lookahead > SIZE_MAX - extra ? SIZE_MAX : lookahead + extra, std::max<std::size_t>(4, 2 * threads_) + extra);
    compiles_ = std::make_unique<CompileAhead>(threads_, 10, [this](const Config& c) {
      return compile_config(spec_, problem_, c, stage_.compiler, stage_.device.arch());
    });
  }

  const SearchPlan& plan() const { return plan_; }
  std::size_t valid_count() const { return valid_.size(); }

  void run() {
    Stopwatch watch;
    // A resumed run: what the journal holds for this shape counts against the budget.
    for (const auto& r : stage_.journal.results())
      if (same_problem(r, spec_, problem_) && seen_.insert(r.config.str()).second) {
        proposer_->already_evaluated(r);
        consider(r);
        ++proposed_;
      }
    // The hand-written default goes first: the speedup is measured against it.
    if (default_config_ && owns_default_) want(*default_config_);
    start_ = std::chrono::steady_clock::now();
    summary_.times.space += watch.lap_ms() / 1e3;

    while (!interrupted() && !stopped_) {
      propose();
      for (std::size_t lane = 0; lane < lanes_.size(); ++lane)
        if (!lanes_[lane].running && !lanes_[lane].retired && !stopped_) start_next(lane);
      if (busy() == 0) {
        if (stopped_) break;
        propose();  // compile failures may have emptied the queue
        if (queue_.empty()) break;  // nothing more proposed: the search is over
        continue;
      }
      const std::size_t lane = wait_for_any();
      Result done = finish_running(lane);
      // The GPU takes its next config before this one is written down.
      if (!interrupted() && !reaches_target(done) && !lanes_[lane].retired) start_next(lane);
      record(std::move(done), lanes_[lane].gpu.peaks);
    }
    // An interrupt (or the target reached) lets the configs in hand finish.
    while (busy() > 0) {
      const std::size_t lane = wait_for_any();
      record(finish_running(lane), lanes_[lane].gpu.peaks);
    }
    if (!interrupted() && done_ > 0) recheck_best_on_same_model();  // a resumed run with nothing left: nothing new to check
    const CompileAhead::Counts counts = compiles_->counts();
    summary_.times.wanted += counts.wanted;
    summary_.times.wanted_ahead += counts.wanted_ahead;
    summary_.times.speculated += counts.speculated;
  }

 private:
  struct Running {
    Result result;
    EvaluationCost cost;
    double seconds = 0;
    bool worker_lost = false;
    std::exception_ptr error;
    std::future<void> done;
  };
  struct Lane {
    explicit Lane(const GpuLane& g) : gpu(g) {}
    GpuLane gpu;
    std::unique_ptr<Running> running;
    int lost_in_a_row = 0;
    bool retired = false;
  };
  // A GPU whose worker ends without a word this many times in a row is gone
  // (fallen off the bus, reset): its configs in hand are lost, the run goes on.
  static constexpr int kLostWorkersToRetire = 3;

  bool several_gpus() const { return lanes_.size() > 1; }

  std::size_t busy() const {
    std::size_t n = 0;
    for (const auto& l : lanes_) n += l.running ? 1 : 0;
    return n;
  }

  // The whole fixed list the unsharded search evaluates, in its order.
  std::vector<Config> unsharded_sequence(const ConfigFilter& filter) const {
    auto full = make_strategy(plan_.strategy, space_, filter, plan_.budget, settings_.seed);
    std::vector<Config> sequence;
    std::set<std::string> in;
    if (default_config_) {
      sequence.push_back(*default_config_);
      in.insert(default_config_->str());
    }
    while (sequence.size() < plan_.budget) {
      auto batch = full->propose(plan_.budget);
      if (batch.empty()) break;
      for (const auto& c : batch)
        if (sequence.size() < plan_.budget && in.insert(c.str()).second) sequence.push_back(c);
    }
    return sequence;
  }

  void want(const Config& c) {
    if (proposed_ >= plan_.budget || !seen_.insert(c.str()).second) return;
    ++proposed_;
    queue_.push_back({c, compiles_->want(c)});
  }

  void propose() {
    Stopwatch watch;
    while (!proposer_done_ && queue_.size() + busy() < depth_ && proposed_ < plan_.budget) {
      auto batch = proposer_->propose(std::min(depth_ - queue_.size() - busy(), plan_.budget - proposed_));
      if (batch.empty()) proposer_done_ = true;
      for (const auto& c : batch) want(c);
    }
    // Idle cores compile what the strategy will likely ask for next: all
    // threads but two (kept for wanted compiles), fewer as the budget runs out.
    const std::size_t window = std::min<std::size_t>(threads_ > 2 ? threads_ - 2 : 1, plan_.budget - std::min(plan_.budget, proposed_));
    if (compiles_->speculating() < window) compiles_->speculate(proposer_->likely_next(2 * window), window);
    summary_.times.propose += watch.lap_ms() / 1e3;
  }

  // The queued config whose compile has finished first: the GPU need not wait
  // for the oldest proposal while a later one is ready (an adaptive search's
  // few proposals are all on its list; their order barely matters). The
  // first evaluation is the queue's front: the hand-written default.
  auto next_ready() {
    if (done_ == 0) return queue_.begin();
    for (auto it = queue_.begin(); it != queue_.end(); ++it)
      if (it->compiled.wait_for(std::chrono::seconds(0)) == std::future_status::ready) return it;
    return queue_.begin();
  }

  EvaluationRequest request_for(const Config& config) const {
    EvaluationRequest req = EvaluationRequest::for_config(spec_, problem_, config);
    req.cold_l2 = settings_.cold_l2;
    req.rule.max_seconds = settings_.max_time;
    req.throttle.threshold = settings_.throttle_threshold;
    req.seed = settings_.seed;
    if (settings_.counters) req.metrics = default_metrics(spec_.compute_pipe);
    return req;
  }

  // Sends `result`'s config to `lane`'s worker on a GPU thread; wait_for_any
  // names the lane once it is back.
  void launch(std::size_t lane, Result result) {
    Lane& l = lanes_[lane];
    l.running = std::make_unique<Running>();
    l.running->result = std::move(result);
    if (several_gpus()) l.running->result.gpu = l.gpu.device.uuid;
    Running* slot = l.running.get();
    const EvaluationRequest req = request_for(slot->result.config);
    l.running->done = gpu_.submit([this, lane, slot, req, &worker = l.gpu.worker] {
      Stopwatch gpu_watch;
      try {
        slot->worker_lost = evaluate_remotely(worker, req, slot->result, &slot->cost);
      } catch (...) {
        slot->error = std::current_exception();  // bad input (buffers too large): rethrown by finish_running
      }
      slot->seconds = gpu_watch.lap_ms() / 1e3;
      std::lock_guard<std::mutex> lock(finished_mutex_);
      finished_.push_back(lane);
      finished_cv_.notify_one();
    });
  }

  std::size_t wait_for_any() {
    std::unique_lock<std::mutex> lock(finished_mutex_);
    finished_cv_.wait(lock, [this] { return !finished_.empty(); });
    const std::size_t lane = finished_.front();
    finished_.pop_front();
    return lane;
  }

  // Takes a queued config once compiled (next_ready): a compile failure is
  // recorded at once, a compiled config goes to `lane`'s GPU. False when none
  // was started (the queue ran dry, or --time is up).
  bool start_next(std::size_t lane) {
    while (!queue_.empty()) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      if (settings_.time_limit > 0 && elapsed > settings_.time_limit) {
        stopped_ = true;
        return false;
      }
      Stopwatch watch;
      auto next = next_ready();
      Result r = next->compiled.get().result;
      queue_.erase(next);
      summary_.times.compile_wait += watch.lap_ms() / 1e3;
      if (r.status != Status::ok) {
        record(std::move(r), stage_.peaks);
        continue;
      }
      launch(lane, std::move(r));
      return true;
    }
    return false;
  }

  Result finish_running(std::size_t lane) {
    Lane& l = lanes_[lane];
    std::unique_ptr<Running> running = std::move(l.running);
    running->done.get();
    if (running->error) std::rethrow_exception(running->error);
    summary_.times.worker += running->seconds;
    summary_.times.in_worker += running->cost;
    l.lost_in_a_row = running->worker_lost ? l.lost_in_a_row + 1 : 0;
    if (l.lost_in_a_row >= kLostWorkersToRetire && live_lanes() > 1) {
      l.retired = true;
      diagnostics().warn(fmt::format("GPU {} ({}, {}) is gone: its worker ended without an answer {} times in a row ({}); "
                                     "the configs it had are recorded as faults and the other GPUs go on",
                                     l.gpu.device.index, l.gpu.device.name, l.gpu.device.uuid, kLostWorkersToRetire,
                                     running->result.reason));
    }
    return std::move(running->result);
  }

  std::size_t live_lanes() const {
    std::size_t n = 0;
    for (const auto& l : lanes_) n += l.retired ? 0 : 1;
    return n;
  }

  void record(Result r, const DevicePeaks& peaks) {
    Stopwatch watch;
    stage_.journal.append(r, figures_json(r, spec_, peaks));
    summary_.times.journal += watch.lap_ms() / 1e3;
    proposer_->observe(r);
    consider(r);
    ++done_;
    if (settings_.live) show_progress();
    if (reaches_target(r)) stopped_ = true;
  }

  // The GPU model a result was measured on: its lane's, else the first GPU's
  // (results without a GPU, or from a GPU this run does not have).
  const std::string& model_of(const Result& r) const {
    for (const auto& l : lanes_)
      if (!r.gpu.empty() && l.gpu.device.uuid == r.gpu) return l.gpu.device.name;
    return stage_.device.name;
  }

  // Several GPUs of the first one's model: the best config is measured once
  // more on each of the others, so a slow or throttled card shows.
  void recheck_best_on_same_model() {
    if (!several_gpus() || !summary_.best) return;
    const Result& best = *summary_.best;
    std::vector<std::size_t> others;
    for (std::size_t lane = 0; lane < lanes_.size(); ++lane) {
      const Lane& l = lanes_[lane];
      if (!l.retired && l.gpu.device.name == stage_.device.name && l.gpu.device.uuid != best.gpu) others.push_back(lane);
    }
    if (others.empty()) return;
    Result again = best;
    again.measurement.reset();
    for (std::size_t lane : others) launch(lane, again);
    std::map<std::string, std::string> models;
    for (const auto& l : lanes_) models[l.gpu.device.uuid] = l.gpu.device.name;
    std::vector<Result> compared = {best};
    while (busy() > 0) {
      const std::size_t lane = wait_for_any();
      Result r = finish_running(lane);
      stage_.journal.append(r, figures_json(r, spec_, lanes_[lane].gpu.peaks));
      summary_.rechecks.push_back(r);
      compared.push_back(std::move(r));
    }
    for (const auto& d : same_model_disagreements(compared, models)) summary_.disagreements.push_back(describe(d));
  }

  // --target-sol: this result or the best so far reaches the asked % of its roof.
  bool reaches_target(const Result& r) const {
    if (settings_.target_sol <= 0) return false;
    auto reaches = [&](const Result& x) {
      return x.status == Status::ok && x.measurement && x.measurement->timing &&
             roofline_figures(x, spec_, stage_.peaks).pct_of_bound >= settings_.target_sol;
    };
    return reaches(r) || (summary_.best && reaches(*summary_.best));
  }

  static bool faster(const Result& r, const std::optional<Result>& than) {
    return r.status == Status::ok && r.measurement && r.measurement->timing &&
           (!than || r.measurement->timing->median_us < than->measurement->timing->median_us);
  }

  void consider(const Result& r) {
    // A shape's best among GPUs of one model only: another model's times are not comparable.
    const std::string& model = model_of(r);
    if (model == stage_.device.name) {
      if (faster(r, summary_.best)) summary_.best = r;
    } else {
      auto it = summary_.best_elsewhere.find(model);
      if (faster(r, it == summary_.best_elsewhere.end() ? std::nullopt : std::optional<Result>(it->second)))
        summary_.best_elsewhere.insert_or_assign(model, r);
    }
    if (default_config_ && r.config == *default_config_ && r.status == Status::ok && model == stage_.device.name)
      summary_.baseline = r;
    if (r.status != Status::ok) ++summary_.failed;
    ++summary_.evaluated;
    if (r.status == Status::ok && r.measurement && r.measurement->timing) {
      const TimingStats& t = *r.measurement->timing;
      summary_.throttled += t.throttled;
      summary_.rested += t.throttle_dropped_samples > 0;
      summary_.dropped_samples += t.throttle_dropped_samples;
      summary_.rest_s += t.throttle_rest_s;
    }
  }

  void show_progress() const {
    const double total = static_cast<double>(std::min(plan_.budget, valid_.size()));
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = static_cast<double>(done_) / std::max(1e-9, elapsed);
    double eta = std::max(0.0, total - static_cast<double>(summary_.evaluated)) / rate;
    if (settings_.time_limit > 0) eta = std::min(eta, std::max(0.0, settings_.time_limit - elapsed));
    std::string best = summary_.best ? fmt::format("best {:.2f} µs ({:.1f}%)", summary_.best->measurement->timing->median_us,
                                                   roofline_figures(*summary_.best, spec_, stage_.peaks).pct_of_measured)
                                     : "no valid config yet";
    std::string gpus = several_gpus() ? fmt::format(" on {} GPUs", live_lanes()) : "";
    std::fprintf(stderr, "\r\033[K%s %s [%s%s]: %d/%.0f configs, %d failed, %s, %.0f configs/s, ETA %.0f s", spec_.name.c_str(),
                 problem_.shape_str().c_str(), plan_.strategy.c_str(), gpus.c_str(), summary_.evaluated, total,
                 summary_.failed, best.c_str(), rate, eta);
  }

  struct Pending {
    Config config;
    std::shared_future<CompiledConfig> compiled;
  };

  const TuneStage& stage_;
  const TemplateSpec& spec_;
  const Problem& problem_;
  const TuneSettings& settings_;
  ShapeTuning& summary_;
  SearchSpace space_;
  std::vector<Config> valid_;
  SearchPlan plan_;
  std::unique_ptr<Strategy> proposer_;
  std::optional<Config> default_config_;
  bool owns_default_ = true;
  unsigned threads_ = 1;
  std::size_t depth_ = 4;
  std::set<std::string> seen_;
  std::size_t proposed_ = 0;
  int done_ = 0;
  bool proposer_done_ = false, stopped_ = false;
  std::chrono::steady_clock::time_point start_;
  std::deque<Pending> queue_;
  std::vector<Lane> lanes_;
  std::mutex finished_mutex_;
  std::condition_variable finished_cv_;
  std::deque<std::size_t> finished_;        // lanes whose evaluation is back, in the order they came
  ThreadPool gpu_;                          // one thread per GPU, each talking to its worker
  std::unique_ptr<CompileAhead> compiles_;  // after gpu_: destroyed first
};

}  // namespace

namespace {

// The [baseline] library on this shape, once per results document (a resumed
// run keeps the one it has), timed by the same worker and rule as the configs.
// A config binds any tensor maps the reference reads: the best, else the
// default; with neither (nothing valid ran) there is nothing to compare with.
std::optional<Result> library_baseline(const TuneStage& stage, const TemplateSpec& spec, const Problem& problem,
                                       const TuneSettings& settings, const ShapeTuning& summary) {
  if (const Result* kept = stage.journal.set().baseline_for(spec.name, problem)) return *kept;
  std::optional<Config> config = summary.best ? std::optional<Config>(summary.best->config) : SearchSpace(spec, problem).default_config();
  if (!config) return std::nullopt;
  EvaluationRequest req = EvaluationRequest::for_config(spec, problem, *config);
  req.cold_l2 = settings.cold_l2;
  req.rule.max_seconds = settings.max_time;
  req.throttle.threshold = settings.throttle_threshold;
  req.seed = settings.seed;
  Result r = evaluate_library_baseline(stage.worker, spec, problem, req);
  stage.journal.append_baseline(r);
  return r;
}

}  // namespace

ShapeTuning tune_shape(const TuneStage& stage, const TemplateSpec& spec, const Problem& problem, const ConfigFilter& filter,
                       const TuneSettings& settings) {
  ShapeTuning summary;
  Stopwatch watch;
  ShapeSearch search(stage, spec, problem, filter, settings, summary);
  summary.times.space += watch.lap_ms() / 1e3;
  summary.strategy = search.plan().strategy;
  summary.budget = search.plan().budget;
  summary.valid = search.valid_count();
  if (settings.announce) {
    diagnostics().note(fmt::format("{} {} {}: {} search, {} of {} valid configs{}", spec.name, problem.shape_str(),
                                   dtype_info(problem.dtype).name, summary.strategy,
                                   std::min(summary.budget, summary.valid), summary.valid,
                                   stage.shard.whole() ? "" : fmt::format(" (shard {}: its part of the search)", stage.shard.str())));
    if (settings.budget > summary.valid)
      diagnostics().note(fmt::format("  --budget {} asks for more configs than the space holds at this shape: all {} are evaluated",
                                     settings.budget, summary.valid));
  }
  search.run();
  if (settings.live) std::fprintf(stderr, "\r\033[K");
  if (spec.baseline && !interrupted()) summary.library = library_baseline(stage, spec, problem, settings, summary);
  return summary;
}

}  // namespace tkbench
