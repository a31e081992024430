#include "tuner/compiler.hpp"

#include <dlfcn.h>
#include <nvrtc.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "tuner/jit_compat.hpp"
#include "tuner/nvrtc_job.hpp"
#include "tuner/ptxas_report.hpp"
#include "tuner/sha256.hpp"

namespace tkbench {
namespace {

// Where a driver is installed, NVRTC keeps its own compile cache, and a hit
// there skips ptxas, so -Xptxas=-v reports nothing and the resources are lost
// (seen on the H200 machines: 19 of 20 repeated compiles had an empty log).
// tkbench caches CUBINs itself, with the report; turn NVRTC's cache off for
// this process and the workers it starts, before NVRTC is first used.
const bool kNvrtcCacheDisabled = [] { return ::setenv("CUDA_CACHE_DISABLE", "1", 1) == 0; }();

}  // namespace

const std::string& Compiler::nvrtc_version() {
  static const std::string version = [] {
    int major = 0, minor = 0;
    nvrtcVersion(&major, &minor);
    std::string library = "unknown library";
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&nvrtcCompileProgram), &info) && info.dli_fname) {
      std::error_code ec;
      auto real = std::filesystem::canonical(info.dli_fname, ec);
      // The size tells patch releases apart, which share a soname.
      auto path = ec ? std::filesystem::path(info.dli_fname) : real;
      auto size = std::filesystem::file_size(path, ec);
      library = fmt::format("{}, {} bytes", path.filename().string(), ec ? 0 : size);
    }
    return fmt::format("{}.{} ({})", major, minor, library);
  }();
  return version;
}

std::vector<std::string> Compiler::supported_archs() {
  int count = 0;
  nvrtcGetNumSupportedArchs(&count);
  std::vector<int> archs(static_cast<std::size_t>(std::max(count, 0)));
  if (count > 0) nvrtcGetSupportedArchs(archs.data());
  std::vector<std::string> out;
  for (int a : archs) {
    out.push_back(fmt::format("sm_{}", a));
    if (a >= 90) out.push_back(fmt::format("sm_{}a", a));  // arch-specific features (wgmma, setmaxnreg)
  }
  return out;
}

void Compiler::check_arch(const std::string& arch) {
  auto archs = supported_archs();
  if (std::find(archs.begin(), archs.end(), arch) != archs.end()) return;
  std::string list;
  for (const auto& a : archs) list += (list.empty() ? "" : ", ") + a;
  throw InputError(fmt::format("--arch '{}' is not an arch NVRTC {} builds for; use one of {}", arch, nvrtc_version(), list));
}

const std::string& Compiler::cuda_include_dir() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    std::vector<std::string> candidates;
    for (const char* var : {"CUDA_HOME", "CUDA_PATH"})
      if (const char* v = std::getenv(var); v && *v) candidates.push_back(std::string(v) + "/include");
    candidates.push_back(TKBENCH_CUDA_INCLUDE_DIR);
    candidates.push_back("/usr/local/cuda/include");
    for (const auto& c : candidates)
      if (fs::exists(fs::path(c) / "cuda_bf16.h")) return c;
    return std::string(TKBENCH_CUDA_INCLUDE_DIR);
  }();
  return dir;
}

std::vector<std::string> Compiler::options(const TemplateSpec& spec, const std::string& arch) const {
  std::vector<std::string> opts = {
      "--gpu-architecture=" + arch, "-std=" + spec.cxx_standard, "-default-device",
      "-lineinfo",      // source lines for Nsight Compute; no effect on code
      "-Xptxas=-v",     // the resource report, parsed into ResourceUsage
      "-I" + cuda_include_dir(),
  };
  if (spec.jit_compat)
    for (const auto& o : jit_compat_options(cuda_include_dir())) opts.push_back(o);
  if (!spec.include_dir.empty()) opts.push_back("-I" + spec.include_dir);
  for (const auto& dir : spec.include_dirs) opts.push_back("-I" + dir);
  for (const auto& d : spec.defines) opts.push_back("-D" + d);
  for (const auto& o : spec.compile_options) opts.push_back(o);
  return opts;
}

std::string Compiler::cache_key(const TemplateSpec& spec, const std::string& name_expression,
                                const std::string& arch) const {
  Sha256 hash;
  hash.update("tkbench-cubin-v1");
  hash.update(spec.source.name);
  hash.update(spec.source.text);
  for (const auto& h : spec.headers) {
    hash.update(h.name);
    hash.update(h.text);
  }
  if (!spec.include_hash.empty()) hash.update(spec.include_hash);  // headers NVRTC reads from include folders
  if (spec.jit_compat)
    for (const auto& h : jit_compat_headers()) {
      hash.update(h.name);
      hash.update(h.text);
    }
  for (const auto& o : options(spec, arch)) hash.update(o);
  hash.update(nvrtc_version());
  hash.update(arch);
  hash.update(name_expression);
  return hash.hex_digest();
}

CompileOutcome Compiler::compile(const TemplateSpec& spec, const std::string& name_expression,
                                 const std::string& arch) const {
  CompileOutcome outcome;
  const std::string key = cache_key(spec, name_expression, arch);
  if (cache_) {
    if (auto hit = cache_->load(key)) {
      outcome.ok = true;
      outcome.kernel = std::move(*hit);
      return outcome;
    }
  }

  auto start = std::chrono::steady_clock::now();
  NvrtcJob job;
  job.source_name = spec.source.name;
  job.source_text = spec.source.text;
  for (const auto& h : spec.headers) {
    job.header_names.push_back(h.name);
    job.header_texts.push_back(h.text);
  }
  if (spec.jit_compat)
    for (const auto& h : jit_compat_headers()) {
      job.header_names.push_back(h.name);
      job.header_texts.push_back(h.text);
    }
  job.options = options(spec, arch);
  job.name_expression = name_expression;
  job.arch = arch;
  NvrtcOutput nvrtc = servers_ ? servers_->run(job) : run_nvrtc(job);
  if (!nvrtc.ok) {
    outcome.error = std::move(nvrtc.error);
    return outcome;
  }
  const std::string& log = nvrtc.log;
  CompiledKernel& k = outcome.kernel;
  k.lowered_name = std::move(nvrtc.lowered_name);
  k.cubin = std::move(nvrtc.cubin);
  auto report = parse_ptxas_report(log, k.lowered_name);
  if (!report) {
    outcome.error = fmt::format("ptxas reported no resources for {} (NVRTC's own cache skips ptxas: is CUDA_CACHE_DISABLE "
                                "unset?); log:\n{}", k.lowered_name, log);
    return outcome;
  }
  k.resources = *report;
  k.name_expression = name_expression;
  k.arch = arch;
  k.log = log;
  k.cache_key = key;
  k.compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (cache_) cache_->store(k);
  outcome.ok = true;
  return outcome;
}

}  // namespace tkbench
