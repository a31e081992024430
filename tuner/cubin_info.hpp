#pragma once
// What a CUBIN says about one of its kernels, read from the ELF without a
// GPU: the block sizes its __launch_bounds__ allow. ptxas writes them into
// the kernel's .nv.info.<lowered name> section (EIATTR_MAX_THREADS for
// __launch_bounds__ / .maxntid, EIATTR_REQNTID for .reqntid); a launch with
// a larger block fails on the GPU with "too many resources requested".
#include <array>
#include <optional>
#include <string_view>

namespace tkbench {

struct KernelLaunchLimits {
  std::optional<std::array<long long, 3>> max_threads;       // __launch_bounds__(N): {N, 1, 1}
  std::optional<std::array<long long, 3>> required_threads;  // .reqntid: the block must be exactly this
};

// nullopt when `cubin` is not an ELF image tkbench can read or has no
// .nv.info section for `lowered_name`.
std::optional<KernelLaunchLimits> read_kernel_launch_limits(std::string_view cubin, std::string_view lowered_name);

}  // namespace tkbench
