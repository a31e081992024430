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
// What `show --shape` found at one problem.
struct SpaceAtShape {
  Problem problem;
  std::size_t valid_configs = 0;  // satisfy the constraints and can launch
  Unlaunchable unlaunchable;      // satisfy the constraints but cannot launch
  std::vector<std::uint64_t> pruned_by;  // raw configs each constraint removed (SearchSpace::pruned_by)
  std::vector<std::pair<Config, double>> model_best;  // the [model]'s cheapest configs and their predicted cost
};
void print_template_details(std::FILE* out, const TemplateSpec& spec, const std::optional<SpaceAtShape>& at_shape,
                            bool color);

}  // namespace tkbench
