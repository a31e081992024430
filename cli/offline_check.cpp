#include "cli/offline_check.hpp"

#include <fmt/format.h>

#include "tuner/diagnostics.hpp"
#include "tuner/occupancy.hpp"

namespace tkbench {

void refuse_template_problems(const TemplateSpec& spec, const Compiler& compiler, const TemplateCheckOptions& options) {
  refuse_findings(spec, check_template(spec, compiler, options).findings);
}

void refuse_findings(const TemplateSpec& spec, const std::vector<std::string>& findings) {
  if (findings.empty()) return;
  std::string message = fmt::format("{} has {} problem{} that would fail on a GPU:", spec.name, findings.size(),
                                    findings.size() == 1 ? "" : "s");
  for (const auto& f : findings) message += "\n  " + f;
  message += fmt::format("\n(`tkbench check {}{}` checks every dtype without a GPU)", spec.name,
                         spec.builtin ? "" : " --template-dir DIR");
  throw InputError(message);
}

void warn_without_occupancy_table(const std::string& arch) {
  if (arch_limits(arch)) return;
  std::string archs;
  for (const auto& a : supported_archs()) archs += (archs.empty() ? "" : ", ") + std::string(a.arch);
  diagnostics().warn(fmt::format("tkbench has no occupancy table for {}; it has tables for {} (and their 'a'/'f' variants "
                                 "such as sm_90a): configs compile, and the occupancy column shows '-'",
                                 arch, archs));
}

}  // namespace tkbench
