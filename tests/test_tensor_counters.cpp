// A tensor-pipe kernel's counters in words (reports/tensor_counters): what
// they say a GEMM loses its roof to, from a fixture of three wgmma gemm
// shapes measured on an H200 with counters added by hand
// (tests/fixtures/report/make_gemm_fixture.py), and how every report format
// shows them.
#include <catch2/catch.hpp>

#include <filesystem>

#include "profiler/default_metrics.hpp"
#include "reports/bench_report.hpp"
#include "reports/report_formats.hpp"
#include "reports/tensor_counters.hpp"
#include "test_helpers.hpp"

using namespace tkbench;
using Catch::Matchers::Contains;

namespace {

Report gemm_report() {
  std::vector<ResultDocument> docs;
  docs.push_back(load_result_document((std::filesystem::path(test::fixtures()) / "report" / "gemm_counters.json").string()));
  docs.back().path = "gemm_counters.json";
  return build_report(std::move(docs));
}

// The group of `shape` and its best point.
const ShapeGroup& group(const Report& report, const std::string& shape) {
  for (const auto& g : report.groups)
    if (g.problem.shape_str() == shape) return g;
  throw std::logic_error("no group " + shape);
}
const ReportPoint& best(const Report& report, const std::string& shape) { return *best_point(report, group(report, shape)); }

}  // namespace

TEST_CASE("a GEMM's loss in words: tensor pipe, L2 hit rate, DRAM traffic, spills - only what the figures show", "[report][counters]") {
  const Report report = gemm_report();
  REQUIRE(report.groups.size() == 3);

  // 8192^3: a low L2 hit rate and three times the ideal DRAM bytes.
  const ReportPoint& big = best(report, "8192x8192x8192");
  CHECK(big.figures.compute_bound);
  CHECK(*big.figures.tensor_pipe_pct == Approx(71.3));
  CHECK(*big.figures.tensor_pipe_busy_pct == Approx(74.0));
  CHECK(*big.figures.l2_hit_rate_pct == Approx(62.4));
  CHECK(tensor_loss_reasons(report.result_of(big), big.figures) ==
        std::vector<std::string>{"tensor pipe active 71% of cycles",
                                 "L2 hit 62%: operands re-read from DRAM, poor rasterization (tile order)?",
                                 "DRAM moved 3.2x the ideal bytes"});
  CHECK(group(report, "8192x8192x8192").verdict == "near the limit");
  CHECK(group(report, "8192x8192x8192").why ==
        "tensor pipe active 71% of cycles; L2 hit 62%: operands re-read from DRAM, poor rasterization (tile order)?; "
        "DRAM moved 3.2x the ideal bytes");

  // 2048^3: SMs idle for part of the kernel (the active figure far above the
  // elapsed one), and spills in ptxas' report; L2 and DRAM look fine, so say nothing.
  const ReportPoint& small = best(report, "2048x2048x2048");
  CHECK(tensor_loss_reasons(report.result_of(small), small.figures) ==
        std::vector<std::string>{"tensor pipe active 42% of cycles (80% of those its SM had work: SMs idle part of the time, a partial last wave?)",
                                 "ptxas spilled registers: 64 B spill stores, 48 B spill loads at 168 registers"});
  CHECK(group(report, "2048x2048x2048").verdict == "far from the limit");

  // 4096^3 has only the memory-bound counters: the report says how to get the tensor ones.
  const ReportPoint& mid = best(report, "4096x4096x4096");
  CHECK_FALSE(has_tensor_counters(mid.figures));
  CHECK(tensor_loss_reasons(report.result_of(mid), mid.figures).empty());
  CHECK_THAT(group(report, "4096x4096x4096").why, Contains("no tensor-pipe counters in this document: `tkbench tune --counters`"));
}

TEST_CASE("tensor loss words: nothing without counters or spills - DRAM named when busy", "[report][counters]") {
  Result r;
  r.problem.dtype = DType::bf16;
  RooflineFigures f;
  CHECK(tensor_loss_reasons(r, f).empty());
  CHECK(tensor_counters_summary(f).empty());
  f.tensor_pipe_pct = 0;  // measured: no tensor work at all
  f.tensor_pipe_busy_pct = 3;
  f.l2_hit_rate_pct = 95;
  f.dram_throughput_pct = 86;
  CHECK(tensor_loss_reasons(r, f) == std::vector<std::string>{"tensor pipe active 0% of cycles", "DRAM busy 86% of its peak"});
  CHECK(tensor_counters_summary(f) == "tensor pipe 0% of cycles (3% while its SM had work), L2 hit 95%");
}

TEST_CASE("every report format shows a GEMM's tensor-pipe counters", "[report][counters]") {
  const Report report = gemm_report();
  const std::string terminal = render_terminal(report, false);
  CHECK_THAT(terminal, Contains("tensor pipe") && Contains("L2 hit") && Contains("71.3%") && Contains("62.4%"));
  CHECK_THAT(terminal, Contains("% of library"));
  const std::string markdown = render_markdown(report);
  CHECK_THAT(markdown, Contains("Tensor-pipe counters of each shape's best:\n\n- gemm 2048x2048x2048: tensor pipe 42% of cycles "
                                "(80% while its SM had work), L2 hit 88%"));
  CHECK_THAT(markdown, Contains("- gemm 8192x8192x8192: tensor pipe 71% of cycles (74% while its SM had work), L2 hit 62%, "
                                "DRAM 1.29 GB (3.2x ideal)"));
  CHECK_THAT(markdown, Contains("poor rasterization (tile order)?"));
  const auto json = render_json(report);
  const auto& big = json["shapes"][2];
  CHECK(big["shape"] == "8192x8192x8192");
  CHECK(big["best"]["figures"]["tensor_pipe_pct"].get<double>() == Approx(71.3));
  CHECK(big["best"]["figures"]["l2_hit_rate_pct"].get<double>() == Approx(62.4));
  CHECK(json["shapes"][1]["best"]["figures"]["tensor_pipe_pct"].is_null());
  CHECK_THAT(render_csv(report), Contains(",theoretical_occupancy,tensor_pipe_pct,l2_hit_rate_pct,registers,") &&
                                     Contains(",71.30,62.40,168,0,\n"));
  CHECK_THAT(render_html(report), Contains("tensor pipe 71% of cycles"));
}

TEST_CASE("bench's counters block names the tensor pipe and the L2 hit rate", "[report][counters]") {
  const Report report = gemm_report();
  const ReportPoint& big = best(report, "8192x8192x8192");
  char* text = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  print_counters(out, report.result_of(big), big.figures, false);
  std::fclose(out);
  const std::string s(text, size);
  std::free(text);
  CHECK_THAT(s, Contains("tensor pipe active 71.3% of elapsed cycles, 74.0% of the cycles its SM had work"));
  CHECK_THAT(s, Contains("L2          62.4% of requests hit"));
  CHECK_THAT(s, Contains(metric::kTensorPipeElapsed));
}
