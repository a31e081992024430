#include "cli/offline_check.hpp"

#include <fmt/format.h>

#include "tuner/diagnostics.hpp"
#include "tuner/occupancy.hpp"

namespace tkbench {

void refuse_template_problems(const TemplateSpec& spec, const Compiler& compiler, const TemplateCheckOptions& options) {
  TemplateCheckReport report = check_template(spec, compiler, options);
  if (report.ok()) return;
  std::string message = fmt::format("{} has {} problem{} that would fail on a GPU:", spec.name, report.findings.size(),
                                    report.findings.size() == 1 ? "" : "s");
  for (const auto& f : report.findings) message += "\n  " + f;
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
