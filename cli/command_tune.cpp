// `tkbench tune NAME --shape ...`: search a template's space on the GPU, keep
// every result in a results document, remember the best config per GPU,
// template source, shape and dtype.
//
// Pipeline: configs are compiled in compile servers ahead of the GPU; a
// worker per GPU (--devices) evaluates them as they come (the kernel cache
// serves its compiles).
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/gpu_setup.hpp"
#include "cli/tune_loop.hpp"
#include "profiler/device_peaks.hpp"
#include "profiler/throttle_guard.hpp"
#include "reports/library_comparison.hpp"
#include "reports/roofline.hpp"
#include "reports/verdict.hpp"
#include "reports/terminal.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/file_util.hpp"
#include "tuner/interrupt.hpp"
#include "tuner/output_file.hpp"
#include "tuner/result_json.hpp"
#include "tuner/results_journal.hpp"
#include "tuner/strategy.hpp"
#include "tuner/tuning_cache.hpp"

namespace tkbench {
namespace {
using clock_type = std::chrono::steady_clock;

struct TuneArgs {
  std::string name, shapes, dtype, config, strategy, output, resume, time = "0", l2 = "cold", devices, shard;
  std::size_t budget = 0;
  double target_sol = 0;
  double max_time = 0.5;
  double throttle_threshold = 100 * kDefaultThrottleThreshold;
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

struct ShapeSummary {
  Problem problem;
  std::optional<Result> best, baseline;
  std::optional<Result> library;  // the [baseline] library's result on this shape
  int evaluated = 0, failed = 0;
  int throttled = 0, rested = 0, dropped_samples = 0;  // see ShapeTuning
  double rest_s = 0;
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
  cmd->add_option("--strategy", args->strategy,
                  fmt::format("exhaustive (default for spaces of <= {} valid configs), random, model (the template's "
                              "[model] order, best predicted first), anneal, genetic or bayes (default above that; "
                              "these three start from the [model]'s best-ranked configs when there is one)",
                              kExhaustiveUpTo));
  cmd->add_option("--budget", args->budget,
                  fmt::format("Evaluate at most N configs per shape (default: all for exhaustive, else {}); a resumed run "
                              "counts what it already holds", kDefaultBudget))
      ->check(whole_number_at_least("--budget", 1));
  cmd->add_option("--time", args->time, "Stop each shape's search after this long: 90s, 5m, 1h");
  cmd->add_option("--target-sol", args->target_sol,
                  "Stop a shape once a config reaches P% of its roof: the calibrated copy bandwidth, or FP32 peak if compute-bound")
      ->check(percent_up_to_100("--target-sol"));
  cmd->add_option("-o,--output", args->output, "Results document (default tkbench-results/NAME-TIME.json)");
  cmd->add_option("--resume", args->resume, "Continue an interrupted run's document without re-evaluating what it holds");
  cmd->add_option("--devices", args->devices, kDevicesHelp);
  cmd->add_option("--shard", args->shard,
                  "Evaluate part i of N of an exhaustive or random search (i/N, from 0): disjoint parts that "
                  "`tkbench merge` joins into the unsharded run's results (docs/cluster.md)");
  cmd->add_flag("--force", args->force, "Tune again even where the tuning cache has an answer");
  cmd->add_flag("--counters", args->counters, "Attach the default CUPTI counters to each result: DRAM bytes, DRAM %, occupancy; a tensor-pipe "
                "template (gemm) adds tensor-pipe activity and L2 hit rate, which `tkbench report` explains");
  cmd->add_option("--max-time", args->max_time, "Seconds of timing per config at most")->default_val(0.5)->check(seconds_above_zero("--max-time"));
  add_throttle_threshold_option(cmd, args->throttle_threshold);
  cmd->add_option("--kernel-timeout", args->kernel_timeout, "Seconds without progress before a kernel counts as hung")
      ->default_val(10)->check(seconds_above_zero("--kernel-timeout"));
  cmd->add_option("--l2", args->l2, "cold or hot (see `tkbench bench --help`)")->check(CLI::IsMember({"cold", "hot"}))->default_val("cold");
  cmd->add_option("--seed", args->seed, "Seed for random search and inputs")->default_val(1)->check(unsigned_whole_number("--seed"));
  cmd->footer(std::string(R"(
Every evaluated config (verified first; wrong, faulting, hanging and
uncompilable ones recorded with their reason and never chosen) is appended to
FILE.journal and fsynced; at the end FILE is written in one piece. Ctrl-C
finishes the config in hand, writes FILE and exits 130; --resume FILE goes on
from there. The best config per GPU, template source, shape and dtype is kept
in the tuning cache: tuning a known key answers at once (--force re-tunes).

)" + std::string(kOutputPathHelp) + R"(

Examples:
  tkbench tune rmsnorm --shape 4096x8192
  tkbench tune rmsnorm --shape 1x8192,4096x8192,16384x8192 -o rmsnorm.json
  tkbench tune rmsnorm --shape 16384x8192 --strategy random --budget 20 --target-sol 95
  tkbench tune rmsnorm --shape 4096x8192,16384x8192 --devices all
  tkbench tune rmsnorm_basic --shape 4096x8192 --strategy exhaustive --shard 0/2 -o part0.json
  tkbench merge part0.json part1.json -o all.json

--devices runs one worker per GPU, all fed by one compile pipeline; each GPU
keeps its own calibration, each result records its GPU, a shape's best is
chosen among GPUs of the first one's model, and that best is measured again on
the model's other GPUs: a card that disagrees beyond the noise is named.
--shard i/N splits the configs an exhaustive or random search evaluates
(positions i, i+N, ... of its list) so N jobs cover it exactly once; model-based
searches (anneal, genetic, bayes) are refused: split them by --shape instead.
A sharded run leaves the tuning cache alone: `tkbench merge` fills it.)"));

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
    const Shard shard = args->shard.empty() ? Shard{} : parse_shard(args->shard);
    if (!args->strategy.empty()) check_shardable(args->strategy, 0, shard);
    // Everything the user gave is checked before the GPU is looked for.
    if (!args->resume.empty()) ResultsJournal::check_resumable(args->resume);
    if (!args->output.empty()) check_output_path(args->output);
    const std::vector<const DeviceInfo*> gpus = select_devices(args->devices, global.device);
    const DeviceInfo& device = *gpus.front();
    // One worker and one set of peaks (its own calibration) per GPU.
    std::vector<std::unique_ptr<WorkerClient>> workers;
    std::vector<DevicePeaks> all_peaks;
    for (const DeviceInfo* gpu : gpus) workers.push_back(make_worker(global, args->kernel_timeout, gpu->index));
    all_peaks = devices_peaks(global, gpus, workers, registry);
    WorkerClient* worker = workers.front().get();
    if (gpus.size() > 1 && !global.quiet && !global.json) {
      std::string list;
      for (const DeviceInfo* gpu : gpus) list += fmt::format("{}{} {} ({})", list.empty() ? "" : ", ", gpu->index, gpu->name, gpu->uuid);
      diagnostics().note(fmt::format("tuning on {} GPUs: {}", gpus.size(), list));
    }
    const DevicePeaks& peaks = all_peaks.front();
    KernelCache kernel_cache(global.resolved_cache_dir());
    Compiler compiler(kernel_cache.enabled() ? &kernel_cache : nullptr);
    // Compiles run at a lower priority than the worker timing kernels.
    auto compile_servers = make_compile_servers(tune_compile_threads(global.jobs), 10);
    compiler.use_servers(compile_servers.get());
    TuningCache tuning(global.resolved_cache_dir());
    const std::string output = !args->resume.empty() ? args->resume : !args->output.empty() ? args->output : default_results_path(spec.name);
    JournalRun run;
    if (gpus.size() > 1)
      for (const auto& p : all_peaks) run.devices.push_back(to_json(p));
    if (!shard.whole()) run.shard = shard.str();
    run.config_filter = filter_key(spec, filter);
    ResultsJournal journal(output, to_json(peaks), !args->resume.empty(), run);
    const bool live = !global.quiet && !global.json && ::isatty(STDERR_FILENO);
    const auto run_start = clock_type::now();
    TuneTimes times;
    std::vector<ShapeSummary> summaries;
    TuneStage stage{global.jobs, device, *worker, compiler, peaks, journal};
    for (std::size_t i = 1; i < gpus.size(); ++i) stage.more_gpus.push_back({*gpus[i], *workers[i], all_peaks[i]});
    stage.shard = shard;

    for (const auto& dims : shapes) {
      if (interrupted()) break;
      ShapeSummary summary;
      summary.problem = make_problem(spec, dims, dtype);
      const Problem& problem = summary.problem;
      const TuningKey key = tuning_key(device, spec, problem, filter);
      // A shard's best is its part's only: the cache waits for `tkbench merge`.
      if (!args->force && args->resume.empty() && shard.whole()) {
        if (auto hit = tuning.load(key)) {
          summary.from_cache = true;
          summary.cached = hit;
          summaries.push_back(std::move(summary));
          continue;
        }
      }
      TuneSettings settings;
      settings.strategy = args->strategy;
      settings.budget = args->budget;
      settings.time_limit = time_limit;
      settings.target_sol = args->target_sol;
      settings.max_time = args->max_time;
      settings.throttle_threshold = args->throttle_threshold / 100;
      settings.cold_l2 = args->l2 == "cold";
      settings.seed = args->seed;
      settings.counters = args->counters;
      settings.live = live;
      settings.announce = !global.quiet && !global.json;
      ShapeTuning tuned = tune_shape(stage, spec, problem, filter, settings);
      times += tuned.times;
      if (tuned.best && !interrupted() && shard.whole()) remember_best(tuning, key, tuned, spec, peaks, output);
      // Other GPU models of a --devices run: each its own best, under its own key.
      for (const auto& [model, best] : tuned.best_elsewhere) {
        for (std::size_t i = 0; i < gpus.size(); ++i) {
          if (gpus[i]->name != model) continue;
          ShapeTuning other;
          other.best = best;
          other.evaluated = tuned.evaluated;
          if (!interrupted() && shard.whole())
            remember_best(tuning, tuning_key(*gpus[i], spec, problem, filter), other, spec, all_peaks[i], output);
          if (!global.json)
            std::fprintf(stderr, "%s %s on %s: best %s at %.2f µs (chosen among that model's GPUs only)\n", spec.name.c_str(),
                         problem.shape_str().c_str(), model.c_str(), best.config.str().c_str(),
                         best.measurement->timing->median_us);
          break;
        }
      }
      for (const auto& sentence : tuned.disagreements) diagnostics().warn(sentence);
      summary.best = tuned.best;
      summary.baseline = tuned.baseline;
      summary.library = tuned.library;
      summary.evaluated = tuned.evaluated;
      summary.failed = tuned.failed;
      summary.throttled = tuned.throttled;
      summary.rested = tuned.rested;
      summary.dropped_samples = tuned.dropped_samples;
      summary.rest_s = tuned.rest_s;
      if (!global.json && (global.quiet || !live))
        std::fprintf(stderr, "%s %s: %d configs, %d failed\n", spec.name.c_str(), problem.shape_str().c_str(),
                     summary.evaluated, summary.failed);
      summaries.push_back(std::move(summary));
    }
    journal.finalise();

    if (global.json) {
      std::printf("%s\n", read_file(output).value_or("").c_str());
    } else {
      std::vector<std::string> headers = {"shape", "best config", "time", "GB/s", "% of copy", "speedup vs default", "configs", "failed"};
      // "% of cuBLAS": the library's time over the best config's, both timed in this run (above 100%: faster).
      const bool library_column = spec.baseline.has_value();
      if (library_column) headers.insert(headers.begin() + 5, "% of " + spec.baseline->display_name());
      // Against a copy of each shape's own bytes, and the verdict on it, when this GPU has a size curve.
      const bool size_columns = peaks.size_curve() != nullptr;
      if (size_columns) {
        headers.insert(headers.begin() + 5, "% of size roof");
        headers.push_back("verdict");
      }
      auto add_size_cells = [&](std::vector<Cell>& row, const std::string& pct, const std::string& verdict) {
        if (!size_columns) return;
        row.insert(row.begin() + 5, Cell(pct));
        row.emplace_back(verdict);
      };
      Table table(headers);
      for (const auto& s : summaries) {
        if (s.from_cache) {
          std::string cfg;
          for (const auto& [k, v] : s.cached->config.items()) cfg += fmt::format("{}{}={}", cfg.empty() ? "" : ",", k, v.dump());
          std::vector<Cell> row = {s.problem.shape_str(), cfg, fmt::format("{:.2f} µs", s.cached->median_us),
                                   fmt::format("{:.0f}", s.cached->bandwidth / 1e9), fmt::format("{:.1f}%", s.cached->pct_of_measured),
                                   "cached", std::to_string(s.cached->configs_evaluated), "-"};
          if (library_column) row.insert(row.begin() + 5, Cell("-"));
          add_size_cells(row, "-", "-");
          table.add_row(row);
          continue;
        }
        if (!s.best) {
          std::vector<Cell> row = {s.problem.shape_str(), Cell("no valid config", Style::red), "-", "-", "-", "-",
                                   std::to_string(s.evaluated), std::to_string(s.failed)};
          if (library_column) row.insert(row.begin() + 5, Cell("-"));
          add_size_cells(row, "-", "no valid config");
          table.add_row(row);
          continue;
        }
        RooflineFigures f = roofline_figures(*s.best, spec, peaks);
        double best_us = s.best->measurement->timing->median_us;
        std::string speedup = s.baseline ? fmt::format("{:.2f}x", s.baseline->measurement->timing->median_us / best_us) : "-";
        std::vector<Cell> row = {s.problem.shape_str(), s.best->config.str(), fmt::format("{:.2f} µs", best_us),
                                 fmt::format("{:.0f}", f.bandwidth / 1e9), fmt::format("{:.1f}%", f.pct_of_measured), speedup,
                                 std::to_string(s.evaluated), std::to_string(s.failed)};
        if (library_column) row.insert(row.begin() + 5, Cell(library_figure(s.library ? &*s.library : nullptr, best_us)));
        add_size_cells(row, f.has_size_roof() ? fmt::format("{:.1f}%", f.pct_of_size_roof) : "-", verdict_of(f));
        table.add_row(row);
      }
      table.print(stdout, global.color_stdout());
      for (const auto& s : summaries) {
        if (s.best && s.library) {  // a "% of cuBLAS" against a noisy or differently clocked library time is flagged
          const std::string library = spec.baseline->display_name();
          if (std::string noise = library_noise(*s.library, library); !noise.empty())
            diagnostics().warn(fmt::format("{}: {}, so its % of {} is not to be trusted; time both again with "
                                           "`tkbench bench {} --shape {} --dtype {} --config {}`",
                                           s.problem.shape_str(), noise, library, spec.name, s.problem.shape_str(),
                                           dtype_info(s.problem.dtype).name, s.best->config.str()));
          if (std::string clocks = library_clock_mismatch(*s.library, *s.best, library); !clocks.empty())
            diagnostics().warn(fmt::format("{}: {}, so its % of {} is not to be trusted", s.problem.shape_str(), clocks, library));
        }
        if (s.rested > 0)
          diagnostics().note(fmt::format("{}: {} of {} timings dropped samples taken under a throttled SM clock ({} samples; "
                                         "the GPU rested {:.1f} s in all)", s.problem.shape_str(), s.rested, s.evaluated,
                                         s.dropped_samples, s.rest_s));
        if (s.throttled > 0) {
          const bool guarded = args->throttle_threshold > 0;  // off (0): nothing dropped, nothing rested
          diagnostics().warn(fmt::format("{}: {} of {} timings ran throttled {} (SM clock under {:g}% of its max): their "
                                         "times are slower than the config's; results documents flag them (\"throttled\"). "
                                         "{}, or check `nvidia-smi -q -d PERFORMANCE`",
                                         s.problem.shape_str(), s.throttled, s.evaluated,
                                         guarded ? "even after resting" : "(--throttle-threshold 0: kept, never rested)",
                                         100 * judged_threshold(args->throttle_threshold / 100),
                                         guarded ? "Let the GPU cool" : "Leave --throttle-threshold at its default"));
        }
      }
      double wall = std::chrono::duration<double>(clock_type::now() - run_start).count();
      if (gpus.size() == 1)
        std::printf("GPU busy %.1f s of %.1f s wall (%.0f%%); results in %s\n", times.worker, wall,
                    wall > 0 ? 100 * times.worker / wall : 0.0, output.c_str());
      else
        std::printf("%zu GPUs busy %.1f s of %.1f s wall each (%.0f%% on average); results in %s\n", gpus.size(),
                    times.worker / static_cast<double>(gpus.size()), wall,
                    wall > 0 ? 100 * times.worker / (wall * static_cast<double>(gpus.size())) : 0.0, output.c_str());
      if (global.verbose) std::printf("time: %s\n", describe_tune_times(times, wall).c_str());
    }
    return interrupted() ? kExitInterrupted : kExitOk;
  };
}

}  // namespace tkbench
