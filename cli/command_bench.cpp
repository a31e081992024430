// `tkbench bench NAME --shape ... --config ...`: verify and time one config
// per shape on the GPU, in the worker process.
#include <algorithm>
#include <future>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/gpu_setup.hpp"
#include "profiler/cupti_host.hpp"
#include "profiler/default_metrics.hpp"
#include "profiler/range_profiler.hpp"
#include "tuner/compile_batch.hpp"
#include "profiler/remote_evaluation.hpp"
#include "profiler/throttle_guard.hpp"
#include "reports/bench_report.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/interrupt.hpp"
#include "tuner/search_space.hpp"

namespace tkbench {
namespace {

struct BenchArgs {
  std::string name, shapes, dtype, config, l2 = "cold";
  double max_time = 1.0;
  double throttle_threshold = 100 * kDefaultThrottleThreshold;  // % of the max SM clock (profiler/throttle_guard.hpp)
  double kernel_timeout = 10;
  std::uint64_t seed = 1;
  bool counters = false;     // bench --counters; always on for profile
  std::string metrics;       // profile --metrics a,b,c
  std::string chip;          // profile --chip GH100: offline, no GPU
};

std::vector<std::string> split_metrics(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

void add_common_options(CLI::App* cmd, BenchArgs& args) {
  cmd->add_option("name", args.name, "Template name (see `tkbench list`)")->required();
  cmd->add_option("--shape", args.shapes, "Problem shape(s): 16384x8192, or several as 1x8192,16384x8192")->required();
  cmd->add_option("--dtype", args.dtype, "Element type (default: the template's first dtype)");
  cmd->add_option("--config", args.config, "Parameters, e.g. VEC=8,THREADS=256; unset ones take the manifest's [default]");
  cmd->add_option("--l2", args.l2, "cold: flush L2 (or rotate inputs) before each launch; hot: back-to-back")
      ->check(CLI::IsMember({"cold", "hot"}))->default_val("cold");
  cmd->add_option("--max-time", args.max_time, "Seconds of sampling per config at most (stops earlier once the median is within 0.5%)")
      ->default_val(1.0)->check(seconds_above_zero("--max-time"));
  add_throttle_threshold_option(cmd, args.throttle_threshold);
  cmd->add_option("--kernel-timeout", args.kernel_timeout, "Seconds without progress before a kernel counts as hung")
      ->default_val(10)->check(seconds_above_zero("--kernel-timeout"));
  cmd->add_option("--seed", args.seed, "Seed of the random inputs")->default_val(1)->check(unsigned_whole_number("--seed"));
}

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


// bench and profile: verify, time and (with counters) profile one config per shape.
int run_bench(const GlobalOptions& global, const BenchArgs& args) {
  auto registry = global.load_templates();
  const TemplateSpec& spec = registry.get(args.name);
  auto shapes = parse_shape_list(args.shapes, spec);
  DType dtype = parse_problem_dtype(args.dtype, spec);
  ConfigFilter filter = parse_config_filter(args.config, spec);
  std::vector<std::string> metrics = args.counters ? (args.metrics.empty() ? default_metrics(spec.compute_pipe) : split_metrics(args.metrics))
                                                   : std::vector<std::string>{};
  std::vector<std::pair<Problem, Config>> work;
  for (const auto& dims : shapes) {
    Problem problem = make_problem(spec, dims, dtype);
    work.emplace_back(problem, pick_config(SearchSpace(spec, problem), filter));
  }
  const DeviceInfo& device = require_device(global.device);
  std::string counters_unavailable;  // why the default counters cannot be had here
  if (!metrics.empty()) {
    // Unknown metric names the user gave fail here, before any launch, with the
    // nearest valid ones. The default set degrades instead: a chip without DRAM
    // counters still gets timed.
    try {
      MetricConfig check(device_chip_name(device), metrics);
      if (check.passes() > 1) diagnostics().note(fmt::format("counters need {} replay passes per kernel", check.passes()));
    } catch (const CuptiError& e) {
      diagnostics().warn(std::string("counters unavailable: ") + e.what());
    } catch (const InputError& e) {
      if (!args.metrics.empty()) throw;
      counters_unavailable = e.what();
      diagnostics().warn("counters unavailable: " + counters_unavailable);
      metrics.clear();
    }
  }
  auto worker = make_worker(global, args.kernel_timeout);
  DevicePeaks peaks = device_peaks(global, device, worker.get(), &registry, true);
  if (!spec.reference) diagnostics().warn(spec.name + " has no reference kernel: its results are UNVERIFIED");
  KernelCache cache(global.resolved_cache_dir());
  Compiler compiler(cache.enabled() ? &cache : nullptr);

  std::vector<Result> results;
  std::vector<Result> libraries;  // the [baseline] library, once per problem, timed by the same worker
  int failures = 0;
  for (const auto& [problem, config] : work) {
    if (interrupted()) break;
    // Compiled here first: compile errors surface at once, the resource report
    // gives the theoretical occupancy, and the worker then hits the cache.
    CompileBatchOptions compile_options;
    compile_options.arch = device.arch();
    Result r = std::move(compile_configs(spec, problem, {config}, compiler, compile_options).front().result);
    if (r.status == Status::ok) {
      EvaluationRequest req = EvaluationRequest::for_config(spec, problem, config);
      req.cold_l2 = args.l2 == "cold";
      req.rule.max_seconds = args.max_time;
      req.throttle.threshold = args.throttle_threshold / 100;
      req.seed = args.seed;
      req.metrics = metrics;
      evaluate_remotely(*worker, req, r);
      if (r.measurement && !counters_unavailable.empty()) r.measurement->counters_unavailable = counters_unavailable;
    }
    if (r.status != Status::ok) ++failures;
    if (!global.json) print_bench_result(stdout, r, spec, peaks, global.color_stdout());
    if (spec.baseline && r.status == Status::ok && !interrupted()) {
      auto same = [&](const Result& l) { return l.problem.dims == problem.dims && l.problem.dtype == problem.dtype; };
      if (std::none_of(libraries.begin(), libraries.end(), same)) {
        EvaluationRequest req = EvaluationRequest::for_config(spec, problem, config);
        req.cold_l2 = args.l2 == "cold";
        req.rule.max_seconds = args.max_time;
        req.throttle.threshold = args.throttle_threshold / 100;
        req.seed = args.seed;
        libraries.push_back(evaluate_library_baseline(*worker, spec, problem, req));
      }
      const Result& library = *std::find_if(libraries.begin(), libraries.end(), same);
      if (!global.json) print_library_comparison(stdout, library, r, spec, global.color_stdout());
    }
    results.push_back(std::move(r));
  }
  if (global.json) std::printf("%s\n", bench_document(results, libraries, spec, peaks).dump(2).c_str());
  if (interrupted()) return kExitInterrupted;
  return failures ? kExitCheckFailed : kExitOk;
}

}  // namespace

CommandRunner add_bench_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand("bench", "Verify and time one config on the GPU: correctness, time, GB/s, % of peak");
  add_common_options(cmd, *args);
  cmd->add_flag("--counters", args->counters, "Also collect the default hardware counters (DRAM bytes, DRAM %, occupancy; "
                "a tensor-pipe template adds tensor-pipe activity and L2 hit rate): see `tkbench profile --help`");
  cmd->footer(R"(
Each config is first checked against the template's reference kernel on random
inputs (outputs poisoned with NaN first); a wrong config is reported and never
timed. Timing uses CUDA events until the median's relative standard error is
below 0.5% or --max-time runs out; kernels under 20 us are timed as CUDA graphs.
Bandwidth is the manifest's ideal bytes over the median time, shown against the
copy bandwidth `tkbench calibrate` measured on this GPU (run once, automatically)
and the theoretical peak. A template whose manifest names a [baseline] library
(gemm: cuBLAS) also has the library checked and timed on the same buffers by the
same worker: "% of cuBLAS" above 100% means the config is faster. Kernels run in a worker process: a fault or a hang
costs that config, not the run.

Examples:
  tkbench bench rmsnorm --shape 16384x8192 --config VEC=8,THREADS=256,ROWS=1,ITEMS=4,HINT=0
  tkbench bench rmsnorm --shape 1x8192,32x8192 --dtype bf16 --counters --json
  tkbench bench gemm --shape 8192x8192x8192 --config BM=128,BN=256,BK=64,STAGES=4,CONSUMERS=2,SWIZZLE=128,GROUP_M=8,PERSISTENT=1)");
  return [&global, args] { return run_bench(global, *args); };
}

CommandRunner add_profile_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<BenchArgs>();
  args->counters = true;
  auto* cmd = app.add_subcommand("profile", "Hardware counters for one config (CUPTI): DRAM traffic and efficiency, DRAM %, occupancy, "
                                            "and for tensor-core kernels tensor-pipe activity and L2 hit rate");
  add_common_options(cmd, *args);
  cmd->add_option("--metrics", args->metrics, "CUPTI metrics, comma-separated (default: time, DRAM read/write bytes, DRAM %, warps "
                  "active; with [roofline] pipe = \"tensor\" also the tensor pipe's activity and the L2 hit rate)");
  cmd->add_option("--chip", args->chip, "Offline: validate --metrics and count replay passes for a chip (e.g. GH100, GA100); needs no GPU");
  cmd->footer(R"(
Counters come from CUPTI's range profiler, one launch right after verification
(kernel replay: the kernel runs once per pass with memory restored in between),
in a worker process of their own: the time comes from a fresh worker, as
launches in a process that has set up CUPTI run 0.2-0.6 us slower (H200).
DRAM efficiency = the manifest's ideal bytes / the bytes DRAM actually moved: a
kernel that reads its input twice shows about 67%. Achieved occupancy is shown
beside the theoretical one from the compiler's report. Where counters are
unavailable (no permission, running under ncu/nsys, vGPU/MIG) a warning says why
and timing goes on.

A template whose manifest says [roofline] pipe = "tensor" (gemm and its
variants) is judged against the tensor-core roof, so its default counters add
  sm__pipe_tensor_op_hmma_cycles_active   tensor pipe busy with mma.sync/wgmma
      (.avg.pct_of_peak_sustained_elapsed: of all cycles; ..._active: of the
      cycles its SM had work; the gap is idle SMs, e.g. a partial last wave)
  lts__t_request_hit_rate.pct             L2 hit rate (the sector-based
      lts__t_sector_hit_rate.pct would cost a second replay pass on Hopper)
and the result says in words what they show: "tensor pipe active 71% of
cycles", "L2 hit 62%: operands re-read from DRAM, poor rasterization?",
register spills from ptxas' report. Still one replay pass on GH100.

Examples:
  tkbench profile rmsnorm --shape 16384x8192 --config VEC=8,THREADS=256,ROWS=1,ITEMS=4,HINT=0
  tkbench profile copy --shape 268435456 --metrics dram__bytes_read.sum,lts__t_sector_hit_rate.pct
  tkbench profile gemm --shape 8192x8192x8192 --config BM=128,BN=256,CONSUMERS=2,PERSISTENT=1
  tkbench profile gemm --shape 4096x4096x4096 --chip GH100                 # the tensor set, checked offline
  tkbench profile rmsnorm --shape 4096x8192 --chip GH100 --metrics sm__throughput.avg.pct_of_peak_sustained_elapsed)");
  return [&global, args]() -> int {
    if (args->chip.empty()) return run_bench(global, *args);
    // Offline: no GPU, only CUPTI's host API.
    auto registry = global.load_templates();
    const TemplateSpec& spec = registry.get(args->name);  // the template must exist even offline
    std::vector<std::string> metrics = args->metrics.empty() ? default_metrics(spec.compute_pipe) : split_metrics(args->metrics);
    MetricConfig config(args->chip, metrics);
    if (global.json) {
      std::printf("%s\n", nlohmann::ordered_json{{"chip", args->chip}, {"metrics", metrics}, {"passes", config.passes()}}.dump(2).c_str());
    } else {
      std::printf("%zu metric%s valid on %s, %zu replay pass%s per kernel:\n", metrics.size(), metrics.size() == 1 ? "" : "s",
                  args->chip.c_str(), config.passes(), config.passes() == 1 ? "" : "es");
      for (const auto& m : metrics) std::printf("  %s\n", m.c_str());
    }
    return kExitOk;
  };
}

CommandRunner add_calibrate_command(CLI::App& app, const GlobalOptions& global) {
  auto force = std::make_shared<bool>(false);
  auto devices = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("calibrate", "Measure this GPU's achievable DRAM bandwidth (stored; reused by later commands)");
  cmd->add_flag("--force", *force, "Measure again even if this GPU was calibrated before");
  cmd->add_option("--devices", *devices, "GPUs to calibrate, all at once: all, or indices such as 0,2 (default: --device)");
  cmd->footer(R"(
The measured bandwidth is the better of the built-in copy template tuned over
its whole space and the driver's device-to-device copy (cudaMemcpyAsync), each
moving at least 8x the L2 size. Both are reported. Then the copy's bandwidth
over footprints from 1 MiB to 2 GiB (a few configs tuned at each) and the
latency floor (the shortest graph-launched copy that reads DRAM): reports judge
each result against a copy of its own size, never under that floor. Theoretical
peaks come from device attributes. Stored per GPU (by UUID) under the cache
directory; `--force` measures again (and adds the size curve to a calibration
made before it existed).
--devices calibrates several GPUs at once, each in its own worker, each
stored under its own UUID: every GPU keeps its own roofs.)");
  return [&global, force, devices]() -> int {
    const std::vector<const DeviceInfo*> gpus = select_devices(*devices, global.device);
    auto registry = global.load_templates();
    std::vector<DevicePeaks> all_peaks;
    for (const DeviceInfo* gpu : gpus) {
      all_peaks.push_back(theoretical_peaks(*gpu));
      all_peaks.back().calibration = load_calibration(global.resolved_cache_dir(), *gpu);
    }
    // One thread and worker per GPU still to calibrate; the copy kernels never share a GPU.
    std::vector<std::future<void>> running;
    for (std::size_t i = 0; i < gpus.size(); ++i) {
      if (all_peaks[i].calibration && !*force) continue;
      running.push_back(std::async(std::launch::async, [&, i] {
        auto worker = make_worker(global, 30, gpus[i]->index);
        all_peaks[i].calibration = run_and_store_calibration(global, *gpus[i], *worker, registry, gpus.size() == 1);
      }));
    }
    for (auto& r : running) r.get();
    if (global.json) {
      if (gpus.size() == 1) {
        std::printf("%s\n", to_json(all_peaks.front()).dump(2).c_str());
      } else {
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const auto& p : all_peaks) list.push_back(to_json(p));
        std::printf("%s\n", list.dump(2).c_str());
      }
    } else {
      for (const auto& p : all_peaks) print_calibration(stdout, p, global.color_stdout());
    }
    return interrupted() ? kExitInterrupted : kExitOk;
  };
}

}  // namespace tkbench
