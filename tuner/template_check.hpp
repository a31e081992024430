#pragma once
// The offline template check: what a template author can get wrong that would
// otherwise surface only on a GPU. Run by `tkbench check` for every dtype, and
// by `show` and `compile` for the problem at hand. Each finding names the
// manifest's file:line and what to change:
//   - the kernel and the reference compile for the arch, and their names
//     name __global__ functions of the source;
//   - each kernel's parameter list matches [[args]] in count and type;
//   - the block fits the kernel's __launch_bounds__ (read from the CUBIN);
//   - the launch geometry is possible (grid within 2^31-1, ...);
//   - buffer counts and roofline bytes are positive, flops not negative;
//   - an output's reference_dtype is a float type when the output is.
#include <optional>
#include <string>
#include <vector>

#include "tuner/compiled_kernel.hpp"
#include "tuner/compiler.hpp"
#include "tuner/kernel_instance.hpp"

namespace tkbench {

struct TemplateCheckOptions {
  std::string arch = "sm_90";
  std::vector<DType> dtypes;                     // empty: every dtype the template supports
  std::optional<std::vector<long long>> shape;   // nullopt: an example shape that has valid configs
  ConfigFilter filter;                           // --config: the configs to check among
  // false for `compile`: it compiles the kernel's configs itself, each checked
  // against its launch bounds (compile_batch) and the first against [[args]].
  bool compile_kernels = true;
};

struct TemplateCheckReport {
  std::vector<std::string> findings;  // "file:line:col: what is wrong ...; fix: ..."
  std::vector<std::string> checked;   // what was checked, for the summary line
  std::string shape;                  // the shape the config-level checks ran at
  bool ok() const { return findings.empty(); }
};

TemplateCheckReport check_template(const TemplateSpec& spec, const Compiler& compiler, const TemplateCheckOptions& options);

// NVRTC reports a name expression that names nothing in the source at
// "__nv_name_map(2)"; this says it with the manifest's file:line and the fix.
// nullopt for any other compile error.
std::optional<std::string> explain_name_error(const KernelRule& rule, const std::string& table,
                                              const std::string& name_expression, const TemplateSpec& spec,
                                              const std::string& nvrtc_error);

// Why a compiled kernel cannot launch with `geometry`: a block over its
// __launch_bounds__ (or not its required .reqntid block). nullopt when it can,
// or when the CUBIN does not say.
std::optional<std::string> launch_bounds_violation(const KernelRule& rule, const std::string& table,
                                                   const CompiledKernel& kernel, const LaunchGeometry& geometry,
                                                   const Config& config);

// Expressions that must be positive: each buffer's count (at `config`), the
// roofline's bytes; flops must not be negative. One message per problem found.
std::vector<std::string> figure_problems(const TemplateSpec& spec, const Problem& problem, const Config& config);

// Configs that satisfy the constraints but cannot launch (a grid over 2^31-1,
// a block over 1024 threads, ...): how many, and the first one's reason.
struct Unlaunchable {
  std::size_t count = 0;
  std::string first_reason;
};
Unlaunchable count_unlaunchable(const TemplateSpec& spec, const Problem& problem, const std::vector<Config>& configs);

// The line of a compile log that says what is wrong (its first "error:" line).
std::string compile_error_headline(const std::string& log);

// A shape with valid configs for a check that was given none.
std::vector<long long> example_shape(const TemplateSpec& spec);

}  // namespace tkbench
