#pragma once
// A compiled kernel's parameter list, read back from its lowered (mangled)
// name, compared with the manifest's [[args]]: a kernel launched with an
// argument list it does not take reads garbage or faults, and only on a GPU.
#include <optional>
#include <string>
#include <vector>

#include "tuner/template_spec.hpp"

namespace tkbench {

// The parameter types as the C++ demangler spells them ("__nv_bfloat16 const*",
// "long long"); nullopt for a name that is not a mangled C++ function
// (an extern "C" kernel), whose parameters cannot be known.
std::optional<std::vector<std::string>> kernel_parameter_types(const std::string& lowered_name);

// Each way `parameters` differs from spec.args at `dtype`, as a message that
// names the manifest's file:line and the fix. `reference`: the reference
// kernel, whose outputs may be of their reference_dtype.
std::vector<std::string> signature_mismatches(const std::vector<std::string>& parameters, const TemplateSpec& spec,
                                              DType dtype, const std::string& kernel_name, bool reference);

}  // namespace tkbench
