// The binary as a user meets it: exit codes, messages, JSON, the cache.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "profiler/device.hpp"
#include "test_helpers.hpp"

using namespace tkbench;
using test::run_tkbench;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {
std::string cache_env(const fs::path& dir) { return "XDG_CACHE_HOME=" + dir.string(); }
}  // namespace

TEST_CASE("cli: --version / --help and usage errors", "[cli]") {
  auto v = run_tkbench("--version");
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.output, Contains("tkbench 0."));
  auto help = run_tkbench("--help");
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.output, Contains("compile") && Contains("Examples:") && Contains("Exit codes"));
  CHECK_THAT(run_tkbench("compile --help").output, Contains("--shape") && Contains("--on-device"));
  // The compile table's columns are explained where its options are.
  CHECK_THAT(run_tkbench("compile --help").output, Contains("Columns, after the config's parameters:") &&
                                                       Contains("spill st/ld  bytes per thread spilled") &&
                                                       Contains("limit        what caps occupancy"));
  CHECK(run_tkbench("").exit_code == 2);
  CHECK(run_tkbench("frobnicate").exit_code == 2);
  CHECK(run_tkbench("compile rmsnorm --shape 4096x8192 --bogus").exit_code == 2);
  CHECK(run_tkbench("compile rmsnorm").exit_code == 2);  // --shape is required
}

TEST_CASE("cli: list and show work without a GPU", "[cli]") {
  auto list = run_tkbench("list --no-color");
  CHECK(list.exit_code == 0);
  CHECK_THAT(list.output, Contains("rmsnorm") && Contains("copy"));
  auto show = run_tkbench("show rmsnorm_basic --shape 4096x8192 --no-color");
  CHECK(show.exit_code == 0);
  CHECK_THAT(show.output, Contains("92 valid at shape 4096x8192 bf16") && Contains("THREADS * ROWS <= 1024"));
  auto json = run_tkbench("show copy --json");
  REQUIRE(json.exit_code == 0);
  CHECK(nlohmann::json::parse(json.output)["params"].size() == 4);
}

TEST_CASE("cli: bad input exits 2 with a message that says what is wrong", "[cli][bad-input]") {
  struct Case { std::string args, message; };
  const Case cases[] = {
      {"compile rmsnorm --shape 0x8192", "M = 0 must be at least 1"},
      {"compile rmsnorm --shape 4096", "has 1 dim; rmsnorm takes 2 dims (M x N)"},
      {"compile rmsnorm --shape abcx12", "'abc' is not a whole number"},
      {"compile rmsnorm --shape 4096x8192 --config UNROLL=2", "no parameter 'UNROLL'"},
      {"compile rmsnorm --shape 4096x8192 --config VEC=3", "VEC=3 is not one of its values"},
      {"compile rmsnorm --shape 4096x8192 --config THREADS=1024,ROWS=4", "constraint 'THREADS * ROWS <= 1024'"},
      {"compile rmsnorm --shape 4096x8192 --dtype fp64", "does not support dtype 'fp64'"},
      {"compile rmsnorm --shape 4096x8192 --arch sm_91", "'sm_91' is not an arch"},
      {"compile rmsnrom --shape 4096x8192", "unknown template 'rmsnrom'"},
      {"show nope", "unknown template 'nope'"},
      {std::string("compile malformed --shape 10 --template-dir ") + test::fixtures() + "/malformed", "malformed.toml:4:"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    auto r = run_tkbench(c.args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains(c.message));
  }
}

TEST_CASE("cli: compile lists every valid config - the second run comes from the cache", "[cli][cache]") {
  auto dir = test::temp_dir("cli-cache");
  auto first = run_tkbench("compile rmsnorm_basic --shape 4096x8192 --config VEC=8 --arch sm_90 --json", cache_env(dir));
  REQUIRE(first.exit_code == 0);
  auto doc = nlohmann::json::parse(first.output);
  CHECK(doc["schema"] == "tkbench.compile/1");
  CHECK(doc["results"].size() == 23);
  CHECK(doc["summary"]["compiled"] == 23);
  for (const auto& r : doc["results"]) {
    CHECK(r["status"] == "ok");
    CHECK(r["compile"]["resources"]["registers"].get<int>() > 0);
    CHECK(r["compile"]["theoretical_occupancy"]["fraction"].get<double>() > 0);
  }
  auto second = run_tkbench("compile rmsnorm_basic --shape 4096x8192 --config VEC=8 --arch sm_90 --json", cache_env(dir));
  REQUIRE(second.exit_code == 0);
  CHECK(nlohmann::json::parse(second.output)["summary"]["cache_hits"] == 23);

  // Corrupt every entry: each is reported, rebuilt, and the run still succeeds.
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".tkbc") fs::resize_file(e.path(), 100);
  auto third = run_tkbench("compile rmsnorm_basic --shape 4096x8192 --config VEC=8 --arch sm_90 -q", cache_env(dir));
  CHECK(third.exit_code == 0);
  CHECK_THAT(third.output, Contains("is corrupt (truncated); rebuilding it"));
  auto fourth = run_tkbench("compile rmsnorm_basic --shape 4096x8192 --config VEC=8 --arch sm_90 --json", cache_env(dir));
  CHECK(nlohmann::json::parse(fourth.output)["summary"]["cache_hits"] == 23);

  // The 23 configs and the reference kernel, which compile's offline check compiles.
  auto info = run_tkbench("cache info", cache_env(dir));
  CHECK_THAT(info.output, Contains("24 entries"));
  CHECK_THAT(run_tkbench("cache clear", cache_env(dir)).output, Contains("removed 24"));
  fs::remove_all(dir);
}

TEST_CASE("cli: an unwritable cache directory warns and compiles anyway", "[cli][cache]") {
  auto dir = test::temp_dir("cli-nocache");
  std::ofstream(dir / "file") << "x";
  auto r = run_tkbench("compile copy --shape 1000 --config VEC_BYTES=16,THREADS=256,UNROLL=1 --cache-dir " + (dir / "file").string());
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("kernel cache off") && Contains("compiling without caching") && Contains("2 compiled"));
  fs::remove_all(dir);
}

TEST_CASE("cli: a config that fails to compile is listed - the rest go on", "[cli][bad-input]") {
  auto r = run_tkbench(std::string("compile partly_broken --shape 1000 --no-cache --no-color --template-dir ") +
                       test::fixtures() + "/partly_broken");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("compile_error: partly_broken.cu(5): error: static assertion failed") && Contains("2 compiled") && Contains("1 failed to compile"));
}

TEST_CASE("cli: the worked example of docs/templates.md compiles for every dtype", "[cli][docs]") {
  const std::string dir = test::fixtures() + "/../../docs/examples";
  for (const char* dtype : {"bf16", "fp16", "fp32"}) {
    INFO(dtype);
    auto r = run_tkbench(std::string("compile axpy --shape 1000003 --no-cache --json --dtype ") + dtype + " --template-dir " + dir);
    REQUIRE(r.exit_code == 0);
    auto summary = nlohmann::json::parse(r.output)["summary"];
    CHECK(summary["compile_errors"] == 0);
    CHECK(summary["compiled"].get<int>() >= 24);
  }
}

TEST_CASE("cli: user templates shadow built-ins with a notice", "[cli]") {
  auto r = run_tkbench(std::string("list --no-color --template-dir ") + test::fixtures() + "/shadow");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("shadows the built-in one") && Contains("user copy of rmsnorm"));
  auto env = run_tkbench("list --no-color", std::string("TKBENCH_TEMPLATE_PATH=") + test::fixtures() + "/shadow");
  CHECK_THAT(env.output, Contains("shadows the built-in one"));
}

TEST_CASE("cli: Ctrl-C during compile keeps the finished configs and exits 130", "[cli]") {
  // One thread, no cache: 69 configs take ~10 s; SIGINT arrives after 2 s.
  auto r = run_tkbench("compile rmsnorm_basic --shape 4096x8192 --dtype fp32 --no-cache -j 1 --no-color",
                       "timeout --preserve-status -s INT 2");
  CHECK(r.exit_code == 130);
  CHECK_THAT(r.output, Contains("skipped: interrupted") && Contains("  ok"));
}

TEST_CASE("cli: GPU commands without a GPU exit 3 with one sentence", "[cli]") {
  auto r = run_tkbench("devices");
  if (!probe_devices().devices.empty()) {
    CHECK(r.exit_code == 0);  // on a GPU machine the same command lists it
    return;
  }
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.output, Contains("no CUDA device found:"));
  for (const char* args : {"compile rmsnorm --shape 4096x8192 --on-device --no-cache", "calibrate",
                           "bench rmsnorm --shape 4096x8192 --config VEC=8"}) {
    INFO(args);
    auto gpu = run_tkbench(args);
    CHECK(gpu.exit_code == 3);
    CHECK_THAT(gpu.output, Contains("no CUDA device found:"));
  }
  // Bad input is reported before the missing GPU.
  CHECK(run_tkbench("bench rmsnorm --shape 0x8192").exit_code == 2);
}
