#pragma once
// Parses the resource report ptxas writes with -v into ResourceUsage.
#include <optional>
#include <string_view>

#include "tuner/compiled_kernel.hpp"

namespace tkbench {

// The report for `lowered_name` in `log` (which may describe several
// functions); nullopt when the log holds no report for it.
std::optional<ResourceUsage> parse_ptxas_report(std::string_view log, std::string_view lowered_name);

}  // namespace tkbench
