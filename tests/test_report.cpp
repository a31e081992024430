// tkbench report: roofline math against hand-computed cases, golden files for
// Markdown/CSV/JSON, escaping of hostile text, the HTML's structure, and the
// page in headless Chromium.
#include <fstream>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

#include "reports/bench_report.hpp"
#include "reports/report_formats.hpp"
#include "reports/roofline.hpp"
#include "test_helpers.hpp"
#include "test_skip.hpp"
#include "tuner/result_json.hpp"

using namespace tkbench;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) { return (fs::path(test::fixtures()) / "report" / name).string(); }

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

Report fixture_report(std::initializer_list<const char*> names) {
  std::vector<ResultDocument> docs;
  for (const char* n : names) {
    docs.push_back(load_result_document(fixture(n)));
    docs.back().path = n;  // golden files must not depend on where the tree is checked out
  }
  return build_report(std::move(docs));
}

// Compares with tests/fixtures/report/golden/NAME; TKBENCH_UPDATE_GOLDEN=1 rewrites it.
void check_golden(const std::string& name, const std::string& actual) {
  fs::path path = fs::path(test::fixtures()) / "report" / "golden" / name;
  if (const char* update = std::getenv("TKBENCH_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    WARN("rewrote " << path.string());
    return;
  }
  REQUIRE(fs::exists(path));
  std::string expected = slurp(path);
  if (expected != actual) {
    // Point at the first differing line: easier to read than two whole documents.
    std::istringstream a(actual), e(expected);
    std::string la, le;
    int line = 1;
    while (std::getline(a, la) && std::getline(e, le) && la == le) ++line;
    FAIL(name << " differs from its golden file at line " << line << ":\n  expected: " << le << "\n  actual:   " << la
              << "\n(TKBENCH_UPDATE_GOLDEN=1 rewrites the golden files after a deliberate change)");
  }
}

using test::timed_result;

DevicePeaks h200_like() {
  DevicePeaks p;
  p.theoretical_bandwidth = 4.8e12;
  p.fp32_flops = 60e12;
  p.tensor_bf16_flops = 1000e12;
  p.calibration = Calibration{};
  p.calibration->bandwidth = 4e12;
  return p;
}

}  // namespace

TEST_CASE("roofline figures match hand-computed cases", "[report][roofline]") {
  DevicePeaks peaks = h200_like();
  SECTION("memory-bound: % of the measured copy; the theoretical roof alongside") {
    // 1 GB and 1 GFLOP in 500 µs: 2 TB/s, 1 FLOP/byte, far below the 15 FLOP/byte FP32 ridge.
    RooflineFigures f = roofline_figures(timed_result(DType::bf16, 500), Workload{1e9, 1e9, "fp32"}, peaks);
    CHECK(f.bandwidth == Approx(2e12));
    CHECK(f.arithmetic_intensity == Approx(1.0));
    CHECK_FALSE(f.compute_bound);
    CHECK(f.bound_by == "measured copy");
    CHECK(f.pct_of_bound == Approx(50.0));
    CHECK(f.pct_of_measured == Approx(50.0));
    CHECK(f.pct_of_theoretical == Approx(100.0 * 2 / 4.8));
    CHECK(f.floor_seconds == Approx(250e-6));  // 1 GB at 4 TB/s
  }
  SECTION("past the FP32 ridge: bound by FP32") {
    // 1 GB, 100 GFLOP (100 FLOP/byte > 15): bound 60 TFLOP/s; in 5 ms: 20 TFLOP/s = 33.3%.
    RooflineFigures f = roofline_figures(timed_result(DType::bf16, 5000), Workload{1e9, 100e9, "fp32"}, peaks);
    CHECK(f.compute_bound);
    CHECK(f.bound_by == "FP32");
    CHECK(f.pct_of_bound == Approx(100.0 / 3));
    CHECK(f.floor_seconds == Approx(100e9 / 60e12));
  }
  SECTION("the tensor pipe at the dtype's rate: bf16 full, TF32 half") {
    // 1 GB, 1 PFLOP (1e6 FLOP/byte): bf16 bound 1000 TFLOP/s; in 2 s: 500 TFLOP/s = 50%.
    RooflineFigures bf16 = roofline_figures(timed_result(DType::bf16, 2e6), Workload{1e9, 1e15, "tensor"}, peaks);
    CHECK(bf16.bound_by == "bf16 tensor");
    CHECK(bf16.pct_of_bound == Approx(50.0));
    RooflineFigures fp16 = roofline_figures(timed_result(DType::fp16, 2e6), Workload{1e9, 1e15, "tensor"}, peaks);
    CHECK(fp16.bound_by == "fp16 tensor");
    RooflineFigures tf32 = roofline_figures(timed_result(DType::fp32, 2e6), Workload{1e9, 1e15, "tensor"}, peaks);
    CHECK(tf32.bound_by == "TF32 tensor");
    CHECK(tf32.pct_of_bound == Approx(100.0));  // 500 TFLOP/s of a 500 TFLOP/s TF32 roof
  }
  SECTION("a tensor kernel below its ridge is still bound by memory") {
    // 250 FLOP/byte x 4 TB/s = 1000 TFLOP/s: the ridge itself; at 100 FLOP/byte memory binds.
    RooflineFigures f = roofline_figures(timed_result(DType::bf16, 100), Workload{1e8, 1e10, "tensor"}, peaks);
    CHECK_FALSE(f.compute_bound);
    CHECK(f.pct_of_bound == Approx(25.0));  // 1 TB/s of 4
  }
  SECTION("no flops: pure data movement is bound by memory") {
    RooflineFigures f = roofline_figures(timed_result(DType::bf16, 1000), Workload{4e9, 0, "fp32"}, peaks);
    CHECK(f.bound_by == "measured copy");
    CHECK(f.pct_of_bound == Approx(100.0));
  }
  SECTION("uncalibrated: the theoretical roof binds and is named") {
    peaks.calibration.reset();
    RooflineFigures f = roofline_figures(timed_result(DType::bf16, 500), Workload{1e9, 1e9, "fp32"}, peaks);
    CHECK(f.bound_by == "theoretical DRAM");
    CHECK(f.pct_of_measured == 0);
    CHECK(f.pct_of_bound == Approx(100.0 * 2 / 4.8));
  }
  SECTION("no timing: no figures but the workload") {
    Result r = timed_result(DType::bf16, 1);
    r.measurement->timing.reset();
    RooflineFigures f = roofline_figures(r, Workload{1e9, 1e9, "fp32"}, peaks);
    CHECK(f.bandwidth == 0);
    CHECK(f.ideal_bytes == 1e9);
  }
}

TEST_CASE("the counters' DRAM line says what an efficiency far from 100% means", "[report][counters]") {
  Result r = timed_result(DType::bf16, 100);
  r.measurement->counters = Counters{};
  auto dram_line = [&](double measured_bytes) {
    r.measurement->counters->values = {{"dram__bytes_read.sum", measured_bytes / 2}, {"dram__bytes_write.sum", measured_bytes / 2}};
    RooflineFigures f;
    f.ideal_bytes = 1e9;
    f.dram_bytes = measured_bytes;
    f.dram_efficiency = f.ideal_bytes / measured_bytes;
    char* text = nullptr;
    std::size_t size = 0;
    std::FILE* out = open_memstream(&text, &size);
    print_counters(out, r, f, false);
    std::fclose(out);
    std::string s(text, size);
    std::free(text);
    return s;
  };
  CHECK_THAT(dram_line(1.5e9), Contains("66.7% efficiency (ideal / measured): moves more than it must"));
  CHECK_THAT(dram_line(0.5e9), Contains("200.0% efficiency (ideal / measured): less than the ideal, outputs still in L2"));
  const std::string exact = dram_line(1.0e9);
  CHECK_THAT(exact, Contains("100.0% efficiency (ideal / measured)\n"));
}

TEST_CASE("the report model finds each shape's best, its verdict and what is in the way", "[report]") {
  // Judged against the large copy, as before size curves: the fixture's GPU without its curve.
  ResultDocument doc = load_result_document(fixture("h200.json"));
  doc.peaks.calibration->size_curve.reset();
  std::vector<ResultDocument> docs;
  docs.push_back(std::move(doc));
  Report report = build_report(std::move(docs));
  REQUIRE(report.groups.size() == 2);
  const ShapeGroup& small = report.groups[0];
  CHECK(small.problem.shape_str() == "4096x8192");  // numeric order, not text order
  CHECK(small.evaluated == 10);
  CHECK(small.failed == 2);
  REQUIRE(small.best);
  CHECK(report.result_of(report.points[*small.best]).config.str() == "VEC=8,THREADS=256,ROWS=1");
  CHECK(small.verdict == "near the limit");
  CHECK_THAT(small.why, Contains("1.12x the ideal bytes"));
  CHECK(report.groups[1].verdict == "at the limit");  // 94.97% prints as 95.0%: judged as printed
  REQUIRE(report.furthest);
  CHECK(*report.furthest == 0);
  // Among the fixture's configs VEC and THREADS move the best time by 77%, ROWS by 49%: largest swing first.
  REQUIRE(small.parameters.size() == 3);
  CHECK(small.parameters[0].swing == Approx(59.2 / 33.424 - 1).epsilon(1e-4));
  CHECK(small.parameters[2].name == "ROWS");
  CHECK(small.parameters[2].swing == Approx(49.808 / 33.424 - 1).epsilon(1e-4));

  // With the curve, 4096x8192 (134 MB) is judged against a copy of 134 MB: at the limit.
  Report sized = fixture_report({"h200.json"});
  CHECK(sized.groups[0].verdict == "at the limit");
  CHECK_THAT(sized.groups[0].why, Contains("within 5% of a copy of the same bytes"));
  CHECK(*sized.furthest == 1);  // 95.7% of its size-aware roof against 98.0%
}

TEST_CASE("Markdown, CSV and JSON reports match their golden files", "[report][golden]") {
  Report one = fixture_report({"h200.json"});
  check_golden("h200.md", render_markdown(one));
  check_golden("h200.csv", render_csv(one));
  check_golden("h200.report.json", render_json(one).dump(2) + "\n");
  check_golden("h200.txt", render_terminal(one, false));
  Report two = fixture_report({"h200.json", "h100.json"});
  check_golden("h200_vs_h100.md", render_markdown(two));
  check_golden("h200_vs_h100.txt", render_terminal(two, false));
}

TEST_CASE("CSV has one row per result and quotes what needs quoting", "[report][csv]") {
  Report report = fixture_report({"hostile.json"});
  std::string text = render_csv(report);
  // A minimal RFC 4180 reader: every record has as many fields as the header.
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') quoted = true;
    else if (c == ',') rows.back().push_back(field), field.clear();
    else if (c == '\n') rows.back().push_back(field), field.clear(), rows.emplace_back();
    else field += c;
  }
  rows.pop_back();  // after the last newline
  REQUIRE(rows.size() == 1 + report.points.size());
  for (const auto& row : rows) CHECK(row.size() == rows[0].size());
  CHECK(rows[1][2] == "<script>alert(1)</script>|x,\"y\"*_");  // the template name survives the round trip
  auto column = [&](const std::string& name) { return std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin(); };
  CHECK(rows[3][column("status")] == "fault");
  CHECK(rows[3][column("median_us")].empty());
  CHECK(rows[1][column("param_VEC")] == "8");
}

TEST_CASE("text from manifests and results is escaped in HTML and Markdown", "[report][escaping]") {
  Report report = fixture_report({"hostile.json"});
  std::string html = render_html(report);
  CHECK(count(html, "<script") == 1);  // ours, at the end
  CHECK(html.find("<script>alert(1)") == std::string::npos);
  CHECK(html.find("<img src=x") == std::string::npos);
  CHECK(html.find("<b>&</b>") == std::string::npos);
  CHECK_THAT(html, Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK_THAT(html, Contains("&lt;img src=x onerror=alert(2)&gt;"));
  std::string md = render_markdown(report);
  CHECK(md.find("<script>") == std::string::npos);
  CHECK_THAT(md, Contains("&lt;script&gt;alert(1)&lt;/script&gt;\\|x"));  // a | would split the table cell
}

TEST_CASE("the HTML report is self-contained and has one roofline point per timed result", "[report][html]") {
  Report report = fixture_report({"h200.json", "h100.json"});
  std::string html = render_html(report);
  std::size_t timed = 0;
  for (const auto& p : report.points) timed += p.timed;
  CHECK(timed == 32);  // 2 documents x (16 timed + 2 failed)
  auto roofline = html.substr(html.find("<svg class=\"chart roofline\""));
  roofline = roofline.substr(0, roofline.find("</svg>"));
  CHECK(count(roofline, "class=\"point\"") + count(roofline, "class=\"point best\"") == timed);
  CHECK(count(roofline, "class=\"point best\"") == 4);  // one per shape and document
  // Both memory roofs of both GPUs, and the compute roofs, drawn and labelled.
  std::string roofs = roofline.substr(roofline.find("<g class=\"roofs\">"));
  roofs = roofs.substr(0, roofs.find("</g>"));
  CHECK(count(roofs, "class=\"roof-measured\"") == 2);
  CHECK(count(roofs, "class=\"roof-theoretical\"") == 2);
  CHECK_THAT(roofline, Contains("measured copy 4.31 TB/s"));
  CHECK_THAT(roofline, Contains("theoretical DRAM 3.35 TB/s"));
  CHECK_THAT(roofline, Contains("bf16 tensor"));
  CHECK_THAT(roofline, Contains("arithmetic intensity (FLOP/byte"));
  CHECK_THAT(roofline, Contains("performance (FLOP/s)"));
  // Nothing fetched: no external URLs in src/href, no CDN.
  CHECK_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*["']?(https?:)?//)")));
  CHECK(html.find("@import") == std::string::npos);
  // The title names the GPU; the page names the driver and the date.
  CHECK_THAT(html, Contains("<title>tkbench roofline report — NVIDIA H200</title>"));
  CHECK_THAT(html, Contains("CUDA driver 13.0, 2026-11-22 00:57 UTC"));
  // One parameter chart per parameter and tuning run (3 parameters x 4 runs).
  CHECK(count(html, "class=\"chart param\"") == 12);
}

TEST_CASE("report refuses bad input with exit 2 and the reason", "[report][cli]") {
  fs::path dir = test::temp_dir("report-bad");
  std::ofstream(dir / "notjson.json") << "{ this is not json";
  std::ofstream(dir / "schema.json") << R"({"schema": "something.else/1", "results": []})";
  std::ofstream(dir / "record.json") << R"({"schema": "tkbench.results/1", "device": {"name": "X", "arch": "sm_90", "theoretical_bandwidth": 1e12},
                                           "results": [{"template": "t"}]})";
  auto missing = test::run_tkbench("report " + (dir / "nope.json").string());
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.output, Contains("nope.json: no such file"));
  auto notjson = test::run_tkbench("report " + (dir / "notjson.json").string());
  CHECK(notjson.exit_code == 2);
  CHECK_THAT(notjson.output, Contains("not valid JSON"));
  auto schema = test::run_tkbench("report " + (dir / "schema.json").string());
  CHECK(schema.exit_code == 2);
  CHECK_THAT(schema.output, Contains("schema \"something.else/1\" is not one tkbench reads"));
  auto record = test::run_tkbench("report " + (dir / "record.json").string());
  CHECK(record.exit_code == 2);
  CHECK_THAT(record.output, Contains("result 0 is malformed"));
  auto extension = test::run_tkbench("report " + fixture("h200.json") + " -o " + (dir / "report.txt").string());
  CHECK(extension.exit_code == 2);
  CHECK_THAT(extension.output, Contains("cannot tell the format from '.txt'"));
  CHECK_FALSE(fs::exists(dir / "report.txt"));
  fs::remove_all(dir);
}

TEST_CASE("report writes each format by extension or --format", "[report][cli]") {
  fs::path dir = test::temp_dir("report-formats");
  for (const char* ext : {"html", "md", "csv", "json"}) {
    fs::path out = dir / (std::string("r.") + ext);
    auto run = test::run_tkbench("report " + fixture("h200.json") + " " + fixture("h100.json") + " -o " + out.string());
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.output, Contains("36 results, 4 shapes, from 2 documents"));
    CHECK(fs::file_size(out) > 1000);
  }
  CHECK(nlohmann::json::parse(slurp(dir / "r.json")).at("schema") == "tkbench.report/1");
  auto forced = test::run_tkbench("report " + fixture("h200.json") + " --format md -o " + (dir / "comment.txt").string());
  CHECK(forced.exit_code == 0);
  CHECK_THAT(slurp(dir / "comment.txt"), Contains("### tkbench roofline report"));
  auto terminal = test::run_tkbench("report " + fixture("h200.json"));
  CHECK(terminal.exit_code == 0);
  CHECK_THAT(terminal.output, Contains("Furthest from the limit: rmsnorm 16384x8192 bf16 at 95.7% of the size-aware roof"));
  fs::remove_all(dir);
}

namespace {

// Debian's chromium (installed by .ci/run), or another Chromium on PATH.
std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::string cmd = std::string("command -v ") + name + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) return name;
  }
  return "";
}

struct PageLoad {
  std::string dom;              // after scripts ran
  std::vector<std::string> console;  // console messages: errors, uncaught exceptions
  int exit_code = -1;
};

PageLoad load_page(const std::string& chromium, const fs::path& page, const fs::path& work) {
  fs::path profile = work / "profile", dom = work / "dom.html", log = work / "chromium.log";
  std::string cmd = "timeout 120 " + chromium + " --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir=" +
                    profile.string() + " --enable-logging=stderr --v=0 --dump-dom file://" + fs::absolute(page).string() + " > " +
                    dom.string() + " 2> " + log.string();
  PageLoad load;
  load.exit_code = WEXITSTATUS(std::system(cmd.c_str()));
  load.dom = slurp(dom);
  std::istringstream lines(slurp(log));
  for (std::string line; std::getline(lines, line);)
    if (line.find(":CONSOLE") != std::string::npos) load.console.push_back(line);
  return load;
}

}  // namespace

// The page in a real browser: it loads with no console errors, its script runs
// to the end, the roofline has one point per timed result, and a screenshot is
// kept as a test artifact (build/test-artifacts/report.png) for a human to look at.
TEST_CASE("the HTML report loads in headless Chromium without errors", "[report][html][chromium]") {
  std::string chromium = find_chromium();
  if (chromium.empty()) {
    const char* required = std::getenv("TKBENCH_REQUIRE_CHROMIUM");
    if (required && std::string(required) == "1") FAIL("chromium is required (TKBENCH_REQUIRE_CHROMIUM=1) but not on PATH");
    TKBENCH_SKIP_TEST("no chromium on PATH (apt-get install chromium; .ci/run installs it)");
  }
  fs::path dir = test::temp_dir("report-chromium");
  // The detector itself must see an error when there is one.
  std::ofstream(dir / "broken.html") << "<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>";
  PageLoad broken = load_page(chromium, dir / "broken.html", dir);
  REQUIRE(broken.exit_code == 0);
  CHECK(broken.console.size() == 1);

  Report report = fixture_report({"h200.json", "h100.json", "hostile.json"});
  std::ofstream(dir / "report.html") << render_html(report);
  PageLoad page = load_page(chromium, dir / "report.html", dir);
  REQUIRE(page.exit_code == 0);
  for (const auto& line : page.console) UNSCOPED_INFO(line);
  CHECK(page.console.empty());
  CHECK_THAT(page.dom, Contains("data-ready=\"1\""));
  CHECK_FALSE(std::regex_search(page.dom, std::regex("<body[^>]*data-errors")));  // set by the page's error handler
  std::size_t timed = 0;
  for (const auto& p : report.points) timed += p.timed;
  std::string roofline = page.dom.substr(page.dom.find("class=\"chart roofline\""));
  roofline = roofline.substr(0, roofline.find("</svg>"));
  CHECK(count(roofline, "class=\"point\"") + count(roofline, "class=\"point best\"") == timed);
  CHECK(page.dom.find("<script>alert(1)") == std::string::npos);  // the hostile name stayed text

  fs::path artifacts = fs::path(test::binary()).parent_path() / "test-artifacts";
  fs::create_directories(artifacts);
  fs::path shot = artifacts / "report.png";
  fs::remove(shot);
  std::string cmd = "timeout 120 " + chromium + " --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir=" +
                    (dir / "profile").string() + " --window-size=1100,3000 --screenshot=" + shot.string() + " file://" +
                    fs::absolute(dir / "report.html").string() + " >/dev/null 2>&1";
  CHECK(std::system(cmd.c_str()) == 0);
  REQUIRE(fs::exists(shot));
  CHECK(fs::file_size(shot) > 20000);
  CHECK(slurp(shot).substr(1, 3) == "PNG");
  fs::copy_file(dir / "report.html", artifacts / "report.html", fs::copy_options::overwrite_existing);
  WARN("screenshot: " << shot.string());
  fs::remove_all(dir);
}
