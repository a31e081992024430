#include <catch2/catch.hpp>

#include <cstdlib>
#include <set>
#include <fstream>

#include "test_helpers.hpp"

using namespace tkbench;
using test::parse_text;
using test::with;
using Catch::Contains;

TEST_CASE("a valid manifest becomes a TemplateSpec", "[manifest]") {
  TemplateSpec s = parse_text(test::kValidManifest);
  CHECK(s.name == "scale");
  CHECK(s.dims == std::vector<std::string>{"M", "N"});
  CHECK(s.dtypes == std::vector<DType>{DType::bf16, DType::fp32});
  REQUIRE(s.params.size() == 2);
  CHECK(s.params[0].name == "VEC");  // written order, not alphabetical
  CHECK(s.params[1].values == std::vector<long long>{64, 128, 256, 512});
  CHECK(s.constraints.size() == 2);
  CHECK(s.args.size() == 2);
  CHECK(s.args[1].kind == ArgKind::output);
  CHECK(s.tolerance.at(DType::bf16) == Approx(1e-2));  // default
  CHECK(s.raw_space_size() == 12);
  CHECK(s.source_hash.size() == 64);
  CHECK_FALSE(s.reference);
}

TEST_CASE("the source hash changes with the manifest and the source", "[manifest]") {
  auto a = parse_text(test::kValidManifest).source_hash;
  auto b = parse_text(with("VEC = [1, 2, 4]", "VEC = [1, 2]")).source_hash;
  CHECK(a != b);
  CHECK(a == parse_text(test::kValidManifest).source_hash);
}

TEST_CASE("malformed TOML is reported with file:line:column", "[manifest][bad-input]") {
  CHECK_THROWS_WITH(parse_text(with("VEC = [1, 2, 4]", "VEC = [1, 2, 4")), Contains("t.toml:15:") && Contains("malformed TOML"));
  CHECK_THROWS_WITH(parse_text(with("name = \"scale\"", "name = scale")), Contains("t.toml:1:") && Contains("malformed TOML"));
}

TEST_CASE("a manifest naming an unknown parameter or dim says which and where", "[manifest][bad-input]") {
  CHECK_THROWS_WITH(parse_text(with("\"N % VEC == 0\"", "\"N % UNROLL == 0\"")),
                    Contains("t.toml:6:") && Contains("unknown name 'UNROLL'"));
  CHECK_THROWS_WITH(parse_text(with("ceil_div(M * N,", "ceil_div(K * N,")), Contains("t.toml:10:") && Contains("unknown name 'K'"));
  CHECK_THROWS_WITH(parse_text(with("scale<{dtype}, {VEC}", "scale<{dtype}, {VECTOR}")),
                    Contains("t.toml:9:") && Contains("{VECTOR}"));
  // Ideal bytes describe the problem, not a config: parameters are not allowed there.
  CHECK_THROWS_WITH(parse_text(with("bytes = \"2 * M * N * size(dtype)\"", "bytes = \"2 * M * N * VEC\"")),
                    Contains("unknown name 'VEC'"));
}

TEST_CASE("an expression that does not parse is reported with its location", "[manifest][bad-input]") {
  CHECK_THROWS_WITH(parse_text(with("\"N % VEC == 0\"", "\"N % (VEC == 0\"")), Contains("t.toml:6:") && Contains("N % (VEC == 0"));
  CHECK_THROWS_WITH(parse_text(with("block = [\"THREADS\"]", "block = [\"THREADS +\"]")), Contains("t.toml:11:"));
}

TEST_CASE("empty value lists / duplicates and reserved names are rejected", "[manifest][bad-input]") {
  CHECK_THROWS_WITH(parse_text(with("VEC = [1, 2, 4]", "VEC = []")), Contains("t.toml:14:7") && Contains("empty value list"));
  CHECK_THROWS_WITH(parse_text(with("VEC = [1, 2, 4]", "VEC = [1, 2, 2]")), Contains("lists 2 twice"));
  CHECK_THROWS_WITH(parse_text(with("VEC = [1, 2, 4]", "VEC = [1, true]")), Contains("all integers or all booleans"));
  CHECK_THROWS_WITH(parse_text(with("VEC = [1, 2, 4]", "M = [1, 2, 4]")), Contains("'M' is used twice"));
  CHECK_THROWS_WITH(parse_text(with("VEC = [1, 2, 4]", "fp32 = [1, 2, 4]")), Contains("reserved name"));
}

TEST_CASE("unknown keys are typos / caught with the allowed ones listed", "[manifest][bad-input]") {
  CHECK_THROWS_WITH(parse_text(with("constraints =", "constraint =")),
                    Contains("t.toml:6:") && Contains("unknown key 'constraint'") && Contains("constraints"));
  CHECK_THROWS_WITH(parse_text(with("block = [\"THREADS\"]", "blocks = [\"THREADS\"]")), Contains("unknown key 'blocks' in [kernel]"));
}

TEST_CASE("missing required parts are named", "[manifest][bad-input]") {
  CHECK_THROWS_WITH(parse_text(with("source = \"scale.cu\"\n", "")), Contains("missing required key 'source'"));
  CHECK_THROWS_WITH(parse_text(with("source = \"scale.cu\"", "source = \"nope.cu\"")), Contains("'nope.cu' not found"));
  CHECK_THROWS_WITH(parse_text(with("[roofline]\nbytes = \"2 * M * N * size(dtype)\"\nflops = \"M * N\"\n", "")), Contains("[roofline]"));
  CHECK_THROWS_WITH(parse_text(with("dtypes = [\"bf16\", \"fp32\"]", "dtypes = [\"bf16\", \"fp8\"]")), Contains("unknown dtype 'fp8'"));
  CHECK_THROWS_WITH(parse_text(with("grid = [\"ceil_div(M * N, THREADS * VEC)\"]\n", "")), Contains("missing required key 'grid'"));
}

TEST_CASE("argument rules: constant inputs / outputs with init / scalars", "[manifest][bad-input]") {
  CHECK_THROWS_WITH(parse_text(with("normal(0, 1)", "uniform(0, 0)")), Contains("low < high"));
  CHECK_THROWS_WITH(parse_text(with("normal(0, 1)", "normal(1, 0)")), Contains("std > 0"));
  CHECK_THROWS_WITH(parse_text(with("normal(0, 1)", "zeros()")), Contains("normal(mean, std) or uniform(low, high)"));
  CHECK_THROWS_WITH(parse_text(test::kValidManifest + "init = \"normal(0, 1)\"\n"), Contains("outputs are poisoned"));
  CHECK_THROWS_WITH(parse_text(test::kValidManifest + "\n[[args]]\nname = \"n\"\nkind = \"scalar\"\nvalue = \"N\"\n"),
                    Contains("scalar 'n' needs a dtype"));
  CHECK_THROWS_WITH(parse_text(test::kValidManifest + "\n[[args]]\nname = \"x\"\nkind = \"scalar\"\ndtype=\"i64\"\nvalue = \"N\"\n"),
                    Contains("'x' is listed twice"));
  auto s = parse_text(test::kValidManifest + "\n[[args]]\nname = \"n\"\nkind = \"scalar\"\ndtype = \"i64\"\nvalue = \"M * N\"\n");
  CHECK(s.args.back().value.evaluate({{"M", 2}, {"N", 3}}) == 6);
}

TEST_CASE("default values in the manifest must come from the parameter lists", "[manifest][bad-input]") {
  auto ok = parse_text(test::kValidManifest + "\n[default]\nVEC = 4\n");
  CHECK(ok.default_config.at("VEC") == 4);
  CHECK_THROWS_WITH(parse_text(test::kValidManifest + "\n[default]\nVEC = 3\n"), Contains("VEC = 3, which is not in its value list"));
  CHECK_THROWS_WITH(parse_text(test::kValidManifest + "\n[default]\nUNROLL = 1\n"), Contains("not a parameter"));
}

TEST_CASE("the built-in templates load and include tkbench's shared header", "[manifest][registry]") {
  auto registry = TemplateRegistry::load({});
  const auto& rmsnorm = registry.get("rmsnorm");
  CHECK(rmsnorm.builtin);
  CHECK(rmsnorm.reference);
  // common.cuh first, then the headers it includes, each once (all of them hashed into the source hash).
  REQUIRE(rmsnorm.headers.size() >= 2);
  CHECK(rmsnorm.headers[0].name == "tkbench/common.cuh");
  std::set<std::string> names;
  for (const auto& h : rmsnorm.headers) CHECK(names.insert(h.name).second);
  CHECK(names.count("tkbench/vec.cuh") == 1);
  CHECK(names.count("tkbench/mbarrier.cuh") == 1);
  CHECK(registry.get("copy").dims == std::vector<std::string>{"N"});
  CHECK_THROWS_WITH(registry.get("rmsnrom"), Contains("unknown template 'rmsnrom'") && Contains("copy, gemm, gemm_kn, ") && Contains("rmsnorm_fp8, rmsnorm_mxfp8, transpose"));
}

TEST_CASE("user templates load from folders and shadow built-ins with a notice", "[manifest][registry]") {
  auto registry = TemplateRegistry::load({test::fixtures() + "/shadow"});
  const auto& shadowed = registry.get("rmsnorm");
  CHECK_FALSE(shadowed.builtin);
  CHECK(shadowed.description.find("user copy") != std::string::npos);
  REQUIRE(registry.notices().size() == 1);
  CHECK_THAT(registry.notices()[0], Contains("shadows the built-in one"));
  CHECK(registry.get("copy").builtin);
}

TEST_CASE("TKBENCH_TEMPLATE_PATH adds folders after --template-dir", "[manifest][registry]") {
  ::setenv("TKBENCH_TEMPLATE_PATH", "/nonexistent-a:/nonexistent-b", 1);
  auto dirs = TemplateRegistry::user_template_dirs({"/cli-dir"});
  ::unsetenv("TKBENCH_TEMPLATE_PATH");
  CHECK(dirs == std::vector<std::string>{"/cli-dir", "/nonexistent-a", "/nonexistent-b"});
}

TEST_CASE("a broken user manifest does not hide the others / and asking for it gives its error", "[manifest][registry]") {
  auto registry = TemplateRegistry::load({test::fixtures() + "/malformed"});
  CHECK(registry.load_errors().size() == 1);
  CHECK(registry.get("copy").builtin);
  CHECK_THROWS_WITH(registry.get("malformed"), Contains("malformed.toml:4:") && Contains("malformed TOML"));
}

// Per-output comparison keys (issue 18): an output's own tolerance, and
// quantized outputs compared dequantized through the output holding their scales.
TEST_CASE("outputs may carry their own tolerance and a scale output - misuse is named", "[manifest][bad-input][rmsfam]") {
  const std::string scales = "\n[[args]]\nname = \"y_scale\"\nkind = \"output\"\ndtype = \"e8m0\"\ncount = \"M * N / 32\"\n";
  auto ok = parse_text(test::kValidManifest + "dtype = \"e4m3\"\nscale = \"y_scale\"\nscale_group = \"32\"\ntolerance = 0.02\n" + scales);
  const ArgSpec& y = ok.args[1];
  CHECK(y.dtype == DType::e4m3);
  CHECK(y.scale == "y_scale");
  CHECK(y.scale_group.evaluate({{"M", 2}, {"N", 64}}) == 32);
  CHECK(y.tolerance == 0.02);
  CHECK(ok.args[2].dtype == DType::e8m0);
  CHECK_FALSE(ok.args[2].tolerance);
  CHECK_THROWS_WITH(parse_text(test::kValidManifest + "scale = \"y_scale\"\n" + scales), Contains("no scale_group"));
  CHECK_THROWS_WITH(parse_text(test::kValidManifest + "scale_group = \"32\"\n"), Contains("scale_group goes with scale"));
  CHECK_THROWS_WITH(parse_text(test::kValidManifest + "scale = \"x\"\nscale_group = \"32\"\n"),
                    Contains("scale 'x' of 'y' is not another output"));
  CHECK_THROWS_WITH(parse_text(test::kValidManifest + "scale = \"y\"\nscale_group = \"32\"\n"), Contains("is not another output"));
  CHECK_THROWS_WITH(parse_text(with("init = \"normal(0, 1)\"", "init = \"normal(0, 1)\"\ntolerance = 0.1")),
                    Contains("'tolerance' applies to outputs only"));
  CHECK_THROWS_WITH(parse_text(test::kValidManifest + "tolerance = -1\n"), Contains("tolerance must be a number >= 0"));
  CHECK_THROWS_WITH(parse_text(test::kValidManifest + "\n[[args]]\nname = \"a\"\nkind = \"scalar\"\ndtype = \"e4m3\"\nvalue = \"1\"\n"),
                    Contains("FP8 types are for buffers"));
}
