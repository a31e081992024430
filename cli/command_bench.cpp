// `tkbench bench NAME --shape ... --config ...`: verify and time one config
// per shape on the GPU, in the worker process.
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/gpu_setup.hpp"
#include "profiler/remote_evaluation.hpp"
#include "reports/bench_report.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/interrupt.hpp"
#include "tuner/search_space.hpp"

namespace tkbench {
namespace {

struct BenchArgs {
  std::string name, shapes, dtype, config, l2 = "cold";
  double max_time = 1.0;
  double kernel_timeout = 10;
  std::uint64_t seed = 1;
};

// The config to run: every parameter --config fixes, the manifest's default
// for the rest (or the first valid value when the default breaks a constraint).
Config pick_config(const SearchSpace& space, const ConfigFilter& filter) {
  auto candidates = space.enumerate(filter);  // throws with the reason when none is valid
  if (auto d = space.default_config()) {
    Config merged = *d;
    for (auto& [name, value] : merged.values)
      if (auto it = filter.find(name); it != filter.end()) value = it->second;
    if (std::find(candidates.begin(), candidates.end(), merged) != candidates.end()) return merged;
  }
  return candidates.front();
}

}  // namespace

CommandRunner add_bench_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand("bench", "Verify and time one config on the GPU: correctness, time, GB/s, % of peak");
  cmd->add_option("name", args->name, "Template name (see `tkbench list`)")->required();
  cmd->add_option("--shape", args->shapes, "Problem shape(s): 16384x8192, or several as 1x8192,16384x8192")->required();
  cmd->add_option("--dtype", args->dtype, "Element type (default: the template's first dtype)");
  cmd->add_option("--config", args->config, "Parameters, e.g. VEC=8,THREADS=256; unset ones take the manifest's [default]");
  cmd->add_option("--l2", args->l2, "cold: flush L2 (or rotate inputs) before each launch; hot: back-to-back")
      ->check(CLI::IsMember({"cold", "hot"}))->default_val("cold");
  cmd->add_option("--max-time", args->max_time, "Seconds of sampling per config at most (stops earlier once the median is within 0.5%)")
      ->default_val(1.0)->check(CLI::PositiveNumber);
  cmd->add_option("--kernel-timeout", args->kernel_timeout, "Seconds without progress before a kernel counts as hung")
      ->default_val(10)->check(CLI::PositiveNumber);
  cmd->add_option("--seed", args->seed, "Seed of the random inputs")->default_val(1);
  cmd->footer(R"(
Each config is first checked against the template's reference kernel on random
inputs (outputs poisoned with NaN first); a wrong config is reported and never
timed. Timing uses CUDA events until the median's relative standard error is
below 0.5% or --max-time runs out; kernels under 20 us are timed as CUDA graphs.
Bandwidth is the manifest's ideal bytes over the median time, shown against the
copy bandwidth `tkbench calibrate` measured on this GPU (run once, automatically)
and the theoretical peak. Kernels run in a worker process: a fault or a hang
costs that config, not the run.

Examples:
  tkbench bench rmsnorm --shape 16384x8192 --config VEC=8,THREADS=256,ROWS=1
  tkbench bench rmsnorm --shape 1x8192,32x8192 --dtype bf16 --json)");

  return [&global, args]() -> int {
    auto registry = global.load_templates();
    const TemplateSpec& spec = registry.get(args->name);
    auto shapes = parse_shape_list(args->shapes, spec);
    DType dtype = parse_problem_dtype(args->dtype, spec);
    ConfigFilter filter = parse_config_filter(args->config, spec);
    std::vector<std::pair<Problem, Config>> work;
    for (const auto& dims : shapes) {
      Problem problem = make_problem(spec, dims, dtype);
      work.emplace_back(problem, pick_config(SearchSpace(spec, problem), filter));
    }
    const DeviceInfo& device = require_device(global.device);
    auto worker = make_worker(global, args->kernel_timeout);
    DevicePeaks peaks = device_peaks(global, device, worker.get(), &registry, true);
    if (!spec.reference) diagnostics().warn(spec.name + " has no reference kernel: its results are UNVERIFIED");

    std::vector<Result> results;
    int failures = 0;
    for (const auto& [problem, config] : work) {
      if (interrupted()) break;
      EvaluationRequest req = EvaluationRequest::for_config(spec, problem, config);
      req.cold_l2 = args->l2 == "cold";
      req.rule.max_seconds = args->max_time;
      req.seed = args->seed;
      Result r = Result::for_config(spec, problem, config);
      evaluate_remotely(*worker, req, r);
      if (r.status != Status::ok) ++failures;
      if (!global.json) print_bench_result(stdout, r, spec, peaks, global.color_stdout());
      results.push_back(std::move(r));
    }
    if (global.json) std::printf("%s\n", bench_document(results, spec, peaks).dump(2).c_str());
    if (interrupted()) return kExitInterrupted;
    return failures ? kExitCheckFailed : kExitOk;
  };
}

CommandRunner add_calibrate_command(CLI::App& app, const GlobalOptions& global) {
  auto force = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("calibrate", "Measure this GPU's achievable DRAM bandwidth (stored; reused by later commands)");
  cmd->add_flag("--force", *force, "Measure again even if this GPU was calibrated before");
  cmd->footer(R"(
The measured bandwidth is the better of the built-in copy template tuned over
its whole space and the driver's device-to-device copy (cudaMemcpyAsync), each
moving at least 8x the L2 size. Both are reported. Theoretical peaks come from
device attributes. Stored per GPU (by UUID) under the cache directory.)");
  return [&global, force]() -> int {
    const DeviceInfo& device = require_device(global.device);
    auto registry = global.load_templates();
    DevicePeaks peaks = theoretical_peaks(device);
    peaks.calibration = load_calibration(global.resolved_cache_dir(), device);
    if (!peaks.calibration || *force) {
      auto worker = make_worker(global, 30);
      peaks.calibration = run_and_store_calibration(global, device, *worker, registry);
    }
    if (global.json) std::printf("%s\n", to_json(peaks).dump(2).c_str());
    else print_calibration(stdout, peaks, global.color_stdout());
    return interrupted() ? kExitInterrupted : kExitOk;
  };
}

}  // namespace tkbench
