#pragma once
// The compiler stage: NVRTC straight to a CUBIN for one arch, through the
// disk cache. Thread-safe: compile() may run on many threads at once. NVRTC
// runs in this process, or in compile server processes (use_servers).
#include <string>
#include <vector>

#include "tuner/compile_servers.hpp"
#include "tuner/compiled_kernel.hpp"
#include "tuner/kernel_cache.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

struct CompileOutcome {
  bool ok = false;
  CompiledKernel kernel;  // when ok
  std::string error;      // when not: NVRTC's log, for a compile_error record
};

class Compiler {
 public:
  // `cache` may be null: compile without caching.
  explicit Compiler(KernelCache* cache) : cache_(cache) {}
  // Compiles from now on go to `servers` (null: this process again). Many
  // compiles at once scale there; the cache key and the CUBINs are the same.
  void use_servers(CompileServers* servers) { servers_ = servers; }

  CompileOutcome compile(const TemplateSpec& spec, const std::string& name_expression, const std::string& arch) const;

  // Hash of the source, its headers, the options, the NVRTC build, the arch
  // and the name expression: everything that determines the CUBIN.
  std::string cache_key(const TemplateSpec& spec, const std::string& name_expression, const std::string& arch) const;
  std::vector<std::string> options(const TemplateSpec& spec, const std::string& arch) const;

  // "13.0 (libnvrtc.so.13.0.88)": the version and the exact library loaded.
  static const std::string& nvrtc_version();
  // Archs NVRTC can build a CUBIN for: "sm_75", ..., "sm_90", "sm_90a", ...
  static std::vector<std::string> supported_archs();
  // Throws InputError unless `arch` is one NVRTC supports.
  static void check_arch(const std::string& arch);
  // The CUDA include folder NVRTC needs for cuda_bf16.h and friends.
  static const std::string& cuda_include_dir();

 private:
  KernelCache* cache_;
  CompileServers* servers_ = nullptr;
};

}  // namespace tkbench
