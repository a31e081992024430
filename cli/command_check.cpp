// `tkbench check [NAME]`: the offline template check (tuner/template_check.hpp)
// for a template author and CI, without a GPU: every dtype, the kernel and
// reference compiled, their parameters against [[args]], blocks against
// __launch_bounds__, launch limits, counts, roofline, reference dtypes.
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/offline_check.hpp"
#include "reports/terminal.hpp"
#include "tuner/compiler.hpp"
#include "tuner/diagnostics.hpp"

namespace tkbench {
namespace {

struct CheckArgs {
  std::string name, shape, dtype, arch = "sm_90", config;
};

// NAME; else every template from --template-dir / TKBENCH_TEMPLATE_PATH; else the built-ins.
std::vector<const TemplateSpec*> templates_to_check(const TemplateRegistry& registry, const std::string& name,
                                                    bool user_dirs) {
  std::vector<const TemplateSpec*> out;
  if (!name.empty()) return {&registry.get(name)};
  for (const auto& t : registry.all())
    if (t.builtin != user_dirs) out.push_back(&t);
  return out;
}

}  // namespace

CommandRunner add_check_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand("check", "Check templates offline (no GPU): what would otherwise fail only on a GPU");
  cmd->add_option("name", args->name, "Template to check (default: every template in --template-dir, else the built-ins)");
  cmd->add_option("--shape", args->shape, "Check the configs at this shape (default: an example shape with valid configs)");
  cmd->add_option("--dtype", args->dtype, "Check only this dtype (default: every dtype the template supports)");
  cmd->add_option("--arch", args->arch, "Compile for this arch (default sm_90)")->default_val("sm_90");
  cmd->add_option("--config", args->config, "Check only configs with these parameters: VEC=8,THREADS=256");
  cmd->footer(R"(
For each dtype, at one shape: the kernel (the default config and the one with
the largest block) and the reference compile for the arch, and their names
name __global__ functions of the source; each kernel's parameter list matches
[[args]] in count and type; the block fits the kernel's __launch_bounds__
(read from the CUBIN); configs can launch (grid within 2^31-1, ...); buffer
counts and roofline bytes are positive; an output's reference_dtype is a
float type when the output is. Every problem is named with the manifest's
file:line and what to change. Exit 0 when all is well, 2 otherwise.
show and compile run the same check for the problem they are given.

Examples:
  tkbench check --template-dir my_templates
  tkbench check axpy --template-dir my_templates --shape 1000003
  tkbench check rmsnorm --dtype bf16)");

  return [&global, args]() -> int {
    Compiler::check_arch(args->arch);
    warn_without_occupancy_table(args->arch);
    auto registry = global.load_templates();
    const bool user_dirs = !TemplateRegistry::user_template_dirs(global.template_dirs).empty();
    KernelCache cache(global.resolved_cache_dir());
    Compiler compiler(cache.enabled() ? &cache : nullptr);
    nlohmann::ordered_json json_out = nlohmann::ordered_json::array();
    int failed = 0;
    if (args->name.empty())
      for (const auto& e : registry.load_errors()) {
        ++failed;
        if (global.json) json_out.push_back({{"load_error", e}, {"ok", false}});
        else std::printf("%s  %s\n", styled("FAIL", Style::red, global.color_stdout()).c_str(), e.c_str());
      }
    for (const TemplateSpec* spec : templates_to_check(registry, args->name, user_dirs)) {
      TemplateCheckOptions options;
      options.arch = args->arch;
      if (!args->dtype.empty()) options.dtypes = {parse_problem_dtype(args->dtype, *spec)};
      if (!args->shape.empty()) options.shape = parse_shape(args->shape, *spec);
      options.filter = parse_config_filter(args->config, *spec);
      TemplateCheckReport report = check_template(*spec, compiler, options);
      if (!report.ok()) ++failed;
      if (global.json) {
        json_out.push_back({{"template", spec->name}, {"manifest", spec->manifest_path}, {"ok", report.ok()},
                            {"shape", report.shape}, {"findings", report.findings}, {"checked", report.checked}});
        continue;
      }
      const bool color = global.color_stdout();
      std::printf("%s  %s (%s)\n", report.ok() ? styled("ok  ", Style::green, color).c_str() : styled("FAIL", Style::red, color).c_str(),
                  spec->name.c_str(), spec->manifest_path.c_str());
      for (const auto& f : report.findings) std::printf("      %s\n", f.c_str());
      if (global.verbose || report.ok())
        for (const auto& c : report.checked) std::printf("      %s\n", c.c_str());
    }
    if (global.json) std::printf("%s\n", json_out.dump(2).c_str());
    return failed ? kExitBadInput : kExitOk;
  };
}

}  // namespace tkbench
