#pragma once
// Output of `tkbench list` and `tkbench show`.
#include <cstdio>
#include <optional>
#include <vector>

#include "tuner/search_space.hpp"
#include "tuner/template_check.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

void print_template_list(std::FILE* out, const std::vector<TemplateSpec>& templates, bool color);
// `valid_configs`: the configs that satisfy the constraints at `problem` and can
// launch, when a shape was given; `unlaunchable`: those that satisfy the
// constraints but cannot launch.
void print_template_details(std::FILE* out, const TemplateSpec& spec, const std::optional<Problem>& problem,
                            std::optional<std::size_t> valid_configs, const Unlaunchable& unlaunchable, bool color);

}  // namespace tkbench
