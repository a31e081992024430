// `tkbench tune NAME --shape ...`: search a template's space on the GPU, keep
// every result in a results document, remember the best config per GPU,
// template source, shape and dtype.
//
// Pipeline: configs are compiled on a CPU thread pool ahead of the GPU; the
// worker evaluates them in order (the kernel cache serves its compiles).
#include <unistd.h>

#include <chrono>
#include <deque>
#include <set>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/gpu_setup.hpp"
#include "profiler/cupti_host.hpp"
#include "profiler/remote_evaluation.hpp"
#include "reports/bench_report.hpp"
#include "reports/result_json.hpp"
#include "reports/roofline.hpp"
#include "reports/terminal.hpp"
#include "tuner/compile_batch.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/file_util.hpp"
#include "tuner/interrupt.hpp"
#include "tuner/results_journal.hpp"
#include "tuner/strategy.hpp"
#include "tuner/thread_pool.hpp"
#include "tuner/time_util.hpp"
#include "tuner/tuning_cache.hpp"

namespace tkbench {
namespace {
using clock_type = std::chrono::steady_clock;

struct TuneArgs {
  std::string name, shapes, dtype, config, strategy, output, resume, time = "0", l2 = "cold";
  std::size_t budget = 0;
  double target_sol = 0;
  double max_time = 0.5;
  double kernel_timeout = 10;
  std::uint64_t seed = 1;
  bool force = false;
  bool counters = false;
};

// "90", "90s", "2m", "1h" -> seconds. 0: no limit.
double parse_duration(const std::string& text) {
  if (text.empty()) return 0;
  double scale = 1;
  std::string number = text;
  switch (text.back()) {
    case 's': number.pop_back(); break;
    case 'm': scale = 60; number.pop_back(); break;
    case 'h': scale = 3600; number.pop_back(); break;
    default: break;
  }
  try {
    std::size_t used = 0;
    double v = std::stod(number, &used);
    if (used == number.size() && v >= 0) return v * scale;
  } catch (const std::exception&) {
  }
  throw InputError(fmt::format("--time '{}' is not a duration such as 90s, 5m or 1h", text));
}

std::string default_output(const std::string& template_name) {
  std::time_t t = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&t));
  return fmt::format("tkbench-results/{}-{}.json", template_name, stamp);
}

struct ShapeSummary {
  Problem problem;
  std::optional<Result> best, baseline;
  int evaluated = 0, failed = 0;
  bool from_cache = false;
  std::optional<TunedEntry> cached;
};

}  // namespace

CommandRunner add_tune_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<TuneArgs>();
  auto* cmd = app.add_subcommand("tune", "Search a template's config space on the GPU; keep every result; remember the best");
  cmd->add_option("name", args->name, "Template name (see `tkbench list`)")->required();
  cmd->add_option("--shape", args->shapes, "Problem shape(s): 4096x8192, or several as 1x8192,4096x8192")->required();
  cmd->add_option("--dtype", args->dtype, "Element type (default: the template's first dtype)");
  cmd->add_option("--config", args->config, "Fix some parameters: the search covers the rest");
  cmd->add_option("--strategy", args->strategy, "exhaustive (default for spaces of <= 256 configs), random, anneal, genetic or bayes");
  cmd->add_option("--budget", args->budget, "Evaluate at most N configs per shape (default: all for exhaustive, else 64)");
  cmd->add_option("--time", args->time, "Stop each shape's search after this long: 90s, 5m, 1h");
  cmd->add_option("--target-sol", args->target_sol,
                  "Stop a shape once a config reaches P% of its roof: the calibrated copy bandwidth, or FP32 peak if compute-bound");
  cmd->add_option("-o,--output", args->output, "Results document (default tkbench-results/NAME-TIME.json)");
  cmd->add_option("--resume", args->resume, "Continue an interrupted run's document without re-evaluating what it holds");
  cmd->add_flag("--force", args->force, "Tune again even where the tuning cache has an answer");
  cmd->add_flag("--counters", args->counters, "Attach the default CUPTI counters (DRAM bytes, DRAM %, occupancy) to each result");
  cmd->add_option("--max-time", args->max_time, "Seconds of timing per config at most")->default_val(0.5)->check(CLI::PositiveNumber);
  cmd->add_option("--kernel-timeout", args->kernel_timeout, "Seconds without progress before a kernel counts as hung")
      ->default_val(10)->check(CLI::PositiveNumber);
  cmd->add_option("--l2", args->l2, "cold or hot (see `tkbench bench --help`)")->check(CLI::IsMember({"cold", "hot"}))->default_val("cold");
  cmd->add_option("--seed", args->seed, "Seed for random search and inputs")->default_val(1);
  cmd->footer(R"(
Every evaluated config (verified first; wrong, faulting, hanging and
uncompilable ones recorded with their reason and never chosen) is appended to
FILE.journal and fsynced; at the end FILE is written in one piece. Ctrl-C
finishes the config in hand, writes FILE and exits 130; --resume FILE goes on
from there. The best config per GPU, template source, shape and dtype is kept
in the tuning cache: tuning a known key answers at once (--force re-tunes).

Examples:
  tkbench tune rmsnorm --shape 4096x8192
  tkbench tune rmsnorm --shape 1x8192,4096x8192,16384x8192 -o rmsnorm.json
  tkbench tune rmsnorm --shape 16384x8192 --strategy random --budget 20 --target-sol 95)");

  return [&global, args]() -> int {
    auto registry = global.load_templates();
    const TemplateSpec& spec = registry.get(args->name);
    auto shapes = parse_shape_list(args->shapes, spec);
    DType dtype = parse_problem_dtype(args->dtype, spec);
    ConfigFilter filter = parse_config_filter(args->config, spec);
    const double time_limit = parse_duration(args->time);
    if (!args->strategy.empty()) {
      auto names = strategy_names();
      if (std::find(names.begin(), names.end(), args->strategy) == names.end()) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        throw InputError(fmt::format("--strategy '{}' is not one tkbench has; available: {}", args->strategy, list));
      }
    }
    const DeviceInfo& device = require_device(global.device);
    auto worker = make_worker(global, args->kernel_timeout);
    DevicePeaks peaks = device_peaks(global, device, worker.get(), &registry, true);
    KernelCache kernel_cache(global.resolved_cache_dir());
    Compiler compiler(kernel_cache.enabled() ? &kernel_cache : nullptr);
    TuningCache tuning(global.resolved_cache_dir());
    const std::string output = !args->resume.empty() ? args->resume : !args->output.empty() ? args->output : default_output(spec.name);
    ResultsJournal journal(output, to_json(peaks), !args->resume.empty());
    const bool live = !global.quiet && !global.json && ::isatty(STDERR_FILENO);
    const auto run_start = clock_type::now();
    double gpu_seconds = 0;
    std::vector<ShapeSummary> summaries;

    for (const auto& dims : shapes) {
      if (interrupted()) break;
      ShapeSummary summary;
      summary.problem = make_problem(spec, dims, dtype);
      const Problem& problem = summary.problem;
      TuningKey key{device.name, device.arch(), probe_devices().driver_version / 1000, probe_devices().runtime_version,
                    spec.name, spec.source_hash, problem.shape_str(), std::string(dtype_info(dtype).name)};
      if (!args->force && args->resume.empty()) {
        if (auto hit = tuning.load(key)) {
          summary.from_cache = true;
          summary.cached = hit;
          summaries.push_back(std::move(summary));
          continue;
        }
      }
      SearchSpace space(spec, problem);
      std::vector<Config> valid = space.enumerate(filter);
      std::string strategy = !args->strategy.empty() ? args->strategy : valid.size() <= 256 ? "exhaustive" : "random";
      std::size_t budget = args->budget ? args->budget : strategy == "exhaustive" ? valid.size() : std::min<std::size_t>(64, valid.size());
      auto proposer = make_strategy(strategy, space, filter, budget, args->seed);
      std::optional<Config> default_config = space.default_config();
      if (default_config && std::find(valid.begin(), valid.end(), *default_config) == valid.end()) default_config.reset();

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
        for (const auto& r : journal.results())
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
        inflight.emplace_back(c, pool.submit([&, c] { return compile_config(spec, problem, c, compiler, device.arch()); }));
      };
      if (default_config) enqueue(*default_config);
      const auto shape_start = clock_type::now();
      std::size_t done = 0;
      while (!interrupted()) {
        while (!proposer_done && inflight.size() < depth && proposed < budget) {
          auto batch = proposer->propose(std::min(depth - inflight.size(), budget - proposed));
          if (batch.empty()) proposer_done = true;
          for (const auto& c : batch) enqueue(c);
        }
        if (inflight.empty()) break;
        double elapsed = std::chrono::duration<double>(clock_type::now() - shape_start).count();
        if (time_limit > 0 && elapsed > time_limit) break;
        Result r = inflight.front().second.get().result;
        inflight.pop_front();
        if (r.status == Status::ok) {
          EvaluationRequest req = EvaluationRequest::for_config(spec, problem, r.config);
          req.cold_l2 = args->l2 == "cold";
          req.rule.max_seconds = args->max_time;
          req.seed = args->seed;
          if (args->counters) req.metrics = default_metrics();
          auto gpu_start = clock_type::now();
          evaluate_remotely(*worker, req, r);
          gpu_seconds += std::chrono::duration<double>(clock_type::now() - gpu_start).count();
        }
        journal.append(r, figures_json(r, spec, peaks));
        proposer->observe(r);
        consider(r);
        ++done;
        if (live) {
          double total = static_cast<double>(std::min(budget, valid.size()));
          double rate = static_cast<double>(done) / std::max(1e-9, std::chrono::duration<double>(clock_type::now() - shape_start).count());
          double eta = std::max(0.0, total - static_cast<double>(summary.evaluated)) / rate;
          std::string best = summary.best ? fmt::format("best {:.2f} µs ({:.1f}%)", summary.best->measurement->timing->median_us,
                                                        roofline_figures(*summary.best, spec, peaks).pct_of_measured)
                                          : "no valid config yet";
          std::fprintf(stderr, "\r\033[K%s %s [%s]: %d/%.0f configs, %d failed, %s, ETA %.0f s", spec.name.c_str(),
                       problem.shape_str().c_str(), strategy.c_str(), summary.evaluated, total, summary.failed, best.c_str(), eta);
        }
        if (args->target_sol > 0 && summary.best &&
            roofline_figures(*summary.best, spec, peaks).pct_of_bound >= args->target_sol)
          break;
      }
      pool.cancel_pending();
      if (live) std::fprintf(stderr, "\r\033[K");
      if (summary.best) {
        RooflineFigures f = roofline_figures(*summary.best, spec, peaks);
        TunedEntry entry{key, to_json(summary.best->config), summary.best->measurement->timing->median_us, f.bandwidth,
                         f.pct_of_measured, summary.evaluated, std::filesystem::absolute(output).string(), ""};
        entry.tuned_at = utc_timestamp();
        if (!interrupted())
          if (auto error = tuning.store(entry)) diagnostics().warn("tuning cache not written: " + *error);
      }
      if (!global.json && (global.quiet || !live))
        std::fprintf(stderr, "%s %s: %d configs, %d failed\n", spec.name.c_str(), problem.shape_str().c_str(),
                     summary.evaluated, summary.failed);
      summaries.push_back(std::move(summary));
    }
    journal.finalise();

    if (global.json) {
      std::printf("%s\n", read_file(output).value_or("").c_str());
    } else {
      Table table({"shape", "best config", "time", "GB/s", "% of copy", "speedup vs default", "configs", "failed"});
      for (const auto& s : summaries) {
        if (s.from_cache) {
          std::string cfg;
          for (const auto& [k, v] : s.cached->config.items()) cfg += fmt::format("{}{}={}", cfg.empty() ? "" : ",", k, v.dump());
          table.add_row({s.problem.shape_str(), cfg, fmt::format("{:.2f} µs", s.cached->median_us),
                         fmt::format("{:.0f}", s.cached->bandwidth / 1e9), fmt::format("{:.1f}%", s.cached->pct_of_measured),
                         "cached", std::to_string(s.cached->configs_evaluated), "-"});
          continue;
        }
        if (!s.best) {
          table.add_row({s.problem.shape_str(), Cell("no valid config", Style::red), "-", "-", "-", "-",
                         std::to_string(s.evaluated), std::to_string(s.failed)});
          continue;
        }
        RooflineFigures f = roofline_figures(*s.best, spec, peaks);
        double best_us = s.best->measurement->timing->median_us;
        std::string speedup = s.baseline ? fmt::format("{:.2f}x", s.baseline->measurement->timing->median_us / best_us) : "-";
        table.add_row({s.problem.shape_str(), s.best->config.str(), fmt::format("{:.2f} µs", best_us),
                       fmt::format("{:.0f}", f.bandwidth / 1e9), fmt::format("{:.1f}%", f.pct_of_measured), speedup,
                       std::to_string(s.evaluated), std::to_string(s.failed)});
      }
      table.print(stdout, global.color_stdout());
      double wall = std::chrono::duration<double>(clock_type::now() - run_start).count();
      std::printf("GPU busy %.1f s of %.1f s wall (%.0f%%); results in %s\n", gpu_seconds, wall,
                  wall > 0 ? 100 * gpu_seconds / wall : 0.0, output.c_str());
    }
    return interrupted() ? kExitInterrupted : kExitOk;
  };
}

}  // namespace tkbench
