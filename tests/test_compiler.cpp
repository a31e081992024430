#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "test_helpers.hpp"
#include "tuner/compile_batch.hpp"
#include "tuner/compiler.hpp"

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
