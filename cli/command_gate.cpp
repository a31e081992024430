// `tkbench gate`: the CI verdict on performance. Two ways in:
//   --baseline B --current C    compare two results documents (no GPU)
//   --spec gate.toml            measure what the spec lists on the GPU (the
//                               tuning cache's config, or tune), write a
//                               results document, check its floors and, with
//                               --baseline, compare.
// Exit 0 pass, 1 a regression or a floor missed, 2 bad or incompatible input,
// 3 no GPU (--spec only).
#include <unistd.h>

#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/gpu_setup.hpp"
#include "cli/stdout_check.hpp"
#include "cli/tune_loop.hpp"
#include "profiler/device_peaks.hpp"
#include "profiler/remote_evaluation.hpp"
#include "reports/gate_compare.hpp"
#include "reports/gate_output.hpp"
#include "reports/library_comparison.hpp"
#include "reports/result_document.hpp"
#include "reports/roofline.hpp"
#include "tuner/compile_batch.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/gate_spec.hpp"
#include "tuner/interrupt.hpp"
#include "tuner/output_file.hpp"
#include "tuner/search_space.hpp"

namespace tkbench {
namespace {

struct GateArgs {
  std::string baseline, current, spec, output, junit, markdown, max_regression, min_sol, compare = "time";
  bool strict = false, best_only = false;
  double kernel_timeout = 10;
  std::string devices;
};

// The cached best, when it is a valid config of this space (it satisfies the entry's filter).
std::optional<Config> cached_config(const TunedEntry& hit, const TemplateSpec& spec, const std::vector<Config>& valid) {
  Config c;
  try {
    for (const auto& p : spec.params) c.values.emplace_back(p.name, hit.config.at(p.name).get<long long>());
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (std::find(valid.begin(), valid.end(), c) == valid.end()) return std::nullopt;
  return c;
}

// "92.2% of cuBLAS", or why the library has no time.
std::string against_library(const Result& library, double kernel_median_us) {
  const std::string name = library_display_name(library.baseline);
  if (auto pct = pct_of_library(library, kernel_median_us)) return fmt::format("{:.1f}% of {}", *pct, name);
  return fmt::format("{} {}: {}", name, status_name(library.status), library.reason);
}

// `gate --spec`: picks each entry's config per shape, measures it fresh (and
// the template's [baseline] library beside it), and writes the results
// document `output`. Returns the floors the spec sets on
// those results. A cached answer is from an older build: it picks the config,
// never the time.
std::vector<Floor> measure_spec(const GlobalOptions& global, const GateArgs& args, const TemplateRegistry& registry,
                                const GateSpec& gate, const std::string& output, const ResultDocument* baseline) {
  // --devices: tuning spreads over every GPU named; the gated measurement runs
  // on the first, so every time the gate judges comes from one card.
  const std::vector<const DeviceInfo*> gpus = select_devices(args.devices, global.device);
  const DeviceInfo& device = *gpus.front();
  // A baseline from another GPU is refused now, not after the measuring.
  if (baseline && args.compare == "time")
    if (auto mismatch = gpu_mismatch(baseline->path, baseline->peaks.device, "this run", device)) throw InputError(*mismatch);
  std::vector<std::unique_ptr<WorkerClient>> workers;
  std::vector<DevicePeaks> all_peaks;
  for (const DeviceInfo* gpu : gpus) workers.push_back(make_worker(global, args.kernel_timeout, gpu->index));
  all_peaks = devices_peaks(global, gpus, workers, registry);
  WorkerClient* worker = workers.front().get();
  const DevicePeaks& peaks = all_peaks.front();
  JournalRun tuning_run;
  if (gpus.size() > 1)
    for (const auto& p : all_peaks) tuning_run.devices.push_back(to_json(p));
  KernelCache kernel_cache(global.resolved_cache_dir());
  Compiler compiler(kernel_cache.enabled() ? &kernel_cache : nullptr);
  auto compile_servers = make_compile_servers(tune_compile_threads(global.jobs), 10);
  compiler.use_servers(compile_servers.get());
  TuningCache tuning(global.resolved_cache_dir());
  ResultsJournal journal(output, to_json(peaks), false);
  // What tuning evaluates goes to a document of its own, beside the gated one.
  const std::string tuning_output = std::filesystem::path(output).replace_extension(".tuning.json").string();
  std::unique_ptr<ResultsJournal> tuning_journal;
  const bool live = !global.quiet && !global.json && ::isatty(STDERR_FILENO);
  std::vector<Floor> floors;
  auto add_floor = [&](const GateSpecEntry& entry, const Problem& problem, const Config& config) {
    auto max_time_us = entry.max_time_for(problem.shape_str());
    if (entry.min_sol || max_time_us)
      floors.push_back({entry.spec->name, problem.shape_str(), std::string(dtype_info(problem.dtype).name), config.str(),
                        entry.min_sol, max_time_us, entry.where.str()});
  };

  for (const auto& entry : gate.entries) {
    const TemplateSpec& spec = *entry.spec;
    for (const auto& problem : entry.problems) {
      if (interrupted()) break;
      const std::string what = fmt::format("{} {} {}", spec.name, problem.shape_str(), dtype_info(problem.dtype).name);
      std::vector<Config> valid = SearchSpace(spec, problem).enumerate(entry.filter);
      std::optional<Config> config;
      std::string chosen_by;
      if (valid.size() == 1) {
        config = valid.front();
        chosen_by = "the only valid config";
      } else if (auto hit = tuning.load(tuning_key(device, spec, problem, entry.filter)); hit && (config = cached_config(*hit, spec, valid))) {
        chosen_by = "tuning cache";
      } else {
        if (!tuning_journal) tuning_journal = std::make_unique<ResultsJournal>(tuning_output, to_json(peaks), false, tuning_run);
        TuneStage stage{global.jobs, device, *worker, compiler, peaks, *tuning_journal};
        for (std::size_t i = 1; i < gpus.size(); ++i) stage.more_gpus.push_back({*gpus[i], *workers[i], all_peaks[i]});
        TuneSettings settings;
        settings.strategy = entry.strategy;
        settings.budget = entry.budget;
        settings.live = live;
        diagnostics().note(fmt::format("{}: not in the tuning cache{}; tuning", what,
                                       entry.config_text.empty() ? "" : " with " + entry.config_text));
        ShapeTuning tuned = tune_shape(stage, spec, problem, entry.filter, settings);
        if (interrupted()) break;
        // A filtered search is cached under its own key, never as the shape's best.
        if (tuned.best) remember_best(tuning, tuning_key(device, spec, problem, entry.filter), tuned, spec, peaks, tuning_output);
        for (const auto& sentence : tuned.disagreements) diagnostics().warn(sentence);
        if (tuned.best) config = tuned.best->config;
        chosen_by = fmt::format("tuned over {} configs", tuned.evaluated);
        if (!tuned.best) {
          Result none = Result::for_config(spec, problem, valid.front());
          none.status = Status::fault;
          none.reason = fmt::format("tuning found no working config: all {} evaluated failed (see {})", tuned.evaluated, tuning_output);
          journal.append(none, figures_json(none, spec, peaks));
          diagnostics().warn(fmt::format("{}: {}", what, none.reason));
          add_floor(entry, problem, none.config);
          continue;
        }
      }

      // Measured now, with this build, and with more samples than a tuning
      // pass takes: the significance test resamples them.
      CompileBatchOptions compile_options;
      compile_options.arch = device.arch();
      Result r = std::move(compile_configs(spec, problem, {*config}, compiler, compile_options).front().result);
      EvaluationRequest req = EvaluationRequest::for_config(spec, problem, *config);
      req.rule.max_seconds = gate.max_time;
      req.rule.min_samples = gate.min_samples;
      req.rule.max_samples = std::max(req.rule.max_samples, gate.min_samples);
      if (r.status == Status::ok) evaluate_remotely(*worker, req, r);
      journal.append(r, figures_json(r, spec, peaks));
      // The [baseline] library (cuBLAS) on the same buffers, by the same worker and rule: the gate shows "% of cuBLAS".
      const Result* library = journal.set().baseline_for(spec.name, problem);
      if (spec.baseline && !library && r.status == Status::ok && !interrupted()) {
        journal.append_baseline(evaluate_library_baseline(*worker, spec, problem, req));
        library = journal.set().baseline_for(spec.name, problem);
      }
      if (r.status == Status::ok)
        diagnostics().note(fmt::format("{} {}: {:.2f} µs over {} samples ({}){}", what, config->str(),
                                       r.measurement->timing->median_us, r.measurement->timing->samples, chosen_by,
                                       library ? "; " + against_library(*library, r.measurement->timing->median_us) : ""));
      else
        diagnostics().warn(fmt::format("{} {}: {}: {}", what, config->str(), status_name(r.status), r.reason));
      add_floor(entry, problem, *config);
    }
  }
  journal.finalise();
  if (tuning_journal) tuning_journal->finalise();
  return floors;
}

int run_gate(const GlobalOptions& global, const GateArgs& args) {
  const bool spec_mode = !args.spec.empty();
  if (!spec_mode && (args.baseline.empty() || args.current.empty()))
    throw InputError("gate compares --baseline B --current C, or measures --spec gate.toml (see `tkbench gate --help`)");
  if (spec_mode && !args.current.empty())
    throw InputError("--current and --spec do not go together: with --spec the current run is measured now (-o names its document)");
  if (!spec_mode && !args.output.empty()) throw InputError("-o names the document --spec measures; without --spec there is nothing to write");

  GateOptions options;
  options.compare = args.compare == "sol" ? CompareBy::sol : CompareBy::time;
  options.strict = args.strict;
  options.best_only = args.best_only;
  if (!args.max_regression.empty()) options.max_regression = parse_fraction(args.max_regression, "--max-regression");
  if (!args.min_sol.empty()) options.floors.push_back({"", "", "", "", parse_sol_floor(args.min_sol, "--min-sol"), std::nullopt, "--min-sol"});

  // Every input is read and checked before any GPU work: bad input is exit 2, at once.
  for (const auto* path : {&args.output, &args.junit, &args.markdown})
    if (!path->empty()) check_output_path(*path);
  std::optional<ResultDocument> baseline;
  if (!args.baseline.empty()) baseline = load_result_document(args.baseline);
  std::string current_path = args.current;
  if (spec_mode) {
    auto registry = global.load_templates();
    GateSpec gate = load_gate_spec(args.spec, registry);
    if (args.max_regression.empty() && gate.max_regression) options.max_regression = *gate.max_regression;
    current_path = !args.output.empty() ? args.output : default_results_path("gate");
    auto floors = measure_spec(global, args, registry, gate, current_path, baseline ? &*baseline : nullptr);
    if (interrupted()) {
      diagnostics().note(fmt::format("interrupted: what was measured is in {}; no verdict", current_path));
      return kExitInterrupted;
    }
    options.floors.insert(options.floors.end(), floors.begin(), floors.end());
  }
  const ResultDocument current = load_result_document(current_path);

  GateReport report = gate_documents(baseline ? &*baseline : nullptr, current, options);
  // The verdict is shown first: a report file that cannot be written (exit 3) does not hide it.
  if (global.json) std::printf("%s\n", gate_json(report).dump(2).c_str());
  else print_gate_report(stdout, report, global.color_stdout(), global.verbose);
  flush_stdout();
  if (!args.junit.empty()) write_output_file(args.junit, gate_junit_xml(report));
  if (!args.markdown.empty()) write_output_file(args.markdown, gate_markdown(report));
  return report.passed() ? kExitOk : kExitCheckFailed;
}

}  // namespace

CommandRunner add_gate_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<GateArgs>();
  auto* cmd = app.add_subcommand("gate", "CI verdict: fail on a real performance regression or a missed floor, never on noise");
  cmd->add_option("--baseline", args->baseline, "Results document to compare against (tune, gate --spec or bench --json)")->type_name("FILE");
  cmd->add_option("--current", args->current, "Results document of the build under test")->type_name("FILE");
  cmd->add_option("--spec", args->spec, "gate.toml: measure what it lists on the GPU now, then judge (docs/ci.md)")->type_name("FILE");
  cmd->add_option("-o,--output", args->output, "With --spec: the results document to write (default tkbench-results/gate-TIME.json)")->type_name("FILE");
  cmd->add_option("--max-regression", args->max_regression, "Slowdown allowed before failing: 5% (default) or 0.05")->type_name("PERCENT");
  cmd->add_option("--min-sol", args->min_sol,
                  "Floor: each shape's best current result must reach this fraction of its roof (calibrated copy bandwidth): 90%")->type_name("PERCENT");
  cmd->add_option("--compare", args->compare, "time (same GPU), or sol: % of each GPU's own roof, for different GPUs")
      ->check(CLI::IsMember({"time", "sol"}))->default_val("time");
  cmd->add_flag("--strict", args->strict, "Also fail on entries found on one side only, or not comparable");
  cmd->add_flag("--best-only", args->best_only, "Compare only each shape's best result, not every config (whole tuning runs)");
  cmd->add_option("--junit", args->junit, "Also write JUnit XML: one test case per gated entry, failures with the numbers")->type_name("FILE");
  cmd->add_option("--markdown", args->markdown, "Also write a Markdown summary for a PR comment")->type_name("FILE");
  cmd->add_option("--devices", args->devices, std::string(kDevicesHelp) + "; with --spec: tuning uses them all, the gated "
                  "measurement runs on the first")->type_name("LIST");
  cmd->add_option("--kernel-timeout", args->kernel_timeout, "With --spec: seconds without progress before a kernel counts as hung")
      ->default_val(10)->check(seconds_above_zero("--kernel-timeout"));
  cmd->footer(std::string(R"(
Results are matched by template, shape, dtype and config; each shape's best
(the tuned config) is compared too when the two sides chose different ones.
A slowdown fails only when it is over --max-regression with 95% confidence:
the lower bound of a bootstrap interval of current/baseline median time, from
both documents' samples. Over the threshold but inside the noise: "noisy", a
warning. Faster: "improved", never a failure. A result that was ok and now is
wrong, faults, hangs or does not compile: "broken", a failure. Results on one
side only are listed (--strict fails them). Different GPUs are refused unless
--compare sol. docs/ci.md has a GitHub Actions workflow and the statistics.

A template with a [baseline] library (gemm: cuBLAS) adds a "% of cuBLAS"
column: the library's median over the config's, from the library result each
document holds (tune and gate --spec time it on the same buffers, in the same
worker, with the same rule), as "baseline -> current"; above 100% the config
is faster. It informs; the verdict still comes from the times.

The terminal shows each shape's verdict and only the entries that need a look
(regressions, failures, noise, one side only); -v shows every entry. --junit,
--markdown and --json always hold every entry.

Exit codes: 0 pass, 1 regression or floor missed, 2 bad or incompatible input,
3 no GPU (--spec) or a report file that cannot be written, 130 interrupted.

)" + std::string(kOutputPathHelp) + R"(

Examples:
  tkbench gate --baseline main.json --current pr.json
  tkbench gate --baseline main.json --current pr.json --max-regression 3% --junit gate.xml --markdown gate.md
  tkbench gate --baseline h100.json --current h200.json --compare sol
  tkbench gate --baseline tune-old.json --current tune-new.json --best-only --min-sol 90%
  tkbench gate --spec gate.toml -o baseline.json                 # measure: a new baseline
  tkbench gate --spec gate.toml --baseline baseline.json -o pr.json --junit gate.xml   # the CI step)"));
  return [&global, args] { return run_gate(global, *args); };
}

}  // namespace tkbench
