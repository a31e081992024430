// Roofs that know the size: the calibrated copy bandwidth over footprints
// (interpolation, JSON, old calibration files), the latency floor, the size-aware
// roof and the verdict rules, and the fields every output carries; a [gpu]
// case measures a short curve.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "profiler/bandwidth_curve.hpp"
#include "profiler/device_peaks.hpp"
#include "profiler/size_calibration.hpp"
#include "reports/gate_compare.hpp"
#include "reports/gate_output.hpp"
#include "reports/report_formats.hpp"
#include "reports/size_roof.hpp"
#include "reports/verdict.hpp"
#include "test_helpers.hpp"
#include "test_skip.hpp"
#include "tuner/config.hpp"
#include "tuner/template_registry.hpp"

using namespace tkbench;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

constexpr double MiB = 1 << 20, GiB = 1 << 30;

// 1 TB/s at 1 MiB, 2 TB/s at 4 MiB, 4 TB/s at 1 GiB; a 2 µs floor.
BandwidthCurve fake_curve() {
  BandwidthCurve c;
  c.points = {{1 * MiB, 1e12, "a"}, {4 * MiB, 2e12, "b"}, {1 * GiB, 4e12, "c"}};
  c.latency_floor_us = 2;
  c.latency_floor_bytes = 32768;
  c.latency_floor_config = "f";
  c.configs_tried = 51;
  return c;
}

DevicePeaks peaks_with(std::optional<BandwidthCurve> curve) {
  DevicePeaks p;
  p.device.name = "NVIDIA H200";
  p.device.uuid = "GPU-size-roof-test";
  p.device.cc_major = 9;
  p.theoretical_bandwidth = 4.8e12;
  p.fp32_flops = 60e12;
  p.calibration = Calibration{};
  p.calibration->bandwidth = 4e12;
  p.calibration->size_curve = std::move(curve);
  return p;
}

Result timed(double median_us) { return test::timed_result(DType::bf16, median_us); }

ResultDocument fixture_document(const std::string& name) {
  ResultDocument doc = load_result_document((fs::path(test::fixtures()) / "report" / name).string());
  doc.path = name;
  return doc;
}

}  // namespace

TEST_CASE("the bandwidth curve interpolates log-log between points and holds its ends", "[size_roof]") {
  const BandwidthCurve c = fake_curve();
  CHECK(c.bandwidth_at(1 * MiB) == Approx(1e12));
  CHECK(c.bandwidth_at(4 * MiB) == Approx(2e12));
  CHECK(c.bandwidth_at(2 * MiB) == Approx(std::sqrt(2.0) * 1e12));  // halfway in log(bytes): the geometric mean
  CHECK(c.bandwidth_at(32 * MiB) == Approx(2e12 * std::pow(2.0, std::log(8.0) / std::log(256.0))));
  CHECK(c.bandwidth_at(64 * 1024) == Approx(1e12));  // below the first point: its value
  CHECK(c.bandwidth_at(8 * GiB) == Approx(4e12));    // above the last: its value
  CHECK(BandwidthCurve{}.bandwidth_at(1 * MiB) == 0);
  CHECK_FALSE(BandwidthCurve{}.usable());
}

TEST_CASE("the curve's JSON round-trips, sorted, dropping points it cannot use", "[size_roof]") {
  auto j = to_json(fake_curve());
  BandwidthCurve back = bandwidth_curve_from_json(j);
  REQUIRE(back.points.size() == 3);
  CHECK(back.points[1].bytes == 4 * MiB);
  CHECK(back.points[1].config == "b");
  CHECK(back.latency_floor_us == 2);
  CHECK(back.configs_tried == 51);
  std::swap(j["points"][0], j["points"][2]);
  j["points"].push_back({{"bytes", 8 * MiB}, {"bandwidth", 0.0}});  // not measured
  back = bandwidth_curve_from_json(j);
  REQUIRE(back.points.size() == 3);
  CHECK(back.points.front().bytes == 1 * MiB);
  CHECK(back.points.back().bytes == 1 * GiB);
}

TEST_CASE("the size-aware roof is never under the latency floor", "[size_roof]") {
  const DevicePeaks peaks = peaks_with(fake_curve());
  SECTION("a decode-sized result: the floor is the roof") {
    auto roof = size_roof(peaks, 49152);
    REQUIRE(roof);
    CHECK(roof->seconds == Approx(2e-6));
    CHECK(roof->latency_floor_seconds == Approx(2e-6));
    CHECK(roof->bandwidth == Approx(1e12));
  }
  SECTION("past the floor: the bytes at the curve's bandwidth for their footprint") {
    auto roof = size_roof(peaks, 6 * MiB);  // ~3.0 µs at ~2.1 TB/s
    REQUIRE(roof);
    CHECK(roof->seconds == Approx(6 * MiB / fake_curve().bandwidth_at(6 * MiB)));
    CHECK(roof->seconds > 2e-6);
  }
  SECTION("a large result") {
    auto roof = size_roof(peaks, 1 * GiB);
    REQUIRE(roof);
    CHECK(roof->seconds == Approx(GiB / 4e12));
    CHECK(roof->bandwidth == Approx(4e12));
  }
  SECTION("no curve, an unusable one, or no bytes: no size roof") {
    CHECK_FALSE(size_roof(peaks_with(std::nullopt), 1 * GiB));
    BandwidthCurve no_floor = fake_curve();
    no_floor.latency_floor_us = 0;
    CHECK_FALSE(size_roof(peaks_with(no_floor), 1 * GiB));
    CHECK_FALSE(size_roof(peaks, 0));
    DevicePeaks uncalibrated = peaks;
    uncalibrated.calibration.reset();
    CHECK_FALSE(size_roof(uncalibrated, 1 * GiB));
  }
}

TEST_CASE("verdicts judge the size-aware roof: latency-bound near the floor, at/near/far elsewhere", "[size_roof]") {
  const DevicePeaks peaks = peaks_with(fake_curve());
  SECTION("a decode shape 10% over the floor is latency-bound, though 0.6% of the large copy") {
    RooflineFigures f = roofline_figures(timed(2.2), Workload{49152, 0, "fp32"}, peaks);
    CHECK(f.pct_of_bound == Approx(100.0 * 49152 / 2.2e-6 / 4e12));
    CHECK(f.pct_of_size_roof == Approx(100.0 * 2 / 2.2));
    CHECK(f.latency_bound);
    CHECK(verdict_of(f) == "latency-bound");
    CHECK(judged_roof_name(f) == "size-aware");
  }
  SECTION("within 2x of the floor is latency-bound even below 85% of the size roof; past 2x it is judged by %") {
    RooflineFigures near = roofline_figures(timed(3.9), Workload{49152, 0, "fp32"}, peaks);
    CHECK(near.pct_of_size_roof < 60);
    CHECK(verdict_of(near) == "latency-bound");
    RooflineFigures far = roofline_figures(timed(10), Workload{49152, 0, "fp32"}, peaks);
    CHECK_FALSE(far.latency_bound);
    CHECK(verdict_of(far) == "far from the limit");
  }
  SECTION("a mid-sized result as fast as a copy of its bytes is at the limit, though 80% of the large copy") {
    const double bytes = 32 * MiB, copy_us = 1e6 * bytes / fake_curve().bandwidth_at(bytes);
    RooflineFigures f = roofline_figures(timed(copy_us / 0.99), Workload{bytes, 0, "fp32"}, peaks);
    CHECK_FALSE(f.latency_bound);
    CHECK(f.pct_of_size_roof == Approx(99.0));
    CHECK(f.pct_of_bound < 80);
    CHECK(verdict_of(f) == "at the limit");
  }
  SECTION("thresholds: 95% at, 85% near, below far, on the printed decimal") {
    const double bytes = 1 * GiB, roof_us = 1e6 * bytes / 4e12;
    CHECK(verdict_of(roofline_figures(timed(roof_us / 0.9496), Workload{bytes, 0, "fp32"}, peaks)) == "at the limit");  // prints 95.0%
    CHECK(verdict_of(roofline_figures(timed(roof_us / 0.90), Workload{bytes, 0, "fp32"}, peaks)) == "near the limit");
    CHECK(verdict_of(roofline_figures(timed(roof_us / 0.80), Workload{bytes, 0, "fp32"}, peaks)) == "far from the limit");
  }
  SECTION("without a curve the large-copy roof judges, as before") {
    RooflineFigures f = roofline_figures(timed(2.2), Workload{49152, 0, "fp32"}, peaks_with(std::nullopt));
    CHECK_FALSE(f.has_size_roof());
    CHECK(f.pct_of_size_roof == 0);
    CHECK(verdict_of(f) == "far from the limit");
    CHECK(judged_roof_name(f) == "measured copy");
  }
  SECTION("compute-bound results have no size roof") {
    RooflineFigures f = roofline_figures(timed(5000), Workload{1e9, 100e9, "fp32"}, peaks);
    CHECK(f.compute_bound);
    CHECK_FALSE(f.has_size_roof());
  }
  SECTION("untimed: the roof is known, the verdict is not") {
    Result r = timed(1);
    r.measurement->timing.reset();
    RooflineFigures f = roofline_figures(r, Workload{1 * GiB, 0, "fp32"}, peaks);
    CHECK(f.has_size_roof());
    CHECK(f.pct_of_size_roof == 0);
    CHECK(verdict_of(f) == "not timed");
  }
  SECTION("results documents carry the new figures") {
    auto j = figures_json(timed(2.2), Workload{49152, 0, "fp32"}, peaks);
    CHECK(j.at("size_roof_us").get<double>() == Approx(2.0));
    CHECK(j.at("latency_floor_us").get<double>() == Approx(2.0));
    CHECK(j.at("pct_of_size_roof").get<double>() == Approx(100.0 * 2 / 2.2));
    CHECK(j.at("latency_bound") == true);
    auto old = figures_json(timed(2.2), Workload{49152, 0, "fp32"}, peaks_with(std::nullopt));
    CHECK(old.at("pct_of_size_roof").is_null());
    CHECK(old.at("size_roof_us").is_null());
  }
}

TEST_CASE("calibration files keep the curve; older files without it still load", "[size_roof]") {
  const fs::path dir = test::temp_dir("size-roof-calibration");
  const DevicePeaks peaks = peaks_with(fake_curve());
  REQUIRE_FALSE(store_calibration(dir.string(), peaks.device, *peaks.calibration).has_value());
  auto loaded = load_calibration(dir.string(), peaks.device);
  REQUIRE(loaded);
  REQUIRE(loaded->size_curve);
  CHECK(loaded->size_curve->points.size() == 3);
  CHECK(loaded->size_curve->latency_floor_us == 2);

  // A file written before size curves: no "size_curve" key.
  const fs::path file = dir / "calibration" / (peaks.device.uuid + ".json");
  auto j = nlohmann::ordered_json::parse(std::ifstream(file));
  j.erase("size_curve");
  std::ofstream(file) << j.dump(2);
  loaded = load_calibration(dir.string(), peaks.device);
  REQUIRE(loaded);
  CHECK(loaded->bandwidth == 4e12);
  CHECK_FALSE(loaded->size_curve);
  fs::remove_all(dir);
}

TEST_CASE("a results document's device carries the curve both ways", "[size_roof]") {
  DevicePeaks back = device_peaks_from_json(to_json(peaks_with(fake_curve())));
  REQUIRE(back.calibration);
  REQUIRE(back.calibration->size_curve);
  CHECK(back.calibration->size_curve->bandwidth_at(2 * MiB) == Approx(std::sqrt(2.0) * 1e12));
  DevicePeaks old = device_peaks_from_json(to_json(peaks_with(std::nullopt)));
  REQUIRE(old.calibration);
  CHECK_FALSE(old.calibration->size_curve);
}

TEST_CASE("the default plan: footprints from 1 MiB to 2 GiB, two per octave; the floor's copy leaves L2", "[size_roof]") {
  const SizeCalibrationPlan plan = default_size_plan();
  REQUIRE(plan.footprints.size() == 23);
  CHECK(plan.footprints.front() == 1 << 20);
  CHECK(plan.footprints.back() == 1LL << 31);
  CHECK(std::is_sorted(plan.footprints.begin(), plan.footprints.end()));
  CHECK(plan.configs.size() == 16);
  CHECK_FALSE(plan.floor_configs.empty());
  // H200 (60 MiB L2) and H100 (50 MiB): 4096 rotated sets must pass 2x L2 -> 32 KiB.
  CHECK(latency_floor_footprint(60LL << 20) == 32768);
  CHECK(latency_floor_footprint(50LL << 20) == 32768);
  CHECK(latency_floor_footprint(0) == 16);
  // Every config the plan names is one of copy's, valid at every footprint.
  auto registry = TemplateRegistry::load({});
  const TemplateSpec& copy = registry.get("copy");
  for (const auto& text : plan.configs) CHECK_NOTHROW(parse_config_filter(text, copy));
}

TEST_CASE("reports show the size-aware roof from a document with a curve, and nothing new without one", "[size_roof][report]") {
  std::vector<ResultDocument> docs;
  docs.push_back(fixture_document("h200.json"));
  Report sized = build_report(std::move(docs));
  REQUIRE(has_size_roofs(sized));
  const ShapeGroup& g = sized.groups.front();  // rmsnorm 4096x8192: 134 MB, 93% of the large copy
  const ReportPoint* best = best_point(sized, g);
  REQUIRE(best);
  CHECK(best->figures.pct_of_size_roof > best->figures.pct_of_bound);
  CHECK(g.verdict == verdict_of(best->figures));
  CHECK_THAT(render_terminal(sized, false), Contains("% of size roof") && Contains("size curve 1.0 MiB"));
  CHECK_THAT(render_markdown(sized), Contains("% of size roof") && Contains("size-aware roof"));
  CHECK_THAT(render_csv(sized), Contains("pct_of_size_roof"));
  CHECK_THAT(render_html(sized), Contains("% of size roof"));
  auto json = render_json(sized);
  CHECK(json.at("shapes").at(0).at("best").at("figures").at("pct_of_size_roof").is_number());
  CHECK(json.at("documents").at(0).at("roofs").at("size_curve").at("points").size() == 12);

  std::vector<ResultDocument> old;
  old.push_back(fixture_document("h100.json"));
  Report plain = build_report(std::move(old));
  CHECK_FALSE(has_size_roofs(plain));
  CHECK_THAT(render_terminal(plain, false), !Contains("size roof"));
  CHECK(render_json(plain).at("documents").at(0).at("roofs").at("size_curve").is_null());
}

TEST_CASE("a latency-bound shape is never the one furthest from its limit while another is below it", "[size_roof][report]") {
  ResultDocument doc;
  doc.path = "made-up.json";
  doc.peaks = peaks_with(fake_curve());
  Result decode = timed(3.0);  // 67% of a 2 µs floor, but within 2x of it
  decode.problem.dims = {1};
  Result prefill = timed(1e6 * GiB / 4e12 / 0.9);  // 90% of a copy of 1 GiB
  prefill.problem.dims = {2};
  doc.set.results = {decode, prefill};
  doc.workloads = {Workload{49152, 0, "fp32"}, Workload{GiB, 0, "fp32"}};
  Report report = build_report({doc});
  REQUIRE(report.groups.size() == 2);
  CHECK(report.groups[0].verdict == "latency-bound");
  CHECK(report.groups[1].verdict == "near the limit");
  REQUIRE(report.furthest);
  CHECK(*report.furthest == 1);
  CHECK_THAT(report.groups[0].why, Contains("within 2x of the 2.000 µs latency floor"));
}

TEST_CASE("the gate shows each current result against the roof for its size", "[size_roof][gate]") {
  const ResultDocument doc = fixture_document("h200.json");
  GateReport r = gate_documents(&doc, doc, {});
  auto j = gate_json(r);
  bool any = false;
  for (const auto& e : j.at("entries"))
    if (e.at("current").is_object() && e.at("current").at("size_sol").is_number()) {
      any = true;
      CHECK(e.at("current").at("roof_verdict").is_string());
    }
  CHECK(any);
  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* out = ::open_memstream(&buffer, &size);
  print_gate_report(out, r, false, true);
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  CHECK_THAT(text, Contains("size SoL"));
}

TEST_CASE("calibration measures a short size curve: bandwidth grows with the footprint, the floor is a few µs", "[gpu][size_roof]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  const DeviceInfo& device = require_device(0);
  auto registry = TemplateRegistry::load({});
  const fs::path cache = test::temp_dir("size-curve-gpu");
  WorkerClient worker({test::binary(), "worker", "--cache-dir", cache.string()}, 60);
  SizeCalibrationPlan plan = default_size_plan();
  plan.footprints = {1LL << 20, 1LL << 30};
  plan.configs = {"VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=0", "VEC_BYTES=16,THREADS=512,UNROLL=4,STREAMING=0"};
  plan.floor_configs = {"VEC_BYTES=16,THREADS=128,UNROLL=1,STREAMING=0"};
  BandwidthCurve curve = calibrate_size_curve(worker, registry, device, plan, "", {});
  INFO("floor " << curve.latency_floor_us << " µs");
  REQUIRE(curve.usable());
  REQUIRE(curve.points.size() == 2);
  CHECK(curve.points[0].bandwidth < curve.points[1].bandwidth);
  CHECK(curve.bandwidth_at(1 << 20) < curve.bandwidth_at(1 << 30));
  CHECK(curve.latency_floor_us > 0);
  CHECK(curve.latency_floor_us < 20);
  fs::remove_all(cache);
}
