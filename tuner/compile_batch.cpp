#include "tuner/compile_batch.hpp"

#include <fmt/format.h>

#include "tuner/interrupt.hpp"
#include "tuner/target_arch.hpp"
#include "tuner/template_check.hpp"
#include "tuner/thread_pool.hpp"

namespace tkbench {

CompiledConfig compile_config(const TemplateSpec& spec, const Problem& problem, const Config& config,
                              const Compiler& compiler, const std::string& arch) {
  CompiledConfig out;
  out.result = Result::for_config(spec, problem, config);
  Result& r = out.result;
  KernelInstance instance;
  try {
    instance = instantiate(spec.kernel, spec, problem, config);
  } catch (const InputError& e) {
    r.status = Status::skipped;
    r.reason = e.what();
    return out;
  }
  // A config whose buffers or roofline cannot be right is never worth a GPU's time.
  if (auto problems = figure_problems(spec, problem, config); !problems.empty()) {
    r.status = Status::skipped;
    r.reason = problems.front();
    return out;
  }
  const std::string target = target_arch(spec, arch);  // a template that cannot run on `arch` throws: every config would
  CompileOutcome outcome = compiler.compile(spec, instance.name_expression, target);
  if (!outcome.ok) {
    r.status = Status::compile_error;
    // A name that names nothing is the manifest's mistake: say where it is written.
    r.reason = explain_name_error(spec.kernel, "[kernel]", instance.name_expression, spec, outcome.error)
                   .value_or(outcome.error);
    return out;
  }
  if (auto violation = launch_bounds_violation(spec.kernel, "[kernel]", outcome.kernel, instance.geometry, config)) {
    r.status = Status::skipped;
    r.reason = *violation;
    return out;
  }
  const CompiledKernel& k = outcome.kernel;
  CompileStats stats;
  stats.arch = target;
  stats.name_expression = k.name_expression;
  stats.lowered_name = k.lowered_name;
  stats.resources = k.resources;
  stats.geometry = instance.geometry;
  stats.compile_ms = k.compile_ms;
  stats.cache_hit = k.cache_hit;
  if (const ArchLimits* limits = arch_limits(arch)) {
    stats.occupancy = theoretical_occupancy(
        *limits, {instance.geometry.threads_per_block(), k.resources.registers,
                  k.resources.shared_static_bytes + instance.geometry.dynamic_shared_bytes, k.resources.barriers});
  } else {
    stats.occupancy.limiter = fmt::format("no occupancy table for {}", arch);
  }
  r.compile = stats;
  r.status = Status::ok;
  out.kernel = std::move(outcome.kernel);
  return out;
}

std::vector<CompiledConfig> compile_configs(const TemplateSpec& spec, const Problem& problem,
                                            const std::vector<Config>& configs, const Compiler& compiler,
                                            const CompileBatchOptions& options) {
  ThreadPool pool(options.jobs ? options.jobs : ThreadPool::default_threads());
  std::vector<std::future<CompiledConfig>> futures;
  futures.reserve(configs.size());
  for (const auto& config : configs)
    futures.push_back(pool.submit([&, config] {
      if (interrupted()) {
        CompiledConfig skipped;
        skipped.result = Result::for_config(spec, problem, config);
        skipped.result.reason = "interrupted";
        return skipped;
      }
      return compile_config(spec, problem, config, compiler, options.arch);
    }));
  std::vector<CompiledConfig> out;
  out.reserve(configs.size());
  for (auto& f : futures) {
    out.push_back(f.get());
    if (options.on_progress) options.on_progress(out.size(), configs.size());
  }
  return out;
}

}  // namespace tkbench
