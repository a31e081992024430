#include "tuner/template_check.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "tuner/cubin_info.hpp"
#include "tuner/kernel_signature.hpp"
#include "tuner/search_space.hpp"
#include "tuner/target_arch.hpp"

namespace tkbench {
namespace {

std::string shape_text(const std::vector<long long>& dims) {
  std::string out;
  for (auto d : dims) out += (out.empty() ? "" : "x") + std::to_string(d);
  return out;
}

// The configs to look at: all valid ones where they can be listed, else a sample.
std::vector<Config> configs_of(const SearchSpace& space, const ConfigFilter& filter) {
  return space.enumerable(filter) ? space.enumerate(filter) : space.sample(512, 1, filter);
}

// Findings of several configs and dtypes are often one mistake: keep one per
// place in the manifest and kind of check.
class Findings {
 public:
  explicit Findings(std::vector<std::string>& out) : out_(out) {}
  void add(const std::string& kind, const std::string& message) {
    const std::string where = message.substr(0, message.find(": "));
    if (seen_.insert(where + "|" + kind).second) out_.push_back(message);
  }

 private:
  std::vector<std::string>& out_;
  std::set<std::string> seen_;
};

struct Launchable {
  Config config;
  KernelInstance kernel;
};

// The default config and the one with the largest block: what __launch_bounds__
// most often gets wrong is the largest block, and the default is what users run.
std::vector<const Launchable*> configs_to_compile(const std::vector<Launchable>& launchable,
                                                  const std::optional<Config>& default_config) {
  std::vector<const Launchable*> picked;
  for (const auto& l : launchable)
    if (default_config && l.config == *default_config) picked.push_back(&l);
  if (picked.empty()) picked.push_back(&launchable.front());
  auto largest = std::max_element(launchable.begin(), launchable.end(), [](const Launchable& a, const Launchable& b) {
    return a.kernel.geometry.threads_per_block() < b.kernel.geometry.threads_per_block();
  });
  if (largest->kernel.geometry.threads_per_block() > picked.front()->kernel.geometry.threads_per_block())
    picked.push_back(&*largest);
  return picked;
}

class Checker {
 public:
  Checker(const TemplateSpec& spec, const Compiler& compiler, const TemplateCheckOptions& options,
          TemplateCheckReport& report)
      : spec_(spec), compiler_(compiler), options_(options), report_(report), findings_(report.findings),
        arch_(target_arch(spec, options.arch)) {}

  void run() {
    const auto dims = options_.shape ? *options_.shape : example_shape(spec_);
    report_.shape = shape_text(dims);
    const auto dtypes = options_.dtypes.empty() ? spec_.dtypes : options_.dtypes;
    check_reference_dtypes(dtypes);
    for (DType dtype : dtypes) check_problem(make_problem(spec_, dims, dtype));
    std::string names;
    for (auto d : dtypes) names += (names.empty() ? "" : ", ") + std::string(dtype_info(d).name);
    report_.checked.push_back(fmt::format("{} kernel{} compiled for {} at shape {} ({})", compiled_,
                                          compiled_ == 1 ? "" : "s", arch_, report_.shape, names));
  }

 private:
  const TemplateSpec& spec_;
  const Compiler& compiler_;
  const TemplateCheckOptions& options_;
  TemplateCheckReport& report_;
  Findings findings_;
  const std::string arch_;  // what the kernels compile for: the manifest's arch may refine the one asked for
  int compiled_ = 0;

  void check_reference_dtypes(const std::vector<DType>& dtypes) {
    for (const auto& arg : spec_.args) {
      if (!arg.reference_dtype || !arg.is_buffer()) continue;
      for (DType d : dtypes) {
        const DType output = arg.resolved_dtype(d);
        if (!dtype_info(output).is_float || dtype_info(*arg.reference_dtype).is_float) continue;
        findings_.add("reference_dtype",
                      fmt::format("{}: [[args]] '{}' is a {} output, but its reference_dtype \"{}\" is not a float type: "
                                  "the reference's results would be cut to whole numbers; fix: reference_dtype = \"fp32\" "
                                  "(or leave it out to compare at the output's own dtype)",
                                  arg.where.str(), arg.name, dtype_info(output).name, dtype_info(*arg.reference_dtype).name));
      }
    }
  }

  void check_problem(const Problem& problem) {
    const std::string at = fmt::format("shape {} {}", problem.shape_str(), dtype_info(problem.dtype).name);
    SearchSpace space(spec_, problem);
    std::vector<Config> configs;
    try {
      configs = configs_of(space, options_.filter);
    } catch (const InputError& e) {
      findings_.add("space", fmt::format("{}{}", e.what(),
                                         options_.shape ? "" : "; give --shape to check the configs at a shape you use"));
      return;
    }
    std::vector<Launchable> launchable;
    std::string cannot_launch;
    for (const auto& c : configs) {
      try {
        launchable.push_back({c, instantiate(spec_.kernel, spec_, problem, c)});
      } catch (const InputError& e) {
        if (cannot_launch.empty()) cannot_launch = e.what();
      }
    }
    if (launchable.empty()) {
      findings_.add("launch", fmt::format("{}; none of the {} valid configs at {} can launch; fix: change the [kernel] "
                                          "launch, or add a constraint that leaves out what cannot launch",
                                          cannot_launch, configs.size(), at));
      return;
    }
    if (launchable.size() < configs.size())
      report_.checked.push_back(fmt::format("{} of {} valid configs at {} cannot launch, first: {}",
                                            configs.size() - launchable.size(), configs.size(), at, cannot_launch));
    for (const auto& l : launchable)
      for (const auto& message : figure_problems(spec_, problem, l.config)) findings_.add("figure", message);

    const auto default_config = space.default_config();
    if (options_.compile_kernels)
      for (const Launchable* l : configs_to_compile(launchable, default_config))
        check_compiled(spec_.kernel, "[kernel]", l->kernel, l->config, problem.dtype, false);
    if (spec_.reference) {
      const Config& config = configs_to_compile(launchable, default_config).front()->config;
      try {
        check_compiled(*spec_.reference, "[reference]", instantiate(*spec_.reference, spec_, problem, config), config,
                       problem.dtype, true);
      } catch (const InputError& e) {
        findings_.add("reference-launch", fmt::format("{}; fix: change the [reference] launch", e.what()));
      }
    }
  }

  void check_compiled(const KernelRule& rule, const std::string& table, const KernelInstance& instance,
                      const Config& config, DType dtype, bool reference) {
    CompileOutcome outcome = compiler_.compile(spec_, instance.name_expression, arch_);
    if (!outcome.ok) {
      if (auto named = explain_name_error(rule, table, instance.name_expression, spec_, outcome.error))
        findings_.add("name", *named);
      else
        findings_.add("compile", fmt::format("{}: {} {} does not compile for {}: {}; fix: the error is in {} (-v prints "
                                             "NVRTC's whole log)",
                                             rule.where.str(), table, instance.name_expression, arch_,
                                             compile_error_headline(outcome.error), spec_.source.name));
      return;
    }
    ++compiled_;
    if (auto parameters = kernel_parameter_types(outcome.kernel.lowered_name))
      for (const auto& message : signature_mismatches(*parameters, spec_, dtype, instance.name_expression, reference))
        findings_.add(table + "signature", message);
    if (auto violation = launch_bounds_violation(rule, table, outcome.kernel, instance.geometry, config))
      findings_.add("launch_bounds", *violation);
  }
};

std::string fix_for_name_error(const std::string& why, const std::string& source) {
  if (why.find("cannot determine which instance") != std::string::npos)
    return fmt::format("give the template arguments the kernel in {} takes, in its order (a type for each typename, "
                       "a number or true/false for the others)", source);
  return fmt::format("spell the namespace and function as {} declares the __global__ function", source);
}

}  // namespace

std::string compile_error_headline(const std::string& log) {
  std::size_t at = log.find("error:");
  std::size_t start = at == std::string::npos ? 0 : log.rfind('\n', at);
  start = start == std::string::npos || at == std::string::npos ? 0 : start + 1;
  return log.substr(start, log.find('\n', start) - start);
}

Unlaunchable count_unlaunchable(const TemplateSpec& spec, const Problem& problem, const std::vector<Config>& configs) {
  Unlaunchable out;
  for (const auto& c : configs) {
    try {
      instantiate(spec.kernel, spec, problem, c);
    } catch (const InputError& e) {
      if (out.count++ == 0) out.first_reason = e.what();
    }
  }
  return out;
}

TemplateCheckReport check_template(const TemplateSpec& spec, const Compiler& compiler, const TemplateCheckOptions& options) {
  TemplateCheckReport report;
  Checker(spec, compiler, options, report).run();
  return report;
}

std::optional<std::string> explain_name_error(const KernelRule& rule, const std::string& table,
                                              const std::string& name_expression, const TemplateSpec& spec,
                                              const std::string& nvrtc_error) {
  const std::size_t map = nvrtc_error.find("__nv_name_map");
  if (map == std::string::npos) return std::nullopt;
  const std::size_t error = nvrtc_error.find("error: ", map);
  std::string why = error == std::string::npos ? "" : nvrtc_error.substr(error + 7);
  why = why.substr(0, why.find('\n'));
  return fmt::format("{}: {} name '{}' ({} here) names no __global__ function in {}: NVRTC says {}; fix: {}",
                     rule.where.str(), table, rule.name, name_expression, spec.source.name, why,
                     fix_for_name_error(why, spec.source.name));
}

std::optional<std::string> launch_bounds_violation(const KernelRule& rule, const std::string& table,
                                                   const CompiledKernel& kernel, const LaunchGeometry& geometry,
                                                   const Config& config) {
  const auto limits = read_kernel_launch_limits(kernel.cubin, kernel.lowered_name);
  if (!limits) return std::nullopt;
  const long long threads = geometry.threads_per_block();
  const auto& b = geometry.block;
  const std::string where = rule.block.empty() ? rule.where.str() : rule.block.front().where().str();
  std::string block_product;
  for (const auto& e : rule.block) block_product += (block_product.empty() ? "" : " * ") + ("(" + e.text() + ")");
  if (rule.block.size() == 1) block_product = rule.block.front().text();
  const std::string for_config = config.values.empty() ? "" : " for " + config.str();
  if (limits->max_threads) {
    const auto& m = *limits->max_threads;
    const long long max = m[0] * m[1] * m[2];
    if (threads > max)
      return fmt::format("{}: {} block {}x{}x{} ({} threads){} is over {}'s __launch_bounds__({}): the launch fails on a "
                         "GPU; fix: make __launch_bounds__ follow the block (e.g. __launch_bounds__({})), or add the "
                         "constraint \"{} <= {}\"",
                         where, table, b[0], b[1], b[2], threads, for_config, kernel.name_expression, max,
                         rule.block.size() == 1 ? rule.block.front().text() : "THREADS", block_product, max);
  }
  if (limits->required_threads && *limits->required_threads != b) {
    const auto& r = *limits->required_threads;
    return fmt::format("{}: {} block {}x{}x{}{} is not the {}x{}x{} block {} requires (.reqntid): the launch fails on a "
                       "GPU; fix: launch with that block",
                       where, table, b[0], b[1], b[2], for_config, r[0], r[1], r[2], kernel.name_expression);
  }
  return std::nullopt;
}

std::vector<std::string> figure_problems(const TemplateSpec& spec, const Problem& problem, const Config& config) {
  std::vector<std::string> out;
  Bindings b = problem.bindings();
  config.bind(b);
  const std::string at = fmt::format("shape {} {}", problem.shape_str(), dtype_info(problem.dtype).name);
  auto value_of = [&](const Expression& e) -> std::optional<double> {
    try {
      return e.evaluate(b);
    } catch (const InputError& error) {
      out.push_back(error.what());
      return std::nullopt;
    }
  };
  if (auto bytes = value_of(spec.ideal_bytes); bytes && !(*bytes > 0))
    out.push_back(fmt::format("{}: roofline bytes = '{}' is {} at {}; it must be positive: the fewest DRAM bytes the problem "
                              "moves; fix: count each byte the problem must read or write once",
                              spec.ideal_bytes.where().str(), spec.ideal_bytes.text(), *bytes, at));
  if (auto flops = value_of(spec.flops); flops && *flops < 0)
    out.push_back(fmt::format("{}: roofline flops = '{}' is {} at {}; it must not be negative; fix: count the useful "
                              "arithmetic (0 for a copy)",
                              spec.flops.where().str(), spec.flops.text(), *flops, at));
  for (const auto& arg : spec.args) {
    if (!arg.is_buffer()) continue;
    auto count = value_of(arg.count);
    if (!count) continue;
    if (!(*count >= 1) || *count != std::floor(*count))
      out.push_back(fmt::format("{}: [[args]] '{}' count = '{}' is {} for {} at {}; a buffer holds a whole number of "
                                "elements, at least 1; fix: write the count as the number of elements the kernel reads "
                                "or writes",
                                arg.count.where().str(), arg.name, arg.count.text(), *count,
                                config.values.empty() ? "the config" : config.str(), at));
  }
  return out;
}

std::vector<long long> example_shape(const TemplateSpec& spec) {
  const std::size_t n = spec.dims.size();
  std::vector<std::vector<long long>> candidates = {std::vector<long long>(n, 4096), std::vector<long long>(n, 8192),
                                                    std::vector<long long>(n, 1 << 20), std::vector<long long>(n, 1024),
                                                    std::vector<long long>(n, 1)};
  if (n > 1) {
    candidates.insert(candidates.begin() + 1, std::vector<long long>(n, 8192));
    candidates[1][0] = 4096;
  }
  for (const auto& dims : candidates) {
    try {
      if (!configs_of(SearchSpace(spec, make_problem(spec, dims, spec.dtypes.front())), {}).empty()) return dims;
    } catch (const InputError&) {
    }
  }
  return candidates.front();
}

}  // namespace tkbench
