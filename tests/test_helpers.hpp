#pragma once
// Shared by the tests: building manifests from strings, and running the
// tkbench binary as a user would.
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <map>
#include <sys/wait.h>
#include <unistd.h>
#include <string>

#include <fmt/format.h>

#include "tuner/config.hpp"
#include "tuner/manifest_parser.hpp"
#include "tuner/result.hpp"
#include "tuner/template_registry.hpp"

namespace tkbench::test {

// An ok result of a one-dimensional problem timed at `median_us`: what roofline figures need.
inline Result timed_result(DType dtype, double median_us) {
  Result r;
  r.template_name = "t";
  r.problem.dim_names = {"N"};
  r.problem.dims = {1};
  r.problem.dtype = dtype;
  r.status = Status::ok;
  Measurement m;
  m.timing = TimingStats{};
  m.timing->median_us = median_us;
  r.measurement = m;
  return r;
}

// The binary and fixtures under test; the environment may point elsewhere
// (a build carried to a GPU machine, where the source tree lives at another path).
inline std::string binary() {
  const char* env = std::getenv("TKBENCH_BINARY");
  return env && *env ? env : TKBENCH_BINARY;
}
inline std::string fixtures() {
  const char* env = std::getenv("TKBENCH_TEST_FIXTURES");
  return env && *env ? env : TKBENCH_TEST_FIXTURES;
}

// A config's value of `name`, or `otherwise` where the template has no such parameter.
inline long long param_or(const Config& c, std::string_view name, long long otherwise) {
  for (const auto& [key, value] : c.values)
    if (key == name) return value;
  return otherwise;
}

// The rmsnorm family's kernel paths: how a config holds the row (registers,
// re-read, shared memory, shared memory pipelined over several row groups),
// loads w and splits the row over a cluster.
inline std::string rmsnorm_kernel_mode(const Config& c) {
  const bool staged = param_or(c, "ROW_SMEM", 0) != 0, in_registers = c.at("ITEMS") > 0;
  const char* row = staged && in_registers      ? "split"
                    : staged                    ? (param_or(c, "ROW_GROUPS", 1) > 1 ? "pipelined" : "shared")
                    : in_registers              ? "registers"
                                                : "re-read";
  return fmt::format("{} w{} cluster{}", row, param_or(c, "WLOAD", 0), param_or(c, "CLUSTER", 1));
}

// The built-in templates and tests/fixtures/partly_broken (two configs compile, one does not).
inline const TemplateRegistry& registry_with_partly_broken() {
  static auto r = TemplateRegistry::load({fixtures() + "/partly_broken"});
  return r;
}

// A complete, valid manifest; tests replace pieces of it to make bad ones.
inline const std::string kValidManifest = R"TOML(name = "scale"
description = "y = a * x"
source = "scale.cu"
shape = ["M", "N"]
dtypes = ["bf16", "fp32"]
constraints = ["N % VEC == 0", "THREADS * VEC <= 4096"]

[kernel]
name = "scale<{dtype}, {VEC}, {THREADS}>"
grid = ["ceil_div(M * N, THREADS * VEC)"]
block = ["THREADS"]

[params]
VEC = [1, 2, 4]
THREADS = [64, 128, 256, 512]

[roofline]
bytes = "2 * M * N * size(dtype)"
flops = "M * N"

[[args]]
name = "x"
kind = "input"
count = "M * N"
init = "normal(0, 1)"

[[args]]
name = "y"
kind = "output"
count = "M * N"
)TOML";

inline const std::string kScaleSource = R"CU(#include <cuda_bf16.h>
template <typename T, int VEC, int THREADS>
__global__ void scale(const T* x, T* y) { }
)CU";

inline TemplateSpec parse_text(const std::string& toml, const std::string& path = "t.toml") {
  ManifestInput in;
  in.display_path = path;
  in.text = toml;
  in.read_relative = [](const std::string& rel) -> std::optional<std::string> {
    if (rel == "scale.cu") return kScaleSource;
    return std::nullopt;
  };
  in.read_shared_header = TemplateRegistry::shared_header;
  return parse_manifest(in);
}

// kValidManifest with the first occurrence of `from` replaced by `to`.
inline std::string with(const std::string& from, const std::string& to, std::string text = kValidManifest) {
  auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("test fixture does not contain: " + from);
  return text.replace(at, from.size(), to);
}

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout (run_tkbench: stdout and stderr together)
};

// Runs a shell command line; its stdout is the output (redirect as needed).
inline RunResult run_shell(const std::string& cmd) {
  RunResult r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs the tkbench binary with `args` (a shell-quoted string).
inline RunResult run_tkbench(const std::string& args, const std::string& env = "") {
  return run_shell(env + " " + binary() + " " + args + " 2>&1");
}

// A fresh empty folder under the system temp dir.
inline std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("tkbench-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The process works in `dir` while this lives: for paths as a user types them.
struct WorkingFolder {
  std::filesystem::path previous = std::filesystem::current_path();
  explicit WorkingFolder(const std::filesystem::path& dir) { std::filesystem::current_path(dir); }
  ~WorkingFolder() { std::filesystem::current_path(previous); }
  WorkingFolder(const WorkingFolder&) = delete;
  WorkingFolder& operator=(const WorkingFolder&) = delete;
};

}  // namespace tkbench::test
