// [gpu][rmsfam] tests of issue 18's templates: rows off a vector boundary
// (odd N with 16-byte vectors, every kernel path) and the quantized norms
// (FP8 per-row, MXFP8), each against its fp64 reference on random inputs,
// outputs poisoned first (the evaluator's verification). They skip without a
// device (test_skip.hpp). A progress line per step goes to stderr.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "profiler/device.hpp"
#include "profiler/evaluator.hpp"
#include "quick_request.hpp"
#include "test_helpers.hpp"
#include "test_skip.hpp"
#include "tuner/compile_batch.hpp"
#include "tuner/kernel_cache.hpp"
#include "tuner/template_registry.hpp"

using namespace tkbench;

namespace {

// Evaluates each config (compiled together first) and checks it against the reference.
int check_configs(Evaluator& evaluator, Compiler& compiler, const TemplateSpec& spec, const std::vector<long long>& dims,
                  DType dtype, const std::vector<Config>& configs) {
  const Problem p = make_problem(spec, dims, dtype);
  compile_configs(spec, p, configs, compiler, {});
  for (const auto& config : configs) {
    INFO(spec.name << " " << p.shape_str() << " " << dtype_info(dtype).name << " " << config.str());
    EvaluationRequest request = test::quick_request(spec, dims, dtype, config);
    request.graph_below_us = 0;  // correctness only
    request.cold_l2 = false;
    Measurement m = evaluator.evaluate(request, [] {});
    INFO("worst buffer " << m.verification.buffer << ", rel L2 " << m.verification.rel_l2_error << ", first bad "
                         << m.verification.first_bad_index);
    CHECK(m.verification.verified);
    CHECK(m.verification.passed);
    CHECK(m.verification.nonfinite == 0);
  }
  std::fprintf(stderr, "rmsfam test: %s %s %s: %zu configs\n", spec.name.c_str(), p.shape_str().c_str(),
               std::string(dtype_info(dtype).name).c_str(), configs.size());
  return static_cast<int>(configs.size());
}

}  // namespace

// Odd N (5125, 1001, 1, 7, 4097, 16385) with 16-byte vectors: one config of
// every kernel path (registers, re-read, shared, pipelined, split, clusters;
// w read, in registers) per template and shape; rows of 1, 3, 5 and 1101
// (a short last group), so the rows' phases (r * N mod 8) all occur.
TEST_CASE("rows off a vector boundary are correct on every path with 16-byte vectors", "[gpu][rmsfam]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto registry = TemplateRegistry::load({});
  KernelCache cache(test::temp_dir("gpu-rmsfam-odd"));
  Compiler compiler(&cache);
  Evaluator evaluator(registry, compiler, require_device(0));
  // 24577: split rows (half in registers, half in shared memory) need an even count of vectors per thread, which
  // no 1-block config has at N = 16385 (ceil(2048.125 / THREADS) is odd for every THREADS).
  const std::vector<std::vector<long long>> shapes = {{3, 5125}, {1101, 1001}, {1, 1},       {5, 7},
                                                      {1, 4097}, {33, 16385},  {1101, 16385}, {7, 24577}};
  int checked = 0;
  std::set<std::string> paths;
  for (const char* name : {"rmsnorm", "rmsnorm_fp32w", "add_rmsnorm", "add_rmsnorm_inplace"}) {
    const auto& spec = registry.get(name);
    for (const auto& dims : shapes) {
      for (DType dtype : {DType::bf16, DType::fp32}) {
        if (dtype == DType::fp32 && dims[1] > 5125) continue;  // fp32: the short shapes are enough
        const int vec = dtype == DType::bf16 ? 8 : 4;           // 16 bytes
        std::vector<Config> configs;
        std::set<std::string> seen;
        for (const auto& c : SearchSpace(spec, make_problem(spec, dims, dtype)).enumerate())
          if (c.at("VEC") == vec && seen.insert(test::rmsnorm_kernel_mode(c)).second) {
            configs.push_back(c);
            paths.insert(std::string(name) + " " + test::rmsnorm_kernel_mode(c));
          }
        checked += check_configs(evaluator, compiler, spec, dims, dtype, configs);
      }
    }
  }
  CHECK(checked > 100);
  for (const char* mode : {"registers w0 cluster1", "registers w1 cluster1", "re-read w0 cluster1", "shared w0 cluster1",
                           "pipelined w0 cluster1", "split w0 cluster1", "split w0 cluster2", "registers w0 cluster2",
                           "re-read w0 cluster8", "shared w0 cluster8"}) {
    INFO(mode);
    CHECK(paths.count(std::string("rmsnorm ") + mode) == 1);
  }
  for (const char* mode : {"registers w0 cluster1", "registers w1 cluster1", "re-read w0 cluster1"})
    CHECK(paths.count(std::string("add_rmsnorm ") + mode) == 1);
}

// The quantized norms against their fp64 references, quantized the same way:
// codes compared dequantized (each times its own scale) with E4M3's
// tolerance, scales on their own (fp32 per row; E8M0 exact but for ties).
// Decode, odd N (per-row scales), many rows, a long row, fp16; every (WLOAD, HINT) pair;
// every PREFETCH where the shape has it (1024 rows or more of whole 16-byte pieces;
// 1031 rows leave a partial last pass of the persistent grid).
TEST_CASE("the quantized norms match their fp64 references", "[gpu][rmsfam]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto registry = TemplateRegistry::load({});
  KernelCache cache(test::temp_dir("gpu-rmsfam-q"));
  Compiler compiler(&cache);
  Evaluator evaluator(registry, compiler, require_device(0));
  int checked = 0;
  for (const char* name : {"rmsnorm_fp8", "add_rmsnorm_fp8", "rmsnorm_mxfp8", "add_rmsnorm_mxfp8"}) {
    const auto& spec = registry.get(name);
    const bool mx = std::string(name).find("mx") != std::string::npos;
    std::vector<std::vector<long long>> shapes = {{1, 4096}, {32, 8192}, {1101, 2048}, {3, 65536}, {1031, 16384}};
    if (!mx) shapes.insert(shapes.end(), {{3, 5125}, {1101, 1001}, {5, 7}, {1, 1}});
    for (const auto& dims : shapes) {
      for (DType dtype : {DType::bf16, DType::fp16}) {
        if (dtype == DType::fp16 && dims[0] != 1101) continue;
        SearchSpace space(spec, make_problem(spec, dims, dtype));
        const auto all = space.enumerate();
        REQUIRE_FALSE(all.empty());
        std::vector<Config> configs = {*space.default_config(), all[all.size() / 3], all[2 * all.size() / 3]};
        std::set<std::string> seen;
        for (const auto& c : all) {
          const bool new_pair = seen.insert(fmt::format("{} {}", c.at("WLOAD"), c.at("HINT"))).second;
          const bool new_prefetch = seen.insert(fmt::format("prefetch {} {}", c.at("PREFETCH"), c.at("WLOAD"))).second;
          if (new_pair || new_prefetch) configs.push_back(c);
        }
        if (dims[0] >= 1024 && dims[1] % 8 == 0) CHECK(seen.count("prefetch 1 0") + seen.count("prefetch 1 1") > 0);
        checked += check_configs(evaluator, compiler, spec, dims, dtype, configs);
      }
    }
  }
  CHECK(checked > 100);
}

// Rows whose amax is 0: x all zero (normal inputs cannot give that), so every
// code is 0, the per-row scale 0 and the MX exponent the smallest (2^-127).
// Rows of tiny values (|x| <= 1e-37, so max |s * w| < 448 / FLT_MAX): the one
// multiplier a code takes, rstd * 448 / amax (fp8) or rstd * 2^-e (MX), overflows,
// and the kernels take their two-step path; a wrong one saturates or gives NaN
// (relative error far over the tolerance).
// Each manifest is the built-in one with x's init changed; the source is the built-in's.
TEST_CASE("the quantized norms code rows whose amax is 0 and rows of tiny values", "[gpu][rmsfam]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto dir = test::temp_dir("gpu-rmsfam-zero");
  auto builtin = TemplateRegistry::load({});
  const std::vector<std::pair<std::string, std::string>> inits = {{"zero_", "uniform(0, 1e-41)"},  // rounds to bf16 zeros
                                                                  {"tiny_", "uniform(-1e-37, 1e-37)"}};
  for (const auto& [prefix, init] : inits) {
    for (const char* name : {"rmsnorm_fp8", "rmsnorm_mxfp8"}) {
      std::stringstream manifest;
      manifest << std::ifstream(test::fixtures() + "/../../templates/rmsnorm_fp8/" + name + ".toml").rdbuf();
      std::string text = manifest.str();
      REQUIRE(text.find("init = \"normal(0, 1)\"") != std::string::npos);
      text.replace(text.find("init = \"normal(0, 1)\""), 21, "init = \"" + init + "\"");
      text.replace(text.find("name = \""), 8 + std::string(name).size(), "name = \"" + prefix + name);
      std::ofstream(dir / (prefix + name + ".toml")) << text;
    }
  }
  std::ofstream(dir / "rmsnorm_fp8.cu") << builtin.get("rmsnorm_fp8").source.text;
  auto registry = TemplateRegistry::load({dir.string()});
  Compiler compiler(nullptr);
  Evaluator evaluator(registry, compiler, require_device(0));
  int checked = 0;
  for (const auto& [prefix, init] : inits) {
    for (const char* name : {"rmsnorm_fp8", "rmsnorm_mxfp8"}) {
      const auto& spec = registry.get(prefix + name);
      for (const auto& dims : std::vector<std::vector<long long>>{{3, 4096}, {1101, 2048}, {1024, 65536}}) {
        SearchSpace space(spec, make_problem(spec, dims, DType::bf16));
        std::vector<Config> configs = {*space.default_config()};
        for (const auto& c : space.enumerate())  // the long rows' persistent path too
          if (c.at("PREFETCH") == 1 && configs.size() < 2) configs.push_back(c);
        checked += check_configs(evaluator, compiler, spec, dims, DType::bf16, configs);
      }
    }
  }
  CHECK(checked >= 12);
  std::filesystem::remove_all(dir);
}
