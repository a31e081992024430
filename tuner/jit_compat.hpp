#pragma once
// What `jit_compat = true` adds to a compile, for kernels written for nvcc
// (ThunderKittens): NVRTC has no <bit>, <concepts>, <cstddef>, <cstdint> or
// <type_traits>, and refuses functions marked __host__ in JIT mode.
#include <string>
#include <vector>

#include "tuner/template_spec.hpp"

namespace tkbench {

// One-line headers under the standard names, each including its
// <cuda/std/...> counterpart (the toolkit's include/cccl) and making its
// names visible in std; and the pre-included header that defines __host__
// empty after cuda_runtime.h (with -default-device, unmarked functions are
// device functions). Handed to NVRTC by name and hashed into cache keys.
const std::vector<SourceFile>& jit_compat_headers();

// The NVRTC options that go with them: the cccl include folder and the pre-include.
std::vector<std::string> jit_compat_options(const std::string& cuda_include_dir);

}  // namespace tkbench
