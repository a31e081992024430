// `tkbench list` and `tkbench show NAME`.
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/offline_check.hpp"
#include "reports/template_report.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/model_ranking.hpp"
#include "tuner/result_json.hpp"

namespace tkbench {

CommandRunner add_list_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("list", "List templates: built-in ones and those from --template-dir / TKBENCH_TEMPLATE_PATH");
  cmd->footer("\nExample:\n  tkbench list --template-dir ./my_kernels");
  return [&global] {
    auto registry = global.load_templates();
    for (const auto& e : registry.load_errors()) diagnostics().warn(e);
    if (global.json) {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& t : registry.all()) out.push_back(to_json(t));
      std::printf("%s\n", out.dump(2).c_str());
    } else {
      print_template_list(stdout, registry.all(), global.color_stdout());
    }
    return 0;
  };
}

CommandRunner add_show_command(CLI::App& app, const GlobalOptions& global) {
  struct Args {
    std::string name, shape, dtype;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("show", "Show a template: parameters, constraints, shape dims, dtypes, space size");
  cmd->add_option("name", args->name, "Template name (see `tkbench list`)")->required();
  cmd->add_option("--shape", args->shape, "Count the valid configs at this shape, e.g. 4096x8192");
  cmd->add_option("--dtype", args->dtype, "dtype for --shape (default: the template's first)");
  cmd->footer("\nExample:\n  tkbench show rmsnorm --shape 4096x8192 --dtype bf16");
  return [&global, args] {
    if (args->shape.find(',') != std::string::npos)
      throw InputError(fmt::format("show takes one shape, not the list '{}': run show once per shape (compile and tune take "
                                   "several)", args->shape));
    auto registry = global.load_templates();
    const TemplateSpec& spec = registry.get(args->name);
    const DType dtype = parse_problem_dtype(args->dtype, spec);
    std::optional<SpaceAtShape> at_shape;
    if (!args->shape.empty()) {
      Problem problem = make_problem(spec, parse_shape(args->shape, spec), dtype);
      SearchSpace space(spec, problem);
      auto configs = space.enumerate();
      at_shape = SpaceAtShape{problem, 0, count_unlaunchable(spec, problem, configs), space.pruned_by(), {}};
      at_shape->valid_configs = configs.size() - at_shape->unlaunchable.count;
      const std::size_t kShownBest = 8;
      for (auto& c : rank_by_model(spec, problem, configs)) {
        if (!spec.model || at_shape->model_best.size() >= kShownBest) break;
        at_shape->model_best.emplace_back(c, *predicted_cost(spec, problem, c));
      }
    }
    if (global.json) {
      auto out = to_json(spec);
      if (at_shape) {
        out["problem"] = to_json(at_shape->problem);
        out["valid_configs"] = at_shape->valid_configs;
        out["configs_that_cannot_launch"] = at_shape->unlaunchable.count;
        out["configs_removed_by_constraint"] = at_shape->pruned_by;
        if (spec.model) {
          nlohmann::ordered_json best = nlohmann::ordered_json::array();
          for (const auto& [c, cost] : at_shape->model_best) best.push_back({{"config", c.str()}, {"predicted_cost", cost}});
          out["model_best"] = best;
        }
      }
      std::printf("%s\n", out.dump(2).c_str());
    } else {
      print_template_details(stdout, spec, at_shape, global.color_stdout());
    }
    // What would fail only on a GPU is found now (sm_90, this dtype; `check` does every dtype).
    TemplateCheckOptions check;
    check.dtypes = {dtype};
    if (at_shape) check.shape = at_shape->problem.dims;
    KernelCache cache(global.resolved_cache_dir());
    refuse_template_problems(spec, Compiler(cache.enabled() ? &cache : nullptr), check);
    return 0;
  };
}

}  // namespace tkbench
