#pragma once
// The offline template check as show and compile run it: the problem at hand,
// through the kernel cache; any finding refuses the command (exit 2) with
// every finding listed. `tkbench check` runs the same check for every dtype.
#include "cli/global_options.hpp"
#include "tuner/template_check.hpp"

namespace tkbench {

// Throws InputError listing `findings`, unless there are none.
void refuse_findings(const TemplateSpec& spec, const std::vector<std::string>& findings);

// Runs check_template; throws InputError listing the findings.
void refuse_template_problems(const TemplateSpec& spec, const Compiler& compiler, const TemplateCheckOptions& options);

// Warns that `arch` has no occupancy table, naming the arches that have one.
void warn_without_occupancy_table(const std::string& arch);

}  // namespace tkbench
