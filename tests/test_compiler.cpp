#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <set>

#include "test_helpers.hpp"
#include "tuner/compile_batch.hpp"
#include "tuner/compiler.hpp"
#include "profiler/runtime_kernels.hpp"

using namespace tkbench;
using Catch::Contains;

namespace {
const TemplateRegistry& registry() { return test::registry_with_partly_broken(); }
bool is_elf(const std::string& bytes) { return bytes.size() > 4 && bytes.compare(0, 4, "\x7f" "ELF") == 0; }

// Compiles every valid config of `name` at `shape` for each dtype; all must succeed.
void compile_whole_space(const std::string& name, const std::string& shape, const std::vector<DType>& dtypes) {
  const auto& spec = registry().get(name);
  Compiler compiler(nullptr);
  for (DType dtype : dtypes) {
    Problem p = make_problem(spec, parse_shape(shape, spec), dtype);
    auto configs = SearchSpace(spec, p).enumerate();
    auto results = compile_configs(spec, p, configs, compiler, {});
    REQUIRE(results.size() == configs.size());
    for (const auto& r : results) {
      INFO(name << " " << dtype_info(dtype).name << " " << r.result.config.str() << ": " << r.result.reason);
      REQUIRE(r.result.status == Status::ok);
      CHECK(is_elf(r.kernel->cubin));
      CHECK(r.result.compile->resources.registers > 0);
      CHECK(r.result.compile->occupancy.blocks_per_sm > 0);
      // Spills are a config's performance property (ptxas spills 4 bytes in one copy config), not a failure;
      // they go to a stack frame. (Spill bytes count every spill store, so they may exceed the frame:
      // rmsnorm fp16 ITEMS=10 WLOAD=2 at 3x5000 stores 12 bytes into an 8-byte frame.)
      if (r.result.compile->resources.spill_store_bytes > 0) CHECK(r.result.compile->resources.stack_bytes > 0);
    }
  }
}
}  // namespace

TEST_CASE("NVRTC compiles a config to an sm_90 CUBIN and reports its resources", "[compiler]") {
  const auto& spec = registry().get("rmsnorm_basic");
  Compiler compiler(nullptr);
  auto out = compiler.compile(spec, "tkb::rmsnorm<__nv_bfloat16, 8, 256, 1>", "sm_90");
  INFO(out.error);
  REQUIRE(out.ok);
  CHECK(is_elf(out.kernel.cubin));
  CHECK(out.kernel.lowered_name.rfind("_ZN3tkb7rmsnorm", 0) == 0);
  CHECK(out.kernel.resources.registers > 0);
  CHECK(out.kernel.resources.barriers == 1);  // one __syncthreads
  CHECK(out.kernel.log.find("Used") != std::string::npos);
  CHECK_FALSE(out.kernel.cache_hit);
}

TEST_CASE("a second compile is served from the disk cache / identical", "[compiler][cache]") {
  auto dir = test::temp_dir("compiler-cache");
  KernelCache cache(dir);
  Compiler compiler(&cache);
  const auto& spec = registry().get("copy");
  auto first = compiler.compile(spec, "tkb::copy<float, 16, 256, 4, false>", "sm_90");
  REQUIRE(first.ok);
  auto second = compiler.compile(spec, "tkb::copy<float, 16, 256, 4, false>", "sm_90");
  REQUIRE(second.ok);
  CHECK_FALSE(first.kernel.cache_hit);
  CHECK(second.kernel.cache_hit);
  CHECK(second.kernel.cubin == first.kernel.cubin);
  CHECK(second.kernel.resources.registers == first.kernel.resources.registers);
  std::filesystem::remove_all(dir);
}

TEST_CASE("cache keys change with everything that changes the CUBIN", "[compiler][cache]") {
  const auto& spec = registry().get("rmsnorm_basic");
  Compiler compiler(nullptr);
  const std::string name = "tkb::rmsnorm<float, 4, 256, 1>";
  auto base = compiler.cache_key(spec, name, "sm_90");
  CHECK(base == compiler.cache_key(spec, name, "sm_90"));
  CHECK(base != compiler.cache_key(spec, name, "sm_90a"));
  CHECK(base != compiler.cache_key(spec, "tkb::rmsnorm<float, 4, 128, 1>", "sm_90"));
  TemplateSpec edited_header = spec;
  edited_header.headers[0].text += "\n// edited";
  CHECK(base != compiler.cache_key(edited_header, name, "sm_90"));
  TemplateSpec edited_source = spec;
  edited_source.source.text += "\n";
  CHECK(base != compiler.cache_key(edited_source, name, "sm_90"));
  TemplateSpec extra_option = spec;
  extra_option.compile_options.push_back("-use_fast_math");
  CHECK(base != compiler.cache_key(extra_option, name, "sm_90"));
}

TEST_CASE("a config that fails to compile is a compile_error with the log - the others go on", "[compiler][bad-input]") {
  const auto& spec = registry().get("partly_broken");
  Problem p = make_problem(spec, {1000}, DType::fp32);
  Compiler compiler(nullptr);
  CompileServers servers({test::binary(), "compile-server"}, 2);
  SECTION("NVRTC in this process") {}
  SECTION("NVRTC in compile servers") { compiler.use_servers(&servers); }
  auto results = compile_configs(spec, p, SearchSpace(spec, p).enumerate(), compiler, {});
  REQUIRE(results.size() == 3);
  CHECK(results[0].result.status == Status::ok);
  CHECK(results[1].result.status == Status::ok);
  CHECK(results[2].result.status == Status::compile_error);
  CHECK_THAT(results[2].result.reason, Contains("error") && Contains("partly_broken.cu"));
  CHECK_FALSE(results[2].kernel);
}

TEST_CASE("the arch is checked against what NVRTC supports", "[compiler][bad-input]") {
  CHECK_NOTHROW(Compiler::check_arch("sm_90"));
  CHECK_NOTHROW(Compiler::check_arch("sm_90a"));
  CHECK_NOTHROW(Compiler::check_arch("sm_100"));
  CHECK_THROWS_WITH(Compiler::check_arch("sm_91"), Contains("'sm_91' is not an arch") && Contains("sm_90"));
  CHECK_THROWS_WITH(Compiler::check_arch("hopper"), Contains("not an arch"));
}

TEST_CASE("every rmsnorm_basic and copy config compiles for sm_90 (bf16)", "[compiler][all-configs]") {
  compile_whole_space("rmsnorm_basic", "4096x8192", {DType::bf16});
  compile_whole_space("copy", "268435456", {DType::bf16});
}

TEST_CASE("sampled configs of the rmsnorm family compile for sm_90 in every dtype and mode", "[compiler][all-configs]") {
  Compiler compiler(nullptr);
  int registers_mode = 0, reread_mode = 0;
  for (const char* name : {"rmsnorm", "rmsnorm_fp32w", "add_rmsnorm", "add_rmsnorm_inplace"}) {
    const auto& spec = registry().get(name);
    for (DType dtype : {DType::bf16, DType::fp16, DType::fp32}) {
      for (const char* shape : {"4096x8192", "7x1001"}) {
        Problem p = make_problem(spec, parse_shape(shape, spec), dtype);
        SearchSpace space(spec, p);
        auto configs = space.sample(3, 5);
        configs.push_back(*space.default_config());
        // One config of each kernel path (row storage, w loading, cluster split) at one shape.
        std::set<std::string> modes;
        if (dtype == DType::bf16 && std::string(shape) == "4096x8192")
          for (const auto& c : space.enumerate())
            if (modes.insert(test::rmsnorm_kernel_mode(c)).second) configs.push_back(c);
        auto results = compile_configs(spec, p, configs, compiler, {});
        REQUIRE(results.size() == configs.size());
        for (const auto& r : results) {
          INFO(name << " " << shape << " " << dtype_info(dtype).name << " " << r.result.config.str() << ": " << r.result.reason);
          REQUIRE(r.result.status == Status::ok);
          CHECK(r.result.compile->resources.registers > 0);
          (r.result.config.at("ITEMS") > 0 ? registers_mode : reread_mode)++;
        }
      }
    }
  }
  CHECK(registers_mode > 0);
  CHECK(reread_mode > 0);
}

TEST_CASE("every config of every built-in template compiles for sm_90 / all dtypes and odd shapes", "[compiler][all-configs][slow]") {
  compile_whole_space("rmsnorm_basic", "4096x8192", {DType::fp16, DType::fp32});
  compile_whole_space("rmsnorm_basic", "3x5000", {DType::bf16, DType::fp16, DType::fp32});
  // rmsnorm's space is about 1000 configs a shape: every dtype at the odd
  // shapes, bf16 where clusters (N >= 16384) and pipelined blocks (M >= 512) open up.
  for (const char* name : {"rmsnorm", "rmsnorm_fp32w"}) {
    for (const char* shape : {"3x5000", "7x1001"}) compile_whole_space(name, shape, {DType::bf16, DType::fp16, DType::fp32});
    for (const char* shape : {"4096x8192", "8192x65536", "1101x16384"}) compile_whole_space(name, shape, {DType::bf16});
  }
  for (const char* name : {"add_rmsnorm", "add_rmsnorm_inplace"})
    for (const char* shape : {"4096x8192", "65536x4096", "4096x2048", "3x5000", "7x1001"})
      compile_whole_space(name, shape, {DType::bf16, DType::fp16, DType::fp32});
  compile_whole_space("copy", "268435456", {DType::fp16, DType::fp32});
}

// Issue 18: rows off a vector boundary (odd N) keep 16-byte vectors on every
// path that whole-vector rows have, but w bulk-copied to shared memory (it
// needs rows of whole 16-byte pieces): at each odd N the set of kernel paths
// with 16-byte vectors equals the set at N rounded up to a multiple of 8 (as
// many vectors per thread), minus w2.
// One config of each compiles, with EDGES = 1 (head, tail and shifted w).
TEST_CASE("rows off a vector boundary: 16-byte vectors on every rmsnorm family path at odd N, and they compile",
          "[compiler][rmsfam]") {
  Compiler compiler(nullptr);
  struct Case { const char* name; std::vector<long long> odd, aligned; };
  const Case cases[] = {
      {"rmsnorm", {16384, 5125}, {16384, 5128}}, {"rmsnorm", {1101, 16385}, {1101, 16392}},
      {"rmsnorm", {65536, 1001}, {65536, 1008}}, {"rmsnorm", {3, 7}, {3, 8}},
      {"rmsnorm", {1, 1}, {1, 8}},               {"rmsnorm", {5, 4097}, {5, 4104}},
      {"rmsnorm_fp32w", {1101, 16385}, {1101, 16392}}, {"add_rmsnorm", {16384, 5125}, {16384, 5128}},
      {"add_rmsnorm", {1, 7}, {1, 8}},           {"add_rmsnorm_inplace", {65536, 1001}, {65536, 1008}},
  };
  int compiled = 0;
  for (const auto& c : cases) {
    const auto& spec = registry().get(c.name);
    auto paths = [&](const std::vector<long long>& dims, std::vector<Config>* one_each) {
      std::set<std::string> modes;
      for (const auto& config : SearchSpace(spec, make_problem(spec, dims, DType::bf16)).enumerate()) {
        if (config.at("VEC") != 8) continue;
        const std::string mode = test::rmsnorm_kernel_mode(config);
        if (modes.insert(mode).second && one_each) one_each->push_back(config);
      }
      return modes;
    };
    std::vector<Config> configs;
    const std::set<std::string> odd = paths(c.odd, &configs);
    std::set<std::string> expected;
    for (const auto& mode : paths(c.aligned, nullptr))
      if (mode.find(" w2 ") == std::string::npos) expected.insert(mode);
    INFO(c.name << " " << c.odd[0] << "x" << c.odd[1]);
    CHECK(odd == expected);
    for (const auto& config : configs) CHECK(config.at("EDGES") == 1);
    const Problem p = make_problem(spec, c.odd, DType::bf16);
    auto results = compile_configs(spec, p, configs, compiler, {});
    REQUIRE(results.size() == configs.size());
    for (const auto& r : results) {
      INFO(r.result.config.str() << ": " << r.result.reason);
      REQUIRE(r.result.status == Status::ok);
      ++compiled;
    }
  }
  CHECK(compiled > 30);
}

// The quantized norms (rmsnorm_fp8, rmsnorm_mxfp8 and their residual-add
// variants) compile for sm_90 at decode, prefill and (per-row scales only) odd N;
// persistent blocks with the next row prefetched (PREFETCH 1, 2, 4) at prefill.
TEST_CASE("the quantized norms compile for sm_90 at decode - prefill and odd shapes", "[compiler][rmsfam]") {
  Compiler compiler(nullptr);
  for (const char* name : {"rmsnorm_fp8", "add_rmsnorm_fp8", "rmsnorm_mxfp8", "add_rmsnorm_mxfp8"}) {
    const auto& spec = registry().get(name);
    const bool mx = std::string(name).find("mx") != std::string::npos;
    std::vector<std::vector<long long>> shapes = {{1, 4096}, {16384, 8192}, {8192, 65536}};
    if (!mx) shapes.push_back({7, 5125});
    for (const auto& dims : shapes) {
      const Problem p = make_problem(spec, dims, DType::bf16);
      SearchSpace space(spec, p);
      auto configs = space.sample(4, 3);
      REQUIRE(space.default_config());
      configs.push_back(*space.default_config());
      if (dims[0] >= 1024) {  // PREFETCH (the manifests'): prefill rows of whole 16-byte pieces
        for (long long prefetch : {1, 2, 4}) {
          std::optional<Config> first;
          for (const auto& c : space.enumerate())
            if (c.at("PREFETCH") == prefetch) { first = c; break; }
          INFO(name << " " << p.shape_str() << " PREFETCH=" << prefetch);
          if (prefetch * dims[1] * 2 * (std::string(name).rfind("add_", 0) == 0 ? 2 : 1) <= 232448) REQUIRE(first);  // the next rows fit
          if (first) configs.push_back(*first);
        }
      }
      auto results = compile_configs(spec, p, configs, compiler, {});
      for (const auto& r : results) {
        INFO(name << " " << p.shape_str() << " " << r.result.config.str() << ": " << r.result.reason);
        REQUIRE(r.result.status == Status::ok);
      }
    }
    // Decode: no persistent blocks.
    for (const auto& c : SearchSpace(spec, make_problem(spec, {32, 8192}, DType::bf16)).enumerate()) REQUIRE(c.at("PREFETCH") == 0);
    // MX blocks of 32 along a row: a row of 5125 has no MX layout.
    if (mx)
      CHECK_THROWS_WITH(SearchSpace(spec, make_problem(spec, {7, 5125}, DType::bf16)).enumerate(), Contains("'N % 32 == 0'"));
  }
}

TEST_CASE("tkbench's runtime kernels compile offline for sm_90, the clock probe and L2 flush among them", "[compiler][throttle]") {
  Compiler compiler(nullptr);
  const TemplateSpec source = runtime_source();
  REQUIRE_FALSE(source.source.text.empty());
  for (const char* kernel : {"tkb_runtime::clock_probe", "tkb_runtime::flush_l2", "tkb_runtime::fill_random<__nv_bfloat16>",
                             "tkb_runtime::compare<__nv_bfloat16, float>"}) {
    INFO(kernel);
    CompileOutcome out = compiler.compile(source, kernel, "sm_90");
    INFO(out.error);
    REQUIRE(out.ok);
    CHECK(is_elf(out.kernel.cubin));
  }
}
