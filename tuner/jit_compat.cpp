#include "tuner/jit_compat.hpp"

namespace tkbench {
namespace {
constexpr const char* kPreInclude = "tkbench_jit_compat.h";
}

const std::vector<SourceFile>& jit_compat_headers() {
  static const std::vector<SourceFile> headers = [] {
    std::vector<SourceFile> out;
    for (const char* name : {"bit", "concepts", "cstddef", "cstdint", "type_traits"})
      out.push_back({name, std::string("#pragma once\n#include <cuda/std/") + name +
                               ">\nnamespace std { using namespace cuda::std; }\n"});
    out.push_back({kPreInclude,
                   "#pragma once\n"
                   "// tkbench jit_compat: host-marked functions compile as device functions under NVRTC.\n"
                   "#include <cuda_runtime.h>\n"
                   "#undef __host__\n"
                   "#define __host__\n"});
    return out;
  }();
  return headers;
}

std::vector<std::string> jit_compat_options(const std::string& cuda_include_dir) {
  return {"-I" + cuda_include_dir + "/cccl", std::string("-include=") + kPreInclude};
}

}  // namespace tkbench
