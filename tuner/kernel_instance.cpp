#include "tuner/kernel_instance.hpp"

#include <fmt/format.h>

namespace tkbench {

std::string instantiate_name(const std::string& pattern, const Problem& problem, const Config& config,
                             const TemplateSpec& spec) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern[i] != '{') {
      out += pattern[i++];
      continue;
    }
    std::size_t close = pattern.find('}', i);
    std::string key = pattern.substr(i + 1, close - i - 1);
    i = close + 1;
    if (key == "dtype") {
      out += dtype_info(problem.dtype).cpp_type;
    } else if (const ParamSpec* p = spec.find_param(key)) {
      long long v = config.at(key);
      out += p->is_bool ? (v ? "true" : "false") : std::to_string(v);
    } else {
      for (std::size_t d = 0; d < problem.dim_names.size(); ++d)
        if (problem.dim_names[d] == key) out += std::to_string(problem.dims[d]);
    }
  }
  return out;
}

KernelInstance instantiate(const KernelRule& rule, const TemplateSpec& spec, const Problem& problem,
                           const Config& config) {
  Bindings b = problem.bindings();
  config.bind(b);
  KernelInstance instance;
  instance.name_expression = instantiate_name(rule.name, problem, config, spec);
  static const char* axis[] = {"x", "y", "z"};
  for (std::size_t i = 0; i < rule.grid.size(); ++i)
    instance.geometry.grid[i] =
        rule.grid[i].evaluate_integer(b, fmt::format("grid.{}", axis[i]), 1, i == 0 ? 2147483647LL : 65535LL);
  for (std::size_t i = 0; i < rule.block.size(); ++i)
    instance.geometry.block[i] =
        rule.block[i].evaluate_integer(b, fmt::format("block.{}", axis[i]), 1, i == 2 ? 64 : 1024);
  if (instance.geometry.threads_per_block() > 1024)
    throw InputError(fmt::format("{}: block {}x{}x{} has {} threads for {}; at most 1024", rule.where.str(),
                                 instance.geometry.block[0], instance.geometry.block[1], instance.geometry.block[2],
                                 instance.geometry.threads_per_block(), config.str()));
  instance.geometry.dynamic_shared_bytes =
      rule.shared_bytes.evaluate_integer(b, "shared_bytes", 0, 1LL << 30);
  // Clusters of up to 8 blocks are portable across sm_90 parts; the grid is
  // whole clusters, or the launch fails.
  for (std::size_t i = 0; i < rule.cluster.size(); ++i) {
    long long& c = instance.geometry.cluster[i];
    c = rule.cluster[i].evaluate_integer(b, fmt::format("cluster.{}", axis[i]), 1, 8);
    if (instance.geometry.grid[i] % c != 0)
      throw InputError(fmt::format("{}: grid.{} = {} is not a multiple of cluster.{} = {} for {}", rule.where.str(),
                                   axis[i], instance.geometry.grid[i], axis[i], c, config.str()));
  }
  const auto& cl = instance.geometry.cluster;
  if (cl[0] * cl[1] * cl[2] > 8)
    throw InputError(fmt::format("{}: cluster {}x{}x{} has {} blocks for {}; at most 8", rule.where.str(), cl[0], cl[1],
                                 cl[2], cl[0] * cl[1] * cl[2], config.str()));
  return instance;
}

}  // namespace tkbench
