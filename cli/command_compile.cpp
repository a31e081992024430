// `tkbench compile NAME --shape ...`: NVRTC-compile configs and report their
// resources and theoretical occupancy; with --on-device, check those figures
// against the driver's.
#include <chrono>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/gpu_setup.hpp"
#include "cli/offline_check.hpp"
#include "cli/option_checks.hpp"
#include "profiler/device.hpp"
#include "profiler/kernel_loader.hpp"
#include "reports/compile_report.hpp"
#include "tuner/compile_batch.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/interrupt.hpp"
#include "tuner/kernel_signature.hpp"
#include "tuner/target_arch.hpp"
#include "tuner/thread_pool.hpp"

namespace tkbench {
namespace {

struct CompileArgs {
  std::string name, shapes, dtype, arch, config;
  std::size_t sample = 0;
  std::uint64_t seed = 1;
  bool on_device = false;
  bool no_cache = false;
};

std::string pick_arch(const CompileArgs& args, const GlobalOptions& global) {
  std::string arch = args.arch;
  if (arch.empty()) arch = local_device_arch(global.device).value_or("sm_90");
  Compiler::check_arch(arch);
  return arch;
}

std::optional<DriverCheck> check_on_device(const DeviceInfo& device, const CompiledConfig& c) {
  if (!c.kernel || !c.result.compile) return std::nullopt;
  DriverCheck check;
  try {
    auto report = inspect_on_device(device, *c.kernel, c.result.compile->geometry);
    check.registers = report.registers;
    check.blocks_per_sm = report.blocks_per_sm;
    check.agrees = report.registers == c.result.compile->resources.registers &&
                   report.blocks_per_sm == c.result.compile->occupancy.blocks_per_sm;
  } catch (const EnvironmentError& e) {
    check.error = e.what();
  }
  return check;
}

}  // namespace

CommandRunner add_compile_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<CompileArgs>();
  auto* cmd = app.add_subcommand("compile", "Compile a template's configs with NVRTC; show registers, spills, shared memory, occupancy");
  cmd->add_option("name", args->name, "Template name (see `tkbench list`)")->required();
  cmd->add_option("--shape", args->shapes, "Problem shape(s): 4096x8192, or several as 1x8192,4096x8192")->required();
  cmd->add_option("--dtype", args->dtype, "Element type (default: the template's first dtype)");
  cmd->add_option("--arch", args->arch, "Target arch, e.g. sm_90, sm_90a, sm_100 (default: this GPU's, else sm_90)");
  cmd->add_option("--config", args->config, "Fix parameters: VEC=8,THREADS=256 (others range over their values)");
  cmd->add_option("--sample", args->sample, "Compile only N configs drawn at random (default: all valid configs)")
      ->check(whole_number_at_least("--sample", 1));
  cmd->add_option("--seed", args->seed, "Seed for --sample")->default_val(1)->check(unsigned_whole_number("--seed"));
  cmd->add_flag("--on-device", args->on_device,
                "Also load each CUBIN on the GPU and compare registers and blocks/SM with the driver's (needs a GPU)");
  cmd->add_flag("--no-cache", args->no_cache, "Neither read nor write the compiled-kernel cache");
  cmd->footer(R"(
Every valid config (the product of the parameter lists, filtered by the
manifest's constraints) is compiled on -j threads and cached on disk, so a
second run is served from the cache. A config that fails to compile is shown
as compile_error with the first line of the NVRTC log (-v for all of it);
the others go on.

Columns, after the config's parameters:
  block        threads per block
  regs         registers per thread (ptxas -v)
  spill st/ld  bytes per thread spilled to local memory: stores/loads (red when not 0)
  stack        stack frame per thread in bytes (yellow when not 0)
  smem         shared memory per block in bytes, static + dynamic
  occupancy    theoretical occupancy: % of the SM's warp slots filled, and resident blocks per SM
  limit        what caps occupancy: warps, registers, shared memory, blocks or barriers
               (or why the block cannot launch at all)
  ms           compile time in milliseconds ("-" when the cache served it)
  cache        hit: the CUBIN came from the compiled-kernel cache; miss: compiled now
  drv regs, drv blk/SM   with --on-device: the driver's figures (green: they agree)
  status       ok, or why not (compile_error: the first error line)

Examples:
  tkbench compile rmsnorm --shape 4096x8192
  tkbench compile rmsnorm --shape 4096x8192 --config VEC=8 --arch sm_90 --json
  tkbench compile copy --shape 268435456 --on-device)");

  return [&global, args]() -> int {
    auto registry = global.load_templates();
    const TemplateSpec& spec = registry.get(args->name);
    auto shapes = parse_shape_list(args->shapes, spec);
    DType dtype = parse_problem_dtype(args->dtype, spec);
    ConfigFilter filter = parse_config_filter(args->config, spec);
    const std::string arch = target_arch(spec, pick_arch(*args, global));  // a manifest's arch wins, or refuses
    warn_without_occupancy_table(arch);
    const DeviceInfo* device = args->on_device ? &require_device(global.device) : nullptr;

    std::unique_ptr<KernelCache> cache;
    if (!args->no_cache) cache = std::make_unique<KernelCache>(global.resolved_cache_dir());
    Compiler compiler(cache && cache->enabled() ? cache.get() : nullptr);
    // Several compiles at once scale in processes, not in NVRTC's threads.
    const unsigned jobs = global.jobs ? global.jobs : ThreadPool::default_threads();
    std::unique_ptr<CompileServers> compile_servers;
    if (jobs > 1) {
      compile_servers = make_compile_servers(jobs, 0);
      compiler.use_servers(compile_servers.get());
    }

    // Enumerate every shape first, so a bad shape fails before any compile.
    std::vector<std::pair<Problem, std::vector<Config>>> work;
    for (const auto& dims : shapes) {
      Problem problem = make_problem(spec, dims, dtype);
      problem.num_sms = device ? device->sm_count : default_sm_count(arch);
      problem.max_shared_bytes = max_shared_bytes_of(arch);
      SearchSpace space(spec, problem);
      work.emplace_back(problem, args->sample ? space.sample(args->sample, args->seed, filter) : space.enumerate(filter));
    }
    // The reference, the launches and the figures are checked before compiling
    // everything; each config is checked against its launch bounds as it is
    // compiled, and the first one compiled against [[args]] below.
    TemplateCheckOptions check;
    check.arch = arch;
    check.dtypes = {dtype};
    check.shape = shapes.front();
    check.filter = filter;
    check.compile_kernels = false;
    refuse_template_problems(spec, compiler, check);

    const bool progress = !global.quiet && !global.json && ::isatty(STDERR_FILENO);
    std::vector<std::string> signature_findings;  // the first compiled kernel's parameters against [[args]]
    bool signature_checked = false;
    std::vector<Result> results;
    std::vector<std::optional<DriverCheck>> checks;
    CompileSummary summary;
    summary.arch = arch;
    summary.nvrtc_version = Compiler::nvrtc_version();
    summary.cache_dir = cache && cache->enabled() ? global.resolved_cache_dir() : "";
    auto start = std::chrono::steady_clock::now();
    for (const auto& [problem, configs] : work) {
      CompileBatchOptions options;
      options.arch = arch;
      options.jobs = global.jobs;
      std::string label = fmt::format("{} {} {}", spec.name, problem.shape_str(), dtype_info(problem.dtype).name);
      if (progress)
        options.on_progress = [&](std::size_t done, std::size_t total) {
          std::fprintf(stderr, "\rcompiling %s: %zu/%zu configs", label.c_str(), done, total);
          if (done == total) std::fprintf(stderr, "\r\033[K");
        };
      for (auto& compiled : compile_configs(spec, problem, configs, compiler, options)) {
        Result& r = compiled.result;
        if (r.status == Status::ok) (r.compile->cache_hit ? summary.cache_hits : summary.compiled)++;
        else if (r.status == Status::compile_error) ++summary.failed;
        else ++summary.skipped;
        if (r.status == Status::compile_error && global.verbose)
          diagnostics().note(fmt::format("compile_error for {}:\n{}", r.config.str(), r.reason));
        checks.push_back(device ? check_on_device(*device, compiled) : std::nullopt);
        if (compiled.kernel && !signature_checked) {
          signature_checked = true;
          if (auto parameters = kernel_parameter_types(compiled.kernel->lowered_name))
            signature_findings = signature_mismatches(*parameters, spec, dtype, compiled.kernel->name_expression, false);
        }
        results.push_back(std::move(r));
      }
      if (interrupted()) break;
    }
    summary.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

    if (global.json) {
      std::printf("%s\n", compile_document(spec, results, checks, summary).dump(2).c_str());
    } else {
      print_compile_table(stdout, spec, results, checks, global.color_stdout());
      if (!global.quiet) print_compile_summary(stdout, summary, global.color_stdout());
    }

    if (interrupted()) return kExitInterrupted;
    // Such kernels compile, and would read their arguments wrongly on a GPU.
    if (!signature_findings.empty()) refuse_findings(spec, signature_findings);
    int disagreements = 0, load_errors = 0;
    for (const auto& c : checks)
      if (c) (c->error.empty() ? (c->agrees ? 0 : ++disagreements) : ++load_errors);
    if (device) {
      std::fprintf(stderr, "on-device check on %s (%s): %zu configs, %d disagree, %d failed to load\n",
                   device->name.c_str(), device->arch().c_str(), results.size() - summary.failed - summary.skipped,
                   disagreements, load_errors);
    }
    if (disagreements || load_errors) return kExitCheckFailed;
    return summary.compiled + summary.cache_hits > 0 ? kExitOk : kExitCheckFailed;
  };
}

}  // namespace tkbench
