#pragma once
// KernelInstance: a template's kernel (or reference) made concrete for one
// problem and config: the NVRTC name expression to compile and the launch
// geometry to run it with.
#include <array>
#include <string>

#include "tuner/config.hpp"
#include "tuner/problem.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

struct LaunchGeometry {
  std::array<long long, 3> grid{1, 1, 1};
  std::array<long long, 3> block{1, 1, 1};
  long long dynamic_shared_bytes = 0;
  // Thread-block cluster dims; {1, 1, 1}: a plain launch. A cluster kernel's
  // blocks are co-scheduled on one GPC and share distributed shared memory.
  std::array<long long, 3> cluster{1, 1, 1};
  bool is_cluster_launch() const { return cluster[0] * cluster[1] * cluster[2] > 1; }
  long long threads_per_block() const { return block[0] * block[1] * block[2]; }
};

struct KernelInstance {
  std::string name_expression;  // "tkb::rmsnorm<__nv_bfloat16, 8, 256, 1>"
  LaunchGeometry geometry;
};

// Substitutes {dtype}, {PARAM} and {DIM} in a name expression.
std::string instantiate_name(const std::string& pattern, const Problem& problem, const Config& config,
                             const TemplateSpec& spec);

// Evaluates a kernel rule (the template's kernel or its reference). Throws
// InputError if the geometry is impossible (a block over 1024 threads, a
// grid dim out of range, negative shared memory).
KernelInstance instantiate(const KernelRule& rule, const TemplateSpec& spec, const Problem& problem,
                           const Config& config);

}  // namespace tkbench
