#pragma once
// Compiles many configs of one template for one problem on a thread pool and
// turns each into a Result with its resources and theoretical occupancy.
// A config that fails to compile becomes a compile_error result; the others go on.
#include <functional>
#include <optional>
#include <vector>

#include "tuner/compiler.hpp"
#include "tuner/result.hpp"
#include "tuner/search_space.hpp"

namespace tkbench {

struct CompiledConfig {
  Result result;
  std::optional<CompiledKernel> kernel;  // when the compile succeeded
};

struct CompileBatchOptions {
  std::string arch = "sm_90";
  unsigned jobs = 0;  // 0: all cores
  // Called on the calling thread after each config finishes: (done, total).
  std::function<void(std::size_t, std::size_t)> on_progress;
};

// One config: instantiate, compile (through the cache), resources and
// theoretical occupancy. Thread-safe.
CompiledConfig compile_config(const TemplateSpec& spec, const Problem& problem, const Config& config,
                              const Compiler& compiler, const std::string& arch);

// Results in the order of `configs`. Stops dispatching on Ctrl-C: configs not
// started are returned as `skipped` ("interrupted").
std::vector<CompiledConfig> compile_configs(const TemplateSpec& spec, const Problem& problem,
                                            const std::vector<Config>& configs, const Compiler& compiler,
                                            const CompileBatchOptions& options);

}  // namespace tkbench
