#include <catch2/catch.hpp>

#include <chrono>
#include <set>

#include <fmt/format.h>

#include "test_helpers.hpp"
#include "tuner/kernel_instance.hpp"
#include "tuner/search_space.hpp"
#include "tuner/strategy.hpp"

using namespace tkbench;
using Catch::Contains;

namespace {
const TemplateSpec& builtin(const std::string& name) {
  static auto registry = TemplateRegistry::load({});
  return registry.get(name);
}
Problem problem(const TemplateSpec& spec, const std::string& shape, DType dtype) {
  return make_problem(spec, parse_shape(shape, spec), dtype);
}
}  // namespace

TEST_CASE("shapes parse in dim order - bad shapes say what is wrong", "[space][bad-input]") {
  const auto& spec = builtin("rmsnorm");
  CHECK(parse_shape("4096x8192", spec) == std::vector<long long>{4096, 8192});
  CHECK(parse_shape_list("1x8192,4096x8192,1x8192", spec).size() == 2);  // duplicates dropped
  CHECK_THROWS_WITH(parse_shape("0x8192", spec), Contains("M = 0 must be at least 1"));
  CHECK_THROWS_WITH(parse_shape("4096", spec), Contains("has 1 dim") && Contains("takes 2 dims (M x N)"));
  CHECK_THROWS_WITH(parse_shape("abcx12", spec), Contains("'abc' is not a whole number"));
  CHECK_THROWS_WITH(parse_shape("4096x", spec), Contains("'' is not a whole number"));
  CHECK_THROWS_WITH(parse_shape("-4x8", spec), Contains("M = -4 must be at least 1"));
  CHECK_THROWS_WITH(parse_shape("4096x8192x2", spec), Contains("has 3 dims"));
  CHECK_THROWS_WITH(parse_shape_list("4096x8192,", spec), Contains("empty entry"));
  CHECK_THROWS_WITH(parse_problem_dtype("fp64", spec), Contains("does not support dtype 'fp64'") && Contains("bf16, fp16, fp32"));
  CHECK(parse_problem_dtype("", spec) == DType::bf16);
}

TEST_CASE("rmsnorm_basic's space at 4096x8192 has the configs counted by hand", "[space]") {
  const auto& spec = builtin("rmsnorm_basic");
  // 4 VEC x 8 THREADS x 4 ROWS = 128; THREADS*ROWS > 1024 removes 6 (THREADS, ROWS)
  // pairs and THREADS*ROWS < 32 removes 3, each for 4 VECs: 128 - 36 = 92.
  CHECK(SearchSpace(spec, problem(spec, "4096x8192", DType::bf16)).enumerate().size() == 92);
  // fp32: VEC = 8 would be a 32-byte access: 3 VECs x 23 pairs = 69.
  CHECK(SearchSpace(spec, problem(spec, "4096x8192", DType::fp32)).enumerate().size() == 69);
  // N = 5000: VEC 1, 2, 4 and 8 all divide it, but THREADS <= N/VEC trims 1024 at VEC 8 (625).
  auto odd = SearchSpace(spec, problem(spec, "3x5000", DType::bf16)).enumerate();
  for (const auto& c : odd) CHECK(c.at("THREADS") <= std::max(32LL, 5000 / c.at("VEC")));
}

TEST_CASE("the rmsnorm family's decode spaces hold one row per block, small enough to search whole", "[space]") {
  for (const char* name : {"rmsnorm", "rmsnorm_fp32w", "add_rmsnorm", "add_rmsnorm_inplace"}) {
    const auto& spec = builtin(name);
    INFO(name);
    for (const char* shape : {"1x8192", "32x4096", "255x8192"}) {
      auto decode = SearchSpace(spec, problem(spec, shape, DType::bf16)).enumerate();
      CHECK_FALSE(decode.empty());
      CHECK(decode.size() <= 256);  // tune's default: exhaustive up to 256 configs (run.sh relies on it)
      for (const auto& c : decode) CHECK(c.at("ROWS") == 1);
    }
    // From 256 * ROWS rows on, several rows per block come back.
    auto rows_at = [&](const char* shape) {
      std::set<long long> rows;
      for (const auto& c : SearchSpace(spec, problem(spec, shape, DType::bf16)).enumerate()) rows.insert(c.at("ROWS"));
      return rows;
    };
    CHECK(rows_at("512x2048") == std::set<long long>{1, 2});
    CHECK(rows_at("4096x2048") == std::set<long long>{1, 2, 4, 8});
  }
}

TEST_CASE("every enumerated config satisfies every constraint - filters fix parameters", "[space]") {
  const auto& spec = builtin("rmsnorm_basic");
  SearchSpace space(spec, problem(spec, "4096x8192", DType::bf16));
  for (const auto& c : space.enumerate()) CHECK_FALSE(space.violation(c));
  auto vec8 = space.enumerate(parse_config_filter("VEC=8", spec));
  CHECK(vec8.size() == 23);
  for (const auto& c : vec8) CHECK(c.at("VEC") == 8);
}

TEST_CASE("config filters rejects unknown names / values outside the list / and broken constraints", "[space][bad-input]") {
  const auto& spec = builtin("rmsnorm_basic");
  CHECK_THROWS_WITH(parse_config_filter("UNROLL=2", spec), Contains("no parameter 'UNROLL'") && Contains("VEC, THREADS, ROWS"));
  CHECK_THROWS_WITH(parse_config_filter("VEC=3", spec), Contains("VEC=3 is not one of its values: 1, 2, 4, 8"));
  CHECK_THROWS_WITH(parse_config_filter("VEC", spec), Contains("not NAME=VALUE"));
  CHECK_THROWS_WITH(parse_config_filter("VEC=8,VEC=4", spec), Contains("given twice"));
  CHECK_THROWS_WITH(parse_config_filter("VEC=x", spec), Contains("not a whole number"));
  SearchSpace space(spec, problem(spec, "4096x8192", DType::bf16));
  CHECK_THROWS_WITH(space.enumerate(parse_config_filter("THREADS=1024,ROWS=2", spec)),
                    Contains("the space is empty") && Contains("constraint 'THREADS * ROWS <= 1024'") &&
                        Contains("rejects all 4 configs matching --config"));
  Config bad{{{"VEC", 8}, {"THREADS", 1024}, {"ROWS", 2}}};
  CHECK_THAT(*space.violation(bad), Contains("THREADS * ROWS <= 1024") && Contains("rmsnorm_basic.toml"));
}

TEST_CASE("a constraint that rejects everything empties the space with its text", "[space][bad-input]") {
  auto spec = test::parse_text(test::with("\"N % VEC == 0\"", "\"VEC > 100\""));
  Problem p = make_problem(spec, {64, 64}, DType::bf16);
  CHECK_THROWS_WITH(SearchSpace(spec, p).enumerate(),
                    Contains("the space is empty") && Contains("constraint 'VEC > 100' (t.toml:6:") && Contains("rejects all 12 configs"));
  // Two constraints that are each fine alone but exclusive together.
  auto both = test::parse_text(test::with("\"N % VEC == 0\"", "\"VEC > 1\", \"VEC < 2\""));
  CHECK_THROWS_WITH(SearchSpace(both, p).enumerate(), Contains("no config satisfies all constraints together"));
}

TEST_CASE("a division by zero while checking constraints names the config", "[space][bad-input]") {
  auto spec = test::parse_text(test::with("\"N % VEC == 0\"", "\"N % (VEC - 1) == 0\""));
  Problem p = make_problem(spec, {64, 64}, DType::bf16);
  CHECK_THROWS_WITH(SearchSpace(spec, p).enumerate(), Contains("modulo by zero") && Contains("VEC=1"));
}

TEST_CASE("sampling is deterministic for a seed and returns distinct valid configs", "[space]") {
  const auto& spec = builtin("rmsnorm_basic");
  SearchSpace space(spec, problem(spec, "4096x8192", DType::bf16));
  auto a = space.sample(10, 42), b = space.sample(10, 42), c = space.sample(10, 7);
  CHECK(a == b);
  CHECK(a != c);
  std::set<std::string> distinct;
  for (const auto& cfg : a) {
    distinct.insert(cfg.str());
    CHECK_FALSE(space.violation(cfg));
  }
  CHECK(distinct.size() == 10);
  CHECK(space.sample(1000, 1).size() == 92);
}

TEST_CASE("the default config is the manifest's / completed to a valid one", "[space]") {
  const auto& spec = builtin("rmsnorm_basic");
  auto d = SearchSpace(spec, problem(spec, "4096x8192", DType::bf16)).default_config();
  REQUIRE(d);
  CHECK(d->str() == "VEC=4,THREADS=256,ROWS=1");
}

TEST_CASE("kernel instances substitute names and evaluate geometry", "[space]") {
  const auto& spec = builtin("rmsnorm_basic");
  Problem p = problem(spec, "4096x8192", DType::bf16);
  Config c{{{"VEC", 8}, {"THREADS", 128}, {"ROWS", 2}}};
  auto k = instantiate(spec.kernel, spec, p, c);
  CHECK(k.name_expression == "tkb::rmsnorm<__nv_bfloat16, 8, 128, 2>");
  CHECK(k.geometry.grid == std::array<long long, 3>{2048, 1, 1});
  CHECK(k.geometry.block == std::array<long long, 3>{128, 2, 1});
  auto ref = instantiate(*spec.reference, spec, p, c);
  CHECK(ref.name_expression == "tkb::rmsnorm_reference<__nv_bfloat16>");
  const auto& copy = builtin("copy");
  auto ck = instantiate(copy.kernel, copy, make_problem(copy, {1000}, DType::fp32),
                        Config{{{"VEC_BYTES", 16}, {"THREADS", 128}, {"UNROLL", 2}, {"STREAMING", 1}}});
  CHECK(ck.name_expression == "tkb::copy<float, 16, 128, 2, true>");
  CHECK(ck.geometry.grid[0] == 1);  // ceil(4000 bytes / 4096)
}

TEST_CASE("cluster dims: the grid is whole clusters / 1 to 8 blocks / plain launches have none", "[space][cluster]") {
  const auto& spec = builtin("rmsnorm");
  Problem p = problem(spec, "8192x65536", DType::bf16);
  Config c{{{"VEC", 8}, {"THREADS", 256}, {"ROWS", 1}, {"ITEMS", 0}, {"HINT", 0}, {"WLOAD", 2}, {"CLUSTER", 4},
            {"ROW_SMEM", 1}, {"ROW_GROUPS", 2}, {"EDGES", 0}}};
  auto k = instantiate(spec.kernel, spec, p, c);
  CHECK(k.name_expression == "tkb::rmsnorm<__nv_bfloat16, 8, 256, 1, 0, 0, __nv_bfloat16, 2, 4, 1, 2, 0>");
  CHECK(k.geometry.cluster == std::array<long long, 3>{4, 1, 1});
  CHECK(k.geometry.is_cluster_launch());
  CHECK(k.geometry.grid[0] == 4 * 8192 / 2);  // CLUSTER blocks per ROW_GROUPS groups of ROWS rows
  // Two buffers of a quarter row, and a quarter of w: (2 + 1) x 16384 elements x 2 bytes.
  CHECK(k.geometry.dynamic_shared_bytes == 3 * 16384 * 2);
  auto plain = instantiate(*spec.reference, spec, p, c);
  CHECK_FALSE(plain.geometry.is_cluster_launch());

  // A manifest's cluster must divide the grid and hold at most 8 blocks.
  TemplateSpec bad = test::parse_text(test::with("block = [\"THREADS\"]", "block = [\"THREADS\"]\ncluster = [\"VEC * 3\"]"));
  Problem bp = make_problem(bad, {1, 4096}, DType::fp32);
  CHECK_THROWS_WITH(instantiate(bad.kernel, bad, bp, Config{{{"VEC", 2}, {"THREADS", 64}}}), Contains("cluster"));
  CHECK_THROWS_WITH(instantiate(bad.kernel, bad, bp, Config{{{"VEC", 4}, {"THREADS", 64}}}), Contains("outside [1, 8]"));
  CHECK_THROWS_WITH(test::parse_text(test::with("block = [\"THREADS\"]", "block = [\"THREADS\"]\nclusters = [\"2\"]")),
                    Contains("clusters"));
}

TEST_CASE("rmsnorm's 1,880,064 raw configs are walked in well under a second - the same valid set as a full scan", "[space]") {
  const auto& spec = builtin("rmsnorm");
  const Problem p = problem(spec, "4096x8192", DType::bf16);
  const auto start = std::chrono::steady_clock::now();
  auto valid = SearchSpace(spec, p).enumerate();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(valid.size() == 1017);
  CHECK(seconds < 1.0);  // a pruned walk takes milliseconds; the full scan it replaced took 3-4 s here
  // Cross-check the pruned walk against constraint checks of every raw config, at a decode shape.
  SearchSpace decode(spec, problem(spec, "1x8192", DType::bf16));
  std::set<std::string> walked;
  for (const auto& c : decode.enumerate()) walked.insert(c.str());
  std::size_t scanned = 0;
  std::vector<std::size_t> at(spec.params.size(), 0);
  for (bool more = true; more;) {
    Config c;
    for (std::size_t i = 0; i < spec.params.size(); ++i) c.values.emplace_back(spec.params[i].name, spec.params[i].values[at[i]]);
    if (!decode.violation(c)) {
      ++scanned;
      CHECK(walked.count(c.str()) == 1);
    }
    more = false;
    for (std::size_t i = spec.params.size(); i-- > 0;)
      if (++at[i] < spec.params[i].values.size()) { more = true; break; } else at[i] = 0;
  }
  CHECK(scanned == walked.size());
}

TEST_CASE("sampling returns the budget whenever the valid space holds that many", "[space][tuner]") {
  const auto& spec = builtin("rmsnorm");
  SearchSpace space(spec, problem(spec, "16384x8192", DType::bf16));
  const std::size_t valid = space.enumerate().size();
  REQUIRE(valid > 1000);  // 1,000-odd valid among 626,688 raw: rejection sampling used to give up at 18 of 200
  auto sample = space.sample(200, 7);
  CHECK(sample.size() == 200);
  std::set<std::string> distinct;
  for (const auto& c : sample) {
    CHECK_FALSE(space.violation(c));
    distinct.insert(c.str());
  }
  CHECK(distinct.size() == 200);
  CHECK(make_strategy("random", space, {}, 200, 7)->propose(1000).size() == 200);
  CHECK(space.sample(200, 7) == sample);           // deterministic for a seed
  CHECK(space.sample(100000, 7).size() == valid);  // never more than the space holds
}

TEST_CASE("a space too large to list is sampled level by level, every config valid", "[space]") {
  // 16 parameters of 8 values beside VEC and THREADS: 3.4e15 raw configs, about one in 90,000 valid.
  std::string params, constraints = "constraints = [\"N % VEC == 0\"";
  for (int i = 0; i < 16; ++i) {
    params += fmt::format("P{} = [0, 1, 2, 3, 4, 5, 6, 7]\n", i);
    if (i % 2 == 1) constraints += fmt::format(", \"P{} + P{} <= 4\"", i - 1, i);
  }
  constraints += "]";
  auto spec = test::parse_text(test::with("constraints = [\"N % VEC == 0\", \"THREADS * VEC <= 4096\"]", constraints,
                                          test::with("THREADS = [64, 128, 256, 512]\n", "THREADS = [64, 128, 256, 512]\n" + params)));
  SearchSpace space(spec, make_problem(spec, {4096, 8192}, DType::bf16));
  CHECK_FALSE(space.enumerable());
  CHECK_THROWS_WITH(space.enumerate(), Contains("too many to list") && Contains("--config"));
  auto sample = space.sample(50, 3);
  CHECK(sample.size() == 50);
  std::set<std::string> distinct;
  for (const auto& c : sample) {
    CHECK_FALSE(space.violation(c));
    distinct.insert(c.str());
  }
  CHECK(distinct.size() == 50);
  CHECK(space.sample(50, 3) == sample);
  // With all but two parameters fixed, the same space is small enough to list.
  ConfigFilter fixed;
  for (int i = 0; i < 16; ++i) fixed[fmt::format("P{}", i)] = 0;
  CHECK(space.enumerate(fixed).size() == 3 * 4);  // VEC (divides N) x THREADS
}
