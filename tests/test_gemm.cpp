// gemm and the features it brought: three-dim shapes with differently sized
// buffers, a required arch, tensor-map arguments, num_sms in launch
// expressions. CPU tests first, then [gpu] ones (skipped without a GPU).
#include <catch2/catch.hpp>

#include "profiler/device.hpp"
#include "profiler/evaluator.hpp"
#include "config_check.hpp"
#include "quick_request.hpp"
#include "test_helpers.hpp"
#include "test_skip.hpp"
#include "tuner/compile_batch.hpp"
#include "tuner/kernel_instance.hpp"
#include "tuner/search_space.hpp"
#include "tuner/target_arch.hpp"
#include "tuner/tensor_map_shape.hpp"

using namespace tkbench;
using Catch::Matchers::Contains;

namespace {

const TemplateRegistry& registry() {
  static const TemplateRegistry r = TemplateRegistry::load({test::fixtures() + "/tma_swizzle"});
  return r;
}

const ArgSpec& arg_named(const TemplateSpec& spec, const std::string& name) {
  for (const auto& a : spec.args)
    if (a.name == name) return a;
  throw std::logic_error("no argument " + name);
}

Config default_config(const TemplateSpec& spec, const Problem& p) { return *SearchSpace(spec, p).default_config(); }

// A tensor-map manifest whose box and swizzle are parameters, to see what TMA's rules reject.
const std::string kMapManifest = test::with(R"([[args]]
name = "y")", R"M([[args]]
name = "m"
kind = "tensor_map"
buffer = "x"
dims = ["N", "M"]
strides = ["N * size(dtype)"]
box = ["VEC * 16", "THREADS"]
swizzle = "VEC * 32"

[[args]]
name = "y")M");

}  // namespace

TEST_CASE("gemm loads: M x N x K, buffers of three shapes, sm_90a, two tensor maps", "[gemm][manifest]") {
  const auto& spec = registry().get("gemm");
  CHECK(spec.dims == std::vector<std::string>{"M", "N", "K"});
  CHECK(spec.arch == "sm_90a");
  CHECK(arg_named(spec, "a_map").kind == ArgKind::tensor_map);
  CHECK(arg_named(spec, "b_map").tensor_map.buffer == "B");
  Problem p = make_problem(spec, parse_shape("17x4099x4097", spec), DType::bf16);
  Bindings b = p.bindings();
  CHECK(arg_named(spec, "A").count.evaluate(b) == 17.0 * 4104);  // rows padded to 8 elements (16 bytes)
  CHECK(arg_named(spec, "B").count.evaluate(b) == 4099.0 * 4104);
  CHECK(arg_named(spec, "D").count.evaluate(b) == 17.0 * 4099);
}

TEST_CASE("a tensor map resolves from the shape and the config", "[gemm][tensor_map]") {
  const auto& spec = registry().get("gemm");
  Problem p = make_problem(spec, {17, 4099, 4097}, DType::bf16);
  Config c = default_config(spec, p);
  Bindings b = p.bindings();
  c.bind(b);
  TensorMapShape a = resolve_tensor_map(spec, arg_named(spec, "a_map"), p.dtype, b);
  CHECK(a.dtype == DType::bf16);
  CHECK(a.dims == std::vector<std::uint64_t>{4097, 17});   // the true K: TMA zero-fills past it
  CHECK(a.strides == std::vector<std::uint64_t>{4104 * 2});
  CHECK(a.box == std::vector<std::uint32_t>{64, static_cast<std::uint32_t>(c.at("BM"))});
  CHECK(a.swizzle_bytes == 128);
}

TEST_CASE("tensor-map rules reject boxes over 256, rows past the swizzle span, bad swizzles, offline", "[gemm][tensor_map]") {
  TemplateSpec spec = test::parse_text(kMapManifest);
  Problem p = make_problem(spec, {64, 4096}, DType::bf16);
  SearchSpace space(spec, p);
  // box [VEC * 16, THREADS] of bf16, swizzle VEC * 32: inner bytes 32 * VEC <= swizzle always; VEC = 4 swizzles 128.
  CHECK_FALSE(space.violation(Config{{{"VEC", 1}, {"THREADS", 256}}}));
  CHECK_THAT(*space.violation(Config{{{"VEC", 1}, {"THREADS", 512}}}), Contains("<= 256"));
  CHECK_FALSE(space.violation(Config{{{"VEC", 4}, {"THREADS", 64}}}));
  // A swizzle of 32 * VEC with VEC = 2 is 64: fine; the manifest's value list has no 3, so a bad swizzle needs another form.
  TemplateSpec odd = test::parse_text(test::with(R"(swizzle = "VEC * 32")", R"(swizzle = "VEC * 48")", kMapManifest));
  SearchSpace odd_space(odd, p);
  CHECK_THAT(*odd_space.violation(Config{{{"VEC", 2}, {"THREADS", 64}}}), Contains("== 128"));  // 96 is no TMA swizzle
  TemplateSpec wide = test::parse_text(test::with(R"(swizzle = "VEC * 32")", R"(swizzle = "32")", kMapManifest));
  SearchSpace wide_space(wide, p);
  CHECK_THAT(*wide_space.violation(Config{{{"VEC", 2}, {"THREADS", 64}}}), Contains("<= (32)"));  // 64-byte rows, 32-byte span
  // Keys that belong to tensor maps are refused elsewhere, and a map needs an earlier buffer.
  CHECK_THROWS_WITH(test::parse_text(test::with(R"(kind = "output")", "kind = \"output\"\nbox = [\"1\"]", kMapManifest)),
                    Contains("applies to tensor maps only"));
  CHECK_THROWS_WITH(test::parse_text(test::with(R"(buffer = "x")", R"(buffer = "y")", kMapManifest)),
                    Contains("must be a buffer argument listed before it"));
}

TEST_CASE("a manifest's arch: compiled for it, other compute capabilities refused", "[gemm][arch]") {
  const auto& spec = registry().get("gemm");
  CHECK(target_arch(spec, "sm_90") == "sm_90a");
  CHECK(target_arch(spec, "sm_90a") == "sm_90a");
  CHECK_THROWS_WITH(target_arch(spec, "sm_80"), Contains("needs sm_90a") && Contains("sm_80"));
  CHECK_THROWS_WITH(target_arch(spec, "sm_100"), Contains("needs sm_90a"));
  CHECK(target_arch(registry().get("rmsnorm"), "sm_80") == "sm_80");
  CHECK_THROWS_WITH(test::parse_text("arch = \"hopper\"\n" + test::kValidManifest), Contains("must name a target"));
  auto minimum = test::parse_text("arch = \"sm_90\"\n" + test::kValidManifest);
  CHECK(target_arch(minimum, "sm_100") == "sm_100");
  CHECK_THROWS_WITH(target_arch(minimum, "sm_89"), Contains("sm_90 or newer"));
}

TEST_CASE("num_sms in launch expressions: the GPU's count, an arch's default offline", "[gemm][space]") {
  const auto& spec = registry().get("gemm");
  Problem p = make_problem(spec, {8192, 8192, 8192}, DType::bf16);
  Config c = default_config(spec, p);
  for (auto& [name, value] : c.values)
    if (name == "PERSISTENT") value = 1;
  const long long tiles = (8192 / c.at("BM")) * (8192 / c.at("BN"));
  CHECK(instantiate(spec.kernel, spec, p, c).geometry.grid[0] == 132);  // the default: H100/H200 SXM
  p.num_sms = 114;
  CHECK(instantiate(spec.kernel, spec, p, c).geometry.grid[0] == 114);
  for (auto& [name, value] : c.values)
    if (name == "PERSISTENT") value = 0;
  CHECK(instantiate(spec.kernel, spec, p, c).geometry.grid[0] == tiles);
  CHECK(default_sm_count("sm_90a") == 132);
  CHECK_THROWS_WITH(test::parse_text(test::with(R"(shape = ["M", "N"])", R"(shape = ["M", "num_sms"])")),
                    Contains("reserved"));
}

TEST_CASE("a sample of gemm configs compiles for sm_90a without spills, within the register split", "[gemm][compile]") {
  const auto& spec = registry().get("gemm");
  Compiler compiler(nullptr);
  Problem p = make_problem(spec, {4096, 4096, 4096}, DType::bf16);
  SearchSpace space(spec, p);
  std::vector<Config> configs = {*space.default_config()};
  configs.push_back(space.enumerate({{"BM", 128}, {"BN", 256}, {"BK", 64}, {"STAGES", 4}, {"CONSUMERS", 2},
                                     {"SWIZZLE", 128}, {"GROUP_M", 8}, {"PERSISTENT", 1}, {"TMA_STORE", 1}})
                        .at(0));
  configs.push_back(space.enumerate({{"BM", 64}, {"BN", 128}, {"BK", 64}, {"STAGES", 3}, {"CONSUMERS", 1},
                                     {"SWIZZLE", 64}, {"GROUP_M", 1}, {"PERSISTENT", 0}, {"TMA_STORE", 0}})
                        .at(0));
  Problem half = make_problem(spec, {4096, 4096, 4096}, DType::fp16);
  for (const auto& config : configs) {
    for (const Problem& problem : {p, half}) {
      CompiledConfig c = compile_config(spec, problem, config, compiler, "sm_90");
      INFO(config.str() << " " << dtype_info(problem.dtype).name << ": " << c.result.reason);
      REQUIRE(c.result.status == Status::ok);
      const auto& r = c.result.compile->resources;
      CHECK(c.result.compile->arch == "sm_90a");
      CHECK(r.spill_store_bytes == 0);
      CHECK(r.spill_load_bytes == 0);
      CHECK(r.registers <= 240);
      CHECK(c.result.compile->geometry.dynamic_shared_bytes <= 232448);
    }
  }
}

// ---- [gpu] ----

using test::check_config_is_correct;
using test::quick_request;

TEST_CASE("a TMA box lands swizzled as SharedTile says, element by element", "[gpu][tensor_map]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  Compiler compiler(nullptr);
  Evaluator evaluator(registry(), compiler, require_device(0));
  const auto& spec = registry().get("tma_swizzle");
  for (std::vector<long long> dims : {std::vector<long long>{8, 32}, {64, 36}, {256, 32}}) {
    for (long long swizzle : {32, 64, 128}) {
      INFO(dims[0] << "x" << dims[1] << " swizzle " << swizzle);
      Measurement m = evaluator.evaluate(quick_request(spec, dims, DType::fp32, Config{{{"SWIZZLE", swizzle}}}), [] {});
      CHECK(m.verification.passed);
      CHECK(m.verification.max_abs_error == 0.0);  // moved, never rounded: every element exactly where the rule says
    }
  }
}

TEST_CASE("gemm is correct at odd shapes for both dtypes and every kind of config", "[gpu][gemm]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  Compiler compiler(nullptr);
  Evaluator evaluator(registry(), compiler, require_device(0));
  const auto& spec = registry().get("gemm");
  // N % 8 != 0 (4099, 129) takes the registers' epilogue even with TMA_STORE: D's rows break TMA's 16-byte rule.
  const std::vector<std::vector<long long>> shapes = {{17, 4099, 4097}, {1, 64, 64},      {257, 129, 65},  {257, 136, 65},
                                                      {1000, 1000, 8},  {128, 256, 4096}, {2048, 2048, 2048}};
  int checked = 0;
  for (const auto& dims : shapes) {
    for (DType dtype : spec.dtypes) {
      Problem p = make_problem(spec, dims, dtype);
      SearchSpace space(spec, p);
      std::vector<Config> configs = space.sample(4, 17);
      configs.push_back(*space.default_config());
      // Persistent configs with each consumer count and swizzle, and between them both epilogues and both
      // cluster sizes (a pair of blocks sharing B by multicast; at odd tile rows the pair's second tile lies past M).
      int option = 0;
      for (long long consumers : {1, 2})
        for (long long swizzle : {32, 64, 128}) {
          const long long tma_store = option % 2, cluster_m = 1 + option / 2 % 2;
          ++option;
          configs.push_back(space.sample(1, 5, {{"CONSUMERS", consumers}, {"SWIZZLE", swizzle}, {"PERSISTENT", 1},
                                                {"TMA_STORE", tma_store}, {"CLUSTER_M", cluster_m}}).at(0));
        }
      configs.push_back(space.sample(1, 7, {{"PERSISTENT", 0}, {"TMA_STORE", 1}, {"CLUSTER_M", 2}}).at(0));
      for (const auto& config : configs) {
        check_config_is_correct(evaluator, spec, dims, dtype, config);
        ++checked;
      }
    }
  }
  CHECK(checked >= 100);
}
