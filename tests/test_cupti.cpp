// CUPTI's host API needs no GPU: metric names and pass counts are checked offline.
#include <catch2/catch.hpp>

#include <cupti_result.h>

#include <algorithm>

#include "profiler/cupti_host.hpp"
#include "profiler/default_metrics.hpp"
#include "test_helpers.hpp"
#include "tuner/errors.hpp"

using namespace tkbench;
using Catch::Contains;

TEST_CASE("the default metrics take one pass on GH100 and GA100", "[cupti]") {
  CHECK(MetricConfig("GH100", default_metrics("fp32")).passes() == 1);
  CHECK(MetricConfig("GA100", default_metrics("fp32")).passes() == 1);
  CHECK_FALSE(MetricConfig("GH100", default_metrics("fp32")).config_image().empty());
}

TEST_CASE("a tensor-pipe template's default metrics add wgmma activity and the L2 hit rate, still one pass", "[cupti]") {
  const auto& memory = default_metrics("fp32");
  const auto& tensor = default_metrics("tensor");
  CHECK(std::equal(memory.begin(), memory.end(), tensor.begin()));  // DRAM bytes and the rest stay
  for (const char* name : {metric::kTensorPipeElapsed, metric::kTensorPipeActive, metric::kL2RequestHitRate})
    CHECK(std::find(tensor.begin(), tensor.end(), name) != tensor.end());
  CHECK(tensor.size() == 8);
  // One replay pass on Hopper (the wgmma GEMMs) and on Ampere (the mma.sync path).
  CHECK(MetricConfig("GH100", tensor).passes() == 1);
  CHECK(MetricConfig("GA100", tensor).passes() == 1);
  // The sector-based L2 hit rate would cost a second pass: why the request-based one is the default.
  auto with_sector_hit_rate = memory;
  with_sector_hit_rate.push_back("lts__t_sector_hit_rate.pct");
  CHECK(MetricConfig("GH100", with_sector_hit_rate).passes() == 2);
  auto with_request_hit_rate = memory;
  with_request_hit_rate.push_back(metric::kL2RequestHitRate);
  CHECK(MetricConfig("GH100", with_request_hit_rate).passes() == 1);
}

TEST_CASE("pass counts grow with the metrics asked for", "[cupti]") {
  auto with_hit_rate = default_metrics("fp32");
  with_hit_rate.push_back("lts__t_sector_hit_rate.pct");
  CHECK(MetricConfig("GH100", with_hit_rate).passes() == 2);
  CHECK(MetricConfig("GH100", {"sm__throughput.avg.pct_of_peak_sustained_elapsed"}).passes() == 8);
}

TEST_CASE("an unknown metric is named with the nearest valid ones", "[cupti][bad-input]") {
  CHECK_THROWS_WITH(MetricConfig("GH100", {"dram__bytes_raed.sum"}),
                    Contains("'dram__bytes_raed.sum' is not a CUPTI metric on GH100") && Contains("dram__bytes_read.sum"));
  // launch__* metrics belong to Nsight Compute, not CUPTI.
  CHECK_THROWS_AS(MetricConfig("GH100", {"launch__registers_per_thread"}), InputError);
  CHECK_THROWS_WITH(MetricConfig("GH100", {}), Contains("no metric names"));
}

TEST_CASE("an unknown chip lists the supported ones", "[cupti][bad-input]") {
  CHECK_THROWS_WITH(MetricConfig("GX100", default_metrics("fp32")), Contains("'GX100' is not a chip") && Contains("GH100"));
  auto chips = MetricConfig::supported_chips();
  CHECK(std::find(chips.begin(), chips.end(), "GA100") != chips.end());
}

TEST_CASE("CUPTI failures users meet are explained", "[cupti]") {
  CHECK_THAT(describe_cupti_error(CUPTI_ERROR_INSUFFICIENT_PRIVILEGES, "enabling"),
             Contains("ERR_NVGPUCTRPERM") && Contains("NVreg_RestrictProfilingToAdminUsers=0") && Contains("CAP_SYS_ADMIN"));
  CHECK_THAT(describe_cupti_error(CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED, "enabling"), Contains("ncu or nsys"));
  CHECK_THAT(describe_cupti_error(CUPTI_ERROR_VIRTUALIZED_DEVICE_NOT_SUPPORTED, "enabling"), Contains("virtualized"));
  CHECK_THAT(describe_cupti_error(CUPTI_ERROR_NOT_SUPPORTED, "enabling"), Contains("MIG"));
}

TEST_CASE("cli: profile --chip checks metrics offline", "[cupti][cli]") {
  auto ok = test::run_tkbench("profile rmsnorm --shape 4096x8192 --chip GH100");
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.output, Contains("5 metrics valid on GH100, 1 replay pass per kernel"));
  auto many = test::run_tkbench("profile rmsnorm --shape 4096x8192 --chip GH100 --metrics sm__throughput.avg.pct_of_peak_sustained_elapsed --json");
  CHECK(many.exit_code == 0);
  CHECK_THAT(many.output, Contains("\"passes\": 8"));
  // A tensor-pipe template ([roofline] pipe = "tensor") gets the tensor set by default.
  auto gemm = test::run_tkbench("profile gemm --shape 4096x4096x4096 --chip GH100");
  CHECK(gemm.exit_code == 0);
  CHECK_THAT(gemm.output, Contains("8 metrics valid on GH100, 1 replay pass per kernel") &&
                              Contains(metric::kTensorPipeElapsed) && Contains(metric::kL2RequestHitRate));
  auto bad = test::run_tkbench("profile rmsnorm --shape 4096x8192 --chip GH100 --metrics dram__bytes_raed.sum");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Contains("nearest: dram__bytes_read.sum"));
}
