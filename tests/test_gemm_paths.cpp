// The gemm family beyond gemm.toml: B as K x N on the wgmma path (gemm_kn),
// the portable mma.sync path (gemm_sm80, gemm_sm80_kn) and transpose. CPU
// tests first (manifests, tensor maps, compiles), then [gpu] correctness.
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

namespace {

const TemplateRegistry& registry() {
  static const TemplateRegistry r = TemplateRegistry::load({});
  return r;
}

const ArgSpec& arg_named(const TemplateSpec& spec, const std::string& name) {
  for (const auto& a : spec.args)
    if (a.name == name) return a;
  throw std::logic_error("no argument " + name);
}

// Each config compiles for `arch` (as the manifest resolves it) without spills.
void require_compiles(const TemplateSpec& spec, const std::vector<Problem>& problems, const std::vector<Config>& configs,
                      const std::string& arch, const std::string& expected_arch) {
  Compiler compiler(nullptr);
  for (const auto& config : configs) {
    for (const Problem& problem : problems) {
      CompiledConfig c = compile_config(spec, problem, config, compiler, arch);
      INFO(spec.name << " " << config.str() << " " << dtype_info(problem.dtype).name << ": " << c.result.reason);
      REQUIRE(c.result.status == Status::ok);
      CHECK(c.result.compile->arch == expected_arch);
      CHECK(c.result.compile->resources.spill_store_bytes == 0);
      CHECK(c.result.compile->resources.spill_load_bytes == 0);
      CHECK(c.result.compile->geometry.dynamic_shared_bytes <= 232448);
    }
  }
}

Config only(const SearchSpace& space, const ConfigFilter& filter) {
  std::vector<Config> configs = space.enumerate(filter);
  REQUIRE(configs.size() == 1);
  return configs.front();
}

// `config` with some of its values changed.
Config with(Config config, const ConfigFilter& changes) {
  for (const auto& [name, value] : changes)
    for (auto& [param, v] : config.values)
      if (param == name) v = value;
  return config;
}

}  // namespace

TEST_CASE("the gemm family and transpose load with non-empty spaces and their own arch", "[gemm_paths][manifest]") {
  for (const char* name : {"gemm_kn", "gemm_splitk", "gemm_sm80", "gemm_sm80_kn", "transpose"}) {
    INFO(name);
    const auto& spec = registry().get(name);
    Problem p = make_problem(spec, spec.dims.size() == 3 ? std::vector<long long>{4096, 4096, 4096}
                                                         : std::vector<long long>{16384, 16384},
                             spec.dtypes.front());
    SearchSpace space(spec, p);
    CHECK(space.default_config().has_value());
    CHECK(space.enumerate().size() >= 20);
  }
  CHECK(target_arch(registry().get("gemm_kn"), "sm_90") == "sm_90a");
  CHECK(target_arch(registry().get("gemm_sm80"), "sm_80") == "sm_80");
  CHECK(target_arch(registry().get("gemm_sm80_kn"), "sm_90") == "sm_90");  // a minimum: runs on Hopper as sm_90
  CHECK_THROWS(target_arch(registry().get("gemm_sm80"), "sm_75"));
}

TEST_CASE("gemm_kn's B map runs along N: dims N x K, rows round_up(N, 8) apart, box a swizzle row by BK / CLUSTER_M", "[gemm_paths][tensor_map]") {
  const auto& spec = registry().get("gemm_kn");
  Problem p = make_problem(spec, {17, 4099, 4097}, DType::bf16);
  Config c = *SearchSpace(spec, p).default_config();
  Bindings b = p.bindings();
  c.bind(b);
  TensorMapShape map = resolve_tensor_map(spec, arg_named(spec, "b_map"), p.dtype, b);
  CHECK(map.dims == std::vector<std::uint64_t>{4099, 4097});
  CHECK(map.strides == std::vector<std::uint64_t>{4104 * 2});
  CHECK(map.box == std::vector<std::uint32_t>{64, static_cast<std::uint32_t>(c.at("BK"))});
  CHECK(map.swizzle_bytes == 128);
  CHECK(arg_named(spec, "B").count.evaluate(b) == 4097.0 * 4104);
  // TMA's rules hold for every config of the space: the box's inner bytes never exceed the swizzle span.
  SearchSpace space(spec, p);
  for (const Config& config : space.sample(50, 3)) {
    Bindings cb = p.bindings();
    config.bind(cb);
    TensorMapShape m = resolve_tensor_map(spec, arg_named(spec, "b_map"), p.dtype, cb);
    INFO(config.str());
    CHECK(m.box[0] * 2 == m.swizzle_bytes);
    CHECK(m.box[1] == static_cast<std::uint32_t>(config.at("BK") / config.at("CLUSTER_M")));  // a pair loads half each
    CHECK_FALSE(space.violation(config));
  }
}

TEST_CASE("a sample of gemm_kn configs compiles for sm_90a without spills", "[gemm_paths][compile]") {
  const auto& spec = registry().get("gemm_kn");
  Problem bf16 = make_problem(spec, {4096, 4096, 4096}, DType::bf16);
  Problem fp16 = make_problem(spec, {4096, 4096, 4096}, DType::fp16);
  SearchSpace space(spec, bf16);
  std::vector<Config> configs = {
      only(space, {{"BM", 128}, {"BN", 256}, {"BK", 64}, {"STAGES", 4}, {"CONSUMERS", 2}, {"SWIZZLE", 128},
                   {"GROUP_M", 8}, {"PERSISTENT", 1}, {"TMA_STORE", 1}, {"CLUSTER_M", 2}}),
      only(space, {{"BM", 64}, {"BN", 192}, {"BK", 32}, {"STAGES", 3}, {"CONSUMERS", 1}, {"SWIZZLE", 32},
                   {"GROUP_M", 1}, {"PERSISTENT", 0}, {"TMA_STORE", 0}, {"CLUSTER_M", 1}}),
  };
  require_compiles(spec, {bf16, fp16}, configs, "sm_90", "sm_90a");
}

TEST_CASE("gemm_splitk: a cluster of SPLIT_K blocks per tile, compiled for sm_90a without spills", "[gemm_paths][compile]") {
  const auto& spec = registry().get("gemm_splitk");
  Problem p = make_problem(spec, {64, 4096, 14336}, DType::bf16);
  SearchSpace space(spec, p);
  Config widest = only(space, {{"BM", 64}, {"BN", 256}, {"BK", 64}, {"STAGES", 2}, {"CONSUMERS", 1}, {"SWIZZLE", 32},
                               {"GROUP_M", 1}, {"SPLIT_K", 8}, {"SWAP_AB", 0}});
  Config two = only(space, {{"BM", 128}, {"BN", 128}, {"BK", 64}, {"STAGES", 4}, {"CONSUMERS", 2}, {"SWIZZLE", 128},
                            {"GROUP_M", 8}, {"SPLIT_K", 2}, {"SWAP_AB", 0}});
  // Swapped operands: A's 16 or 32 rows are wgmma's N (the n16 instruction), B's rows its 64-row tiles.
  Config swapped16 = only(space, {{"BM", 16}, {"BN", 128}, {"BK", 64}, {"STAGES", 12}, {"CONSUMERS", 1}, {"SWIZZLE", 128},
                                  {"GROUP_M", 1}, {"SPLIT_K", 2}, {"MIN_BLOCKS", 1}, {"SWAP_AB", 1}});
  Config swapped32 = only(space, {{"BM", 32}, {"BN", 256}, {"BK", 64}, {"STAGES", 4}, {"CONSUMERS", 2}, {"SWIZZLE", 64},
                                  {"GROUP_M", 8}, {"SPLIT_K", 1}, {"MIN_BLOCKS", 1}, {"SWAP_AB", 1},
                                  {"CLUSTER_M", 1}, {"CLUSTER_N", 1}});
  // 112 columns: 64 tiles at N = 7168 (the n112 instruction), in pairs of tile rows sharing B.
  Config n112 = only(space, {{"BM", 64}, {"BN", 112}, {"BK", 128}, {"STAGES", 4}, {"CONSUMERS", 1}, {"SWIZZLE", 128},
                             {"GROUP_M", 1}, {"SPLIT_K", 1}, {"MIN_BLOCKS", 1}, {"SWAP_AB", 0}, {"CLUSTER_M", 2},
                             {"CLUSTER_N", 1}});
  // Clusters of tiles sharing A and B: 2 x 4 blocks, each loading 16 rows of the 64-row A box
  // and 32 of B's 64, multicast to its tile row and column.
  Config shared = only(space, {{"BM", 64}, {"BN", 64}, {"BK", 128}, {"STAGES", 5}, {"CONSUMERS", 1}, {"SWIZZLE", 128},
                               {"GROUP_M", 1}, {"SPLIT_K", 1}, {"MIN_BLOCKS", 1}, {"SWAP_AB", 1}, {"CLUSTER_M", 2},
                               {"CLUSTER_N", 4}});
  Config no_split = {{{"BM", 16}, {"BN", 128}, {"BK", 64}, {"STAGES", 4}, {"CONSUMERS", 1}, {"SWIZZLE", 128},
                      {"GROUP_M", 1}, {"SPLIT_K", 1}, {"MIN_BLOCKS", 1}, {"SWAP_AB", 1}, {"CLUSTER_M", 1}, {"CLUSTER_N", 1}}};
  CHECK_FALSE(space.violation(no_split));
  // 16 rows of A are not a 64-row wgmma tile: only swapped.
  CHECK(space.violation(with(no_split, {{"SWAP_AB", 0}})));
  // A cluster splits K or shares tiles, not both; a block's share of A starts on an 8-row boundary.
  CHECK(space.violation(with(no_split, {{"SPLIT_K", 2}, {"CLUSTER_N", 2}})));
  CHECK(space.violation(with(no_split, {{"CLUSTER_N", 4}})));
  const KernelInstance k = instantiate(spec.kernel, spec, p, widest);
  CHECK(k.geometry.cluster[0] == 8);
  CHECK(k.geometry.grid[0] == 4096 / 256 * 8);  // one M tile, 16 N tiles, 8 blocks each
  const KernelInstance c = instantiate(spec.kernel, spec, make_problem(spec, {100, 4096, 14336}, DType::bf16), shared);
  CHECK(c.geometry.cluster[0] == 8);
  CHECK(c.geometry.grid[0] == 2 * 64);  // 2 M tiles (100 rows), 64 N tiles: whole clusters of 2 x 4
  // The partial sums must fit in the stages they reuse: 128 x 256 fp32 do not fit two stages of 64-deep tiles.
  CHECK(space.violation(Config{{{"BM", 128}, {"BN", 256}, {"BK", 32}, {"STAGES", 2}, {"CONSUMERS", 2}, {"SWIZZLE", 64},
                                {"GROUP_M", 1}, {"SPLIT_K", 2}, {"MIN_BLOCKS", 1}, {"SWAP_AB", 0}, {"CLUSTER_M", 1},
                                {"CLUSTER_N", 1}}}));
  require_compiles(spec, {p}, {widest, two, swapped16, swapped32, shared, n112}, "sm_90", "sm_90a");
}

TEST_CASE("a sample of mma.sync configs compiles for sm_80, both layouts, without spills", "[gemm_paths][compile]") {
  for (const char* name : {"gemm_sm80", "gemm_sm80_kn"}) {
    const auto& spec = registry().get(name);
    Problem bf16 = make_problem(spec, {4096, 4096, 4096}, DType::bf16);
    Problem fp16 = make_problem(spec, {4096, 4096, 4096}, DType::fp16);
    SearchSpace space(spec, bf16);
    std::vector<Config> configs = {
        *space.default_config(),
        only(space, {{"BM", 256}, {"BN", 128}, {"BK", 64}, {"WM", 64}, {"WN", 64}, {"STAGES", 3}, {"SWIZZLE", 128},
                     {"GROUP_M", 8}, {"PREFETCH", 1}, {"MIN_BLOCKS", 1}, {"WHOLE_CHUNKS", 1}}),
        only(space, {{"BM", 128}, {"BN", 256}, {"BK", 32}, {"WM", 64}, {"WN", 64}, {"STAGES", 4}, {"SWIZZLE", 64},
                     {"GROUP_M", 8}, {"PREFETCH", 0}, {"MIN_BLOCKS", 1}, {"WHOLE_CHUNKS", 1}}),
        only(space, {{"BM", 64}, {"BN", 64}, {"BK", 64}, {"WM", 32}, {"WN", 32}, {"STAGES", 2}, {"SWIZZLE", 32},
                     {"GROUP_M", 1}, {"PREFETCH", 1}, {"MIN_BLOCKS", 1}, {"WHOLE_CHUNKS", 0}}),
        // Two blocks per SM: 128 registers per thread hold 32 x 32 warp tiles with both fragment sets.
        only(space, {{"BM", 128}, {"BN", 64}, {"BK", 64}, {"WM", 32}, {"WN", 32}, {"STAGES", 3}, {"SWIZZLE", 64},
                     {"GROUP_M", 8}, {"PREFETCH", 1}, {"MIN_BLOCKS", 2}, {"WHOLE_CHUNKS", 1}}),
    };
    require_compiles(spec, {bf16, fp16}, configs, "sm_80", "sm_80");
    require_compiles(spec, {bf16}, configs, "sm_90", "sm_90");
    // Whole chunks only where rows are whole chunks; the default falls back to byte counts there.
    Problem odd = make_problem(spec, {17, 4099, 4097}, DType::bf16);
    CHECK(SearchSpace(spec, bf16).default_config()->at("WHOLE_CHUNKS") == 1);
    CHECK(SearchSpace(spec, odd).default_config()->at("WHOLE_CHUNKS") == 0);
    CHECK(SearchSpace(spec, odd).default_config()->at("BN") == SearchSpace(spec, bf16).default_config()->at("BN"));  // the rest as named
    // Two blocks per SM only where the cap leaves room: 64 x 32 warp tiles need more than 128 registers.
    CHECK(space.violation(Config{{{"BM", 128}, {"BN", 128}, {"BK", 32}, {"WM", 64}, {"WN", 32}, {"STAGES", 3},
                                  {"SWIZZLE", 64}, {"GROUP_M", 8}, {"PREFETCH", 1}, {"MIN_BLOCKS", 2}, {"WHOLE_CHUNKS", 1}}}));
  }
}

TEST_CASE("transpose compiles with padding, with the XOR swizzle and with neither, in either block order, and by ldmatrix", "[gemm_paths][compile]") {
  const auto& spec = registry().get("transpose");
  Problem bf16 = make_problem(spec, {16384, 16384}, DType::bf16);
  Problem fp32 = make_problem(spec, {16384, 16384}, DType::fp32);
  SearchSpace space(spec, bf16);
  std::vector<Config> configs;
  for (auto [pad, swizzle] : {std::pair{0, 0}, {1, 0}, {0, 1}})
    configs.push_back(only(space, {{"TILE", 64}, {"VEC_BYTES", 16}, {"THREADS", 256}, {"PAD", pad}, {"SWIZZLE", swizzle},
                                   {"GROUP", 1}, {"LDMATRIX", 0}}));
  configs.push_back(  // the grouped block order
      only(space, {{"TILE", 32}, {"VEC_BYTES", 16}, {"THREADS", 128}, {"PAD", 1}, {"SWIZZLE", 0}, {"GROUP", 64}}));
  require_compiles(spec, {bf16, fp32}, configs, "sm_90", "sm_90");
  // ldmatrix.trans: 2-byte types only; its registers stay at the element gather's (one vector in flight at the edges).
  Config ldmatrix = only(space, {{"TILE", 128}, {"VEC_BYTES", 16}, {"THREADS", 256}, {"PAD", 0}, {"SWIZZLE", 1},
                                 {"GROUP", 64}, {"LDMATRIX", 1}});
  require_compiles(spec, {bf16}, {ldmatrix}, "sm_90", "sm_90");
  CHECK(SearchSpace(spec, fp32).violation(ldmatrix));
  CHECK(space.violation(Config{{{"TILE", 64}, {"VEC_BYTES", 16}, {"THREADS", 256}, {"PAD", 1}, {"SWIZZLE", 1}}}));
}

// ---- [gpu] ----

using test::check_config_is_correct;
using test::quick_request;

namespace {

// Every config checked against the reference at shapes with ragged edges in
// every dim; returns how many were checked.
const std::vector<std::vector<long long>> kOddShapes = {{17, 4099, 4097}, {1, 64, 64},      {257, 129, 65},
                                                       {1000, 1000, 8},  {128, 256, 4096}, {2048, 2048, 2048}};

// `also`: configs of these kinds too (one sampled config each), beside the random ones.
int check_gemm_at_odd_shapes(const char* name, std::size_t sampled_per_shape,
                             const std::vector<std::vector<long long>>& shapes = kOddShapes,
                             const std::vector<ConfigFilter>& also = {}) {
  Compiler compiler(nullptr);
  Evaluator evaluator(registry(), compiler, require_device(0));
  const auto& spec = registry().get(name);
  int checked = 0;
  for (const auto& dims : shapes) {
    for (DType dtype : spec.dtypes) {
      Problem p = make_problem(spec, dims, dtype);
      SearchSpace space(spec, p);
      std::vector<Config> configs = space.sample(sampled_per_shape, 17);
      configs.push_back(*space.default_config());
      for (const auto& filter : also) configs.push_back(space.sample(1, 3, filter).at(0));
      for (const auto& config : configs) {
        check_config_is_correct(evaluator, spec, dims, dtype, config);
        ++checked;
      }
    }
  }
  return checked;
}

}  // namespace

TEST_CASE("gemm_kn (wgmma, B K x N) is correct at odd shapes", "[gpu][gemm_paths]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  // A pair of blocks sharing B (K x N: each loads half of a box's K rows) with either epilogue.
  CHECK(check_gemm_at_odd_shapes("gemm_kn", 4, kOddShapes,
                                 {{{"CLUSTER_M", 2}, {"TMA_STORE", 1}}, {{"CLUSTER_M", 2}, {"TMA_STORE", 0}}}) >= 60);
}

TEST_CASE("gemm_splitk is correct at skinny and odd shapes, splits without k-blocks included", "[gpu][gemm_paths]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  // K = 65 and 8 leave most of a cluster's blocks without a k-block of their own;
  // two blocks per SM (no setmaxnreg) with and without a split; swapped
  // operands (D^T = B * A^T, stored transposed) with 16 and 32 rows of A, split or not;
  // clusters of tiles sharing A, B or both by multicast, swapped or not; 112- and
  // 32-column tiles.
  CHECK(check_gemm_at_odd_shapes("gemm_splitk", 4,
                                 {{17, 4099, 4097}, {16, 4096, 14336}, {64, 7168, 4096}, {128, 4096, 7168},
                                  {1, 64, 65}, {100, 1000, 8}},
                                 {{{"MIN_BLOCKS", 2}, {"SPLIT_K", 4}},
                                  {{"MIN_BLOCKS", 2}, {"SPLIT_K", 1}},
                                  {{"SWAP_AB", 1}, {"BM", 16}, {"SPLIT_K", 2}},
                                  {{"SWAP_AB", 1}, {"BM", 32}, {"SPLIT_K", 1}},
                                  {{"SWAP_AB", 1}, {"BM", 64}, {"CONSUMERS", 2}},
                                  {{"SWAP_AB", 1}, {"BM", 32}, {"CLUSTER_M", 1}, {"CLUSTER_N", 2}},
                                  {{"SWAP_AB", 1}, {"BM", 128}, {"CLUSTER_M", 1}, {"CLUSTER_N", 4}},
                                  {{"SWAP_AB", 1}, {"BM", 16}, {"CLUSTER_M", 2}, {"CLUSTER_N", 2}},
                                  {{"SWAP_AB", 0}, {"BM", 64}, {"CLUSTER_M", 2}, {"CLUSTER_N", 2}},
                                  {{"SWAP_AB", 0}, {"BM", 128}, {"CLUSTER_M", 2}, {"CLUSTER_N", 1}},
                                  {{"SWAP_AB", 0}, {"BM", 64}, {"BN", 112}, {"CLUSTER_M", 2}},
                                  {{"SWAP_AB", 0}, {"BM", 128}, {"BN", 112}, {"SPLIT_K", 2}},
                                  {{"SWAP_AB", 0}, {"BM", 128}, {"BN", 32}, {"SPLIT_K", 1}}}) >= 160);
}

TEST_CASE("gemm_sm80 (mma.sync, B N x K) is correct at odd shapes", "[gpu][gemm_paths]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  // Both fragment schedules and two blocks per SM (128 registers), beside the random configs.
  CHECK(check_gemm_at_odd_shapes("gemm_sm80", 4, kOddShapes,
                                 {{{"PREFETCH", 0}}, {{"PREFETCH", 1}, {"STAGES", 2}}, {{"MIN_BLOCKS", 2}}}) >= 60);
}

TEST_CASE("gemm_sm80_kn (mma.sync, B K x N) is correct at odd shapes", "[gpu][gemm_paths]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  // Both fragment schedules and two blocks per SM (128 registers), beside the random configs.
  CHECK(check_gemm_at_odd_shapes("gemm_sm80_kn", 4, kOddShapes,
                                 {{{"PREFETCH", 0}}, {{"PREFETCH", 1}, {"STAGES", 2}}, {{"MIN_BLOCKS", 2}}}) >= 60);
}

TEST_CASE("transpose is exact at odd shapes for every kind of config", "[gpu][gemm_paths]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  Compiler compiler(nullptr);
  Evaluator evaluator(registry(), compiler, require_device(0));
  const auto& spec = registry().get("transpose");
  int checked = 0;
  for (std::vector<long long> dims :
       {std::vector<long long>{17, 4099}, {4097, 33}, {1, 1}, {1024, 1000}, {1000, 1024}, {2048, 2048}}) {
    for (DType dtype : spec.dtypes) {
      Problem p = make_problem(spec, dims, dtype);
      SearchSpace space(spec, p);
      std::vector<Config> configs = space.sample(8, 5);
      for (auto [pad, swizzle] : {std::pair{0, 0}, {1, 0}, {0, 1}})
        configs.push_back(space.sample(1, 7, {{"PAD", pad}, {"SWIZZLE", swizzle}, {"BLOCKS", 0}}).at(0));
      configs.push_back(space.sample(1, 7, {{"BLOCKS", 1}}).at(0));  // V x V blocks transposed in registers
      for (long long group : {16, 64})  // grouped block orders, a last group of fewer tile rows included
        configs.push_back(space.sample(1, 9, {{"GROUP", group}}).at(0));
      if (dtype_info(dtype).size == 2)  // ldmatrix.trans on whole tiles (R % 8 == 0), the element gather at the edges
        for (long long tile : {64, 128}) configs.push_back(space.sample(1, 11, {{"LDMATRIX", 1}, {"TILE", tile}}).at(0));
      for (const auto& config : configs) {
        INFO(p.shape_str() << " " << dtype_info(dtype).name << " " << config.str());
        Measurement m = evaluator.evaluate(quick_request(spec, dims, dtype, config), [] {});
        CHECK(m.verification.passed);
        CHECK(m.verification.max_abs_error == 0.0);  // moved, never rounded
        ++checked;
      }
    }
  }
  CHECK(checked >= 100);
}
