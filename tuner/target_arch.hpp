#pragma once
// The arch a template's kernels are compiled for. A manifest may require one
// (`arch = "sm_90a"`: wgmma and setmaxnreg exist only in the arch-specific
// target of compute capability 9.0); the asked-for arch (--arch, or the GPU's)
// must then be that compute capability, and the kernels are compiled for the
// required target. A plain `arch = "sm_80"` is a minimum.
#include <string>

#include "tuner/template_spec.hpp"

namespace tkbench {

// The arch to compile `spec`'s kernels for when `arch` is asked for. Throws
// InputError, naming both, when the template cannot run there.
std::string target_arch(const TemplateSpec& spec, const std::string& arch);

// SMs of the usual data-centre GPU of an arch (sm_90: H100/H200 SXM, 132), for
// `num_sms` in launch expressions when no GPU says: compiling offline.
long long default_sm_count(const std::string& arch);

// The opt-in shared memory per block of an arch (`max_shared_bytes` in
// expressions); sm_90's 227 KB for arches without an occupancy table.
long long max_shared_bytes_of(const std::string& arch);

}  // namespace tkbench
