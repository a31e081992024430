// [baseline]: a library timed beside the template in the same run (cuBLAS
// through cuBLASLt). CPU: the manifest section and its refusals. GPU: cuBLAS
// on gemm's own buffers passes the template's reference check, in both B
// layouts, at odd shapes (a wrong layout or leading dimension fails it).
#include <catch2/catch.hpp>

#include "profiler/device.hpp"
#include "profiler/evaluator.hpp"
#include "quick_request.hpp"
#include "reports/library_comparison.hpp"
#include "test_helpers.hpp"
#include "test_skip.hpp"
#include "tuner/search_space.hpp"

using namespace tkbench;
using Catch::Matchers::Contains;

namespace {

const TemplateRegistry& registry() {
  static const TemplateRegistry r = TemplateRegistry::load({});
  return r;
}

// kValidManifest (x: input, y: output, shape M x N) with a [baseline] appended.
std::string with_baseline(const std::string& section) { return test::kValidManifest + "\n[baseline]\n" + section; }

}  // namespace

TEST_CASE("every gemm manifest names cuBLAS as its baseline, with its padded rows", "[baseline][manifest]") {
  for (const char* name : {"gemm", "gemm_kn", "gemm_splitk", "gemm_sm80", "gemm_sm80_kn"}) {
    INFO(name);
    const auto& spec = registry().get(name);
    REQUIRE(spec.baseline);
    CHECK(spec.baseline->library == "cublas");
    CHECK(spec.baseline->display_name() == "cuBLAS");
    CHECK(spec.baseline->b_kn == (std::string(name).find("_kn") != std::string::npos));
    Problem p = make_problem(spec, {17, 4099, 4090}, DType::bf16);
    Bindings b = p.bindings();
    CHECK(spec.baseline->m.evaluate(b) == 17);
    CHECK(spec.baseline->k.evaluate(b) == 4090);
    CHECK(spec.baseline->lda.evaluate(b) == 4096);  // K rounded up to 8 elements, as A is allocated
    CHECK(spec.baseline->ldb.evaluate(b) == (spec.baseline->b_kn ? 4104 : 4096));  // B's rows: N (K x N) or K (N x K)
  }
  CHECK_FALSE(registry().get("rmsnorm").baseline);
}

TEST_CASE("a % of the library that sets two clocks side by side is flagged", "[baseline][throttle]") {
  // 8192x18432x7168 on an H100: cuBLAS ran power-capped, the config at full clock, and the ratio read 107.3%.
  Result library = test::timed_result(DType::bf16, 3001.8);
  Result kernel = test::timed_result(DType::bf16, 2797.5);
  auto clocks = [](Result& r, int start, int end) {
    TimingStats& t = *r.measurement->timing;
    t.sm_clock_start_mhz = start, t.sm_clock_end_mhz = end, t.sm_clock_max_mhz = 1980;
    t.throttled = std::min(start, end) < 0.9 * 1980;
  };
  clocks(library, 1530, 1530);
  clocks(kernel, 1965, 1965);
  CHECK_THAT(library_clock_mismatch(library, kernel, "cuBLAS"),
             Contains("cuBLAS was timed at 1530 MHz, the config at 1965 MHz (max 1980 MHz)"));
  clocks(library, 1980, 1980);
  clocks(kernel, 1980, 1410);
  CHECK_THAT(library_clock_mismatch(library, kernel, "cuBLAS"), Contains("the config at 1980-1410 MHz"));
  clocks(kernel, 1965, 1980);
  CHECK(library_clock_mismatch(library, kernel, "cuBLAS").empty());
  library.status = Status::fault;
  CHECK(library_clock_mismatch(library, kernel, "cuBLAS").empty());
}

TEST_CASE("a % of the library against a noisy library time is flagged, not trusted", "[baseline]") {
  Result library = test::timed_result(DType::bf16, 101.2);
  library.measurement->timing->min_us = 91.87;
  library.measurement->timing->max_us = 211.87;
  library.measurement->timing->spread = 0.533;  // an H100 run's cuBLAS at 16x4096x14336, which ran 45.6 µs minutes before
  CHECK(library_figure(&library, 46.43) == "218.0% (noisy)");
  CHECK_THAT(library_noise(library, "cuBLAS"), Contains("cuBLAS's time spread 53% in this run") && Contains("91.87 to 211.87"));
  library.measurement->timing->spread = 0.07;  // the worst of the same run's other 26 shapes
  CHECK(library_figure(&library, 46.43) == "218.0%");
  CHECK(library_noise(library, "cuBLAS").empty());
  library.status = Status::fault;
  CHECK(library_figure(&library, 46.43) == "failed");
  CHECK(library_noise(library, "cuBLAS").empty());
}

TEST_CASE("a [baseline] section is checked where it is written", "[baseline][manifest][bad-input]") {
  const std::string ok = "library = \"cublas\"\na = \"x\"\nb = \"x\"\nd = \"y\"\nm = \"M\"\nn = \"N\"\nk = \"N\"\n";
  auto spec = test::parse_text(with_baseline(ok));
  REQUIRE(spec.baseline);
  CHECK(spec.baseline->ldb.text() == "N");  // defaults to K's expression for "nk"
  CHECK_THROWS_WITH(test::parse_text(with_baseline("library = \"rocblas\"\na = \"x\"\nb = \"x\"\nd = \"y\"\nk = \"N\"\n")),
                    Contains("the one available is \"cublas\""));
  CHECK_THROWS_WITH(test::parse_text(with_baseline("library = \"cublas\"\na = \"x\"\nb = \"x\"\nd = \"x\"\nk = \"N\"\n")),
                    Contains("must be an output buffer"));
  CHECK_THROWS_WITH(test::parse_text(with_baseline("library = \"cublas\"\na = \"w\"\nb = \"x\"\nd = \"y\"\nk = \"N\"\n")),
                    Contains("must name a buffer of [[args]]"));
  CHECK_THROWS_WITH(test::parse_text(with_baseline("library = \"cublas\"\na = \"x\"\nb = \"x\"\nd = \"y\"\n")),
                    Contains("needs 'k'"));
  CHECK_THROWS_WITH(test::parse_text(with_baseline(ok + "b_layout = \"tn\"\n")), Contains("b_layout must be"));
  CHECK_THROWS_WITH(test::parse_text(with_baseline(ok + "alpha = \"2\"\n")), Contains("unknown key 'alpha'"));
}

TEST_CASE("cuBLAS on gemm's buffers passes the reference check in both layouts and is timed", "[gpu][baseline]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  Compiler compiler(nullptr);
  Evaluator evaluator(registry(), compiler, require_device(0));
  int checked = 0;
  for (const char* name : {"gemm", "gemm_kn"}) {
    const auto& spec = registry().get(name);
    for (const std::vector<long long>& dims : std::vector<std::vector<long long>>{{17, 4099, 4097}, {257, 129, 65}, {2048, 2048, 2048}}) {
      for (DType dtype : spec.dtypes) {
        Problem p = make_problem(spec, dims, dtype);
        EvaluationRequest req = test::quick_request(spec, dims, dtype, *SearchSpace(spec, p).default_config());
        INFO(name << " " << p.shape_str() << " " << dtype_info(dtype).name);
        Measurement m = evaluator.evaluate_baseline(req, [] {});
        CHECK(m.verification.verified);
        CHECK(m.verification.passed);
        CHECK(m.verification.nonfinite == 0);
        REQUIRE(m.timing);
        CHECK(m.timing->median_us > 0);
        ++checked;
      }
    }
  }
  CHECK(checked == 12);
}
