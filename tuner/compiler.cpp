#include "tuner/compiler.hpp"

#include <dlfcn.h>
#include <nvrtc.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

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

std::string program_log(nvrtcProgram program) {
  std::size_t size = 0;
  if (nvrtcGetProgramLogSize(program, &size) != NVRTC_SUCCESS || size <= 1) return "";
  std::string log(size, '\0');
  nvrtcGetProgramLog(program, log.data());
  log.resize(size - 1);
  return log;
}

// Releases an NVRTC program on every path out of compile().
struct ProgramGuard {
  nvrtcProgram program = nullptr;
  ~ProgramGuard() {
    if (program) nvrtcDestroyProgram(&program);
  }
};

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
      "--gpu-architecture=" + arch, "-std=c++17", "-default-device",
      "-lineinfo",      // source lines for Nsight Compute; no effect on code
      "-Xptxas=-v",     // the resource report, parsed into ResourceUsage
      "-I" + cuda_include_dir(),
  };
  if (!spec.include_dir.empty()) opts.push_back("-I" + spec.include_dir);
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
  std::vector<const char*> header_texts, header_names;
  for (const auto& h : spec.headers) {
    header_texts.push_back(h.text.c_str());
    header_names.push_back(h.name.c_str());
  }
  ProgramGuard guard;
  nvrtcResult rc = nvrtcCreateProgram(&guard.program, spec.source.text.c_str(), spec.source.name.c_str(),
                                      static_cast<int>(header_texts.size()), header_texts.data(), header_names.data());
  if (rc != NVRTC_SUCCESS) {
    outcome.error = fmt::format("nvrtcCreateProgram: {}", nvrtcGetErrorString(rc));
    return outcome;
  }
  rc = nvrtcAddNameExpression(guard.program, name_expression.c_str());
  if (rc != NVRTC_SUCCESS) {
    outcome.error = fmt::format("nvrtcAddNameExpression('{}'): {}", name_expression, nvrtcGetErrorString(rc));
    return outcome;
  }
  auto opts = options(spec, arch);
  std::vector<const char*> argv;
  for (const auto& o : opts) argv.push_back(o.c_str());
  rc = nvrtcCompileProgram(guard.program, static_cast<int>(argv.size()), argv.data());
  std::string log = program_log(guard.program);
  if (rc != NVRTC_SUCCESS) {
    outcome.error = fmt::format("{} for {}:\n{}", nvrtcGetErrorString(rc), name_expression, log);
    return outcome;
  }
  const char* lowered = nullptr;
  rc = nvrtcGetLoweredName(guard.program, name_expression.c_str(), &lowered);
  if (rc != NVRTC_SUCCESS || !lowered) {
    outcome.error = fmt::format("'{}' names no __global__ function in {}: {}", name_expression, spec.source.name,
                                nvrtcGetErrorString(rc));
    return outcome;
  }
  CompiledKernel& k = outcome.kernel;
  k.lowered_name = lowered;
  std::size_t cubin_size = 0;
  rc = nvrtcGetCUBINSize(guard.program, &cubin_size);
  if (rc != NVRTC_SUCCESS || cubin_size == 0) {
    outcome.error = fmt::format("no CUBIN for {} (is '{}' a real sm_ arch?): {}", name_expression, arch,
                                nvrtcGetErrorString(rc));
    return outcome;
  }
  k.cubin.resize(cubin_size);
  nvrtcGetCUBIN(guard.program, k.cubin.data());
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
