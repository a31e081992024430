// [gpu] tests: they need a CUDA device; where none exists they skip, saying why, and ctest reports them as skipped (test_skip.hpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "profiler/device.hpp"
#include "profiler/evaluator.hpp"
#include "profiler/default_metrics.hpp"
#include "profiler/remote_evaluation.hpp"
#include "config_check.hpp"
#include "quick_request.hpp"
#include "test_helpers.hpp"
#include "test_skip.hpp"
#include "profiler/kernel_loader.hpp"
#include "tuner/compile_batch.hpp"
#include "tuner/kernel_cache.hpp"
#include "tuner/search_space.hpp"
#include "tuner/template_registry.hpp"

using namespace tkbench;

TEST_CASE("compiled registers and occupancy agree with the driver for every rmsnorm_basic config", "[gpu]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  const DeviceInfo& device = require_device(0);
  auto registry = TemplateRegistry::load({});
  const auto& spec = registry.get("rmsnorm_basic");
  Compiler compiler(nullptr);
  for (DType dtype : spec.dtypes) {
    Problem p = make_problem(spec, {4096, 8192}, dtype);
    auto compiled = compile_configs(spec, p, SearchSpace(spec, p).enumerate(), compiler, {device.arch()});
    for (const auto& c : compiled) {
      REQUIRE(c.kernel);
      auto driver = inspect_on_device(device, *c.kernel, c.result.compile->geometry);
      INFO(c.result.config.str());
      CHECK(driver.registers == c.result.compile->resources.registers);
      CHECK(driver.blocks_per_sm == c.result.compile->occupancy.blocks_per_sm);
    }
  }
}

// ---- GPU runner ----

namespace {

const std::string kMisbehavingDir = test::fixtures() + "/misbehaving";

using test::check_config_is_correct;
using test::quick_request;

}  // namespace

TEST_CASE("copy and rmsnorm_basic are correct across dtypes, odd shapes and sampled configs", "[gpu]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto registry = TemplateRegistry::load({});
  Compiler compiler(nullptr);
  Evaluator evaluator(registry, compiler, require_device(0));
  struct Case { std::string name; std::vector<long long> dims; };
  const Case cases[] = {{"copy", {5001}}, {"copy", {(1 << 20) + 3}}, {"rmsnorm_basic", {3, 5000}}, {"rmsnorm_basic", {1, 8192}},
                        {"rmsnorm_basic", {33, 1000}}, {"rmsnorm_basic", {4096, 4096}}};
  int checked = 0;
  for (const auto& c : cases) {
    const auto& spec = registry.get(c.name);
    for (DType dtype : spec.dtypes) {
      Problem p = make_problem(spec, c.dims, dtype);
      SearchSpace space(spec, p);
      auto configs = space.sample(6, 11);
      configs.push_back(*space.default_config());
      for (const auto& config : configs) {
        INFO(c.name << " " << p.shape_str() << " " << dtype_info(dtype).name << " " << config.str());
        Measurement m = evaluator.evaluate(quick_request(spec, c.dims, dtype, config), [] {});
        CHECK(m.verification.verified);
        CHECK(m.verification.passed);
        CHECK(m.verification.nonfinite == 0);
        CHECK(m.verification.rel_l2_error <= spec.tolerance.at(dtype));
        REQUIRE(m.timing);
        CHECK(m.timing->median_us > 0);
        ++checked;
      }
    }
  }
  CHECK(checked > 100);
}

// rmsnorm, rmsnorm_fp32w (an fp32 weight), add_rmsnorm and add_rmsnorm_inplace against their fp64-sum
// references: odd N (5000: VEC up to 8 with a ragged last trip and ragged
// cluster parts; 1001: 2-byte accesses; 2050: 4-byte), M = 1, rows per block
// past M (1101 rows: a short last group of a pipelined block), every way of
// holding the row (registers, re-read, shared memory, split between the two,
// pipelined), of loading w, of splitting a row over a cluster, and every
// cache hint.
// add_rmsnorm_inplace's r is inout: s is written over the residual it is
// computed from, and compared.
// Each (template, shape, dtype) runs its default, two configs spread over its
// space, every (path, hint) pair not yet run for the template, and for bf16
// rmsnorm at three shapes one config of every path. A progress line per step
// goes to stderr: Catch reports nothing until a test ends.
TEST_CASE("the rmsnorm family is correct across dtypes - odd N - M = 1 - in place", "[gpu]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto registry = TemplateRegistry::load({});
  // A cache that the parallel compile below fills: the evaluator then loads
  // each CUBIN instead of compiling configs one by one.
  KernelCache cache(test::temp_dir("gpu-family"));
  Compiler compiler(&cache);
  Evaluator evaluator(registry, compiler, require_device(0));
  const std::vector<std::vector<long long>> shapes = {{3, 5000}, {1, 8192},   {33, 1000},    {7, 1001},
                                                      {5, 2050}, {1101, 4000}, {1101, 16384}};
  const std::vector<std::vector<long long>> every_mode_shapes = {{3, 5000}, {1, 8192}, {1101, 16384}};
  const auto start = std::chrono::steady_clock::now();
  int checked = 0;
  std::set<std::string> modes;
  for (const char* name : {"rmsnorm", "rmsnorm_fp32w", "add_rmsnorm", "add_rmsnorm_inplace"}) {
    const auto& spec = registry.get(name);
    std::set<std::string> pairs_seen;
    for (const auto& dims : shapes) {
      for (DType dtype : spec.dtypes) {
        Problem p = make_problem(spec, dims, dtype);
        SearchSpace space(spec, p);
        const std::vector<Config> all = space.enumerate();
        std::vector<Config> configs;
        if (auto d = space.default_config()) configs.push_back(*d);
        if (!all.empty()) {
          configs.push_back(all[all.size() / 3]);
          configs.push_back(all[2 * all.size() / 3]);
        }
        std::set<std::string> seen;
        const bool every_mode_here = dtype == DType::bf16 && spec.name == "rmsnorm" &&
                                     std::find(every_mode_shapes.begin(), every_mode_shapes.end(), dims) != every_mode_shapes.end();
        for (const auto& c : all) {
          const std::string mode = test::rmsnorm_kernel_mode(c);
          if (every_mode_here && seen.insert(mode).second) configs.push_back(c);
          else if (pairs_seen.insert(mode + " hint " + std::to_string(c.at("HINT"))).second) configs.push_back(c);
        }
        compile_configs(spec, p, configs, compiler, {});
        for (const auto& config : configs) {
          INFO(name << " " << p.shape_str() << " " << dtype_info(dtype).name << " " << config.str());
          EvaluationRequest request = quick_request(spec, dims, dtype, config);
          request.graph_below_us = 0;  // correctness only: no graphs of many input sets
          request.cold_l2 = false;
          Measurement m = evaluator.evaluate(request, [] {});
          CHECK(m.verification.verified);
          CHECK(m.verification.passed);
          CHECK(m.verification.nonfinite == 0);
          CHECK(m.verification.rel_l2_error <= spec.tolerance.at(dtype));
          modes.insert(std::string(name) + " " + test::rmsnorm_kernel_mode(config) + " hint " + std::to_string(config.at("HINT")));
          ++checked;
        }
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "family test: %s %s %s: %zu configs of %zu verified (%d so far, %.0f s)\n", name,
                     p.shape_str().c_str(), std::string(dtype_info(dtype).name).c_str(), configs.size(), all.size(), checked,
                     secs);
      }
    }
  }
  CHECK(checked > 300);
  // Every way of holding the row, loading w and splitting it was run.
  for (const char* name : {"rmsnorm", "rmsnorm_fp32w"}) {
    for (const char* mode : {"split w0 cluster1", "split w0 cluster2", "registers w0 cluster1", "registers w1 cluster1", "registers w2 cluster1", "re-read w0 cluster1",
                             "re-read w2 cluster1", "shared w0 cluster1", "shared w2 cluster1", "registers w1 cluster2",
                             "registers w0 cluster4", "shared w2 cluster8", "re-read w0 cluster8", "pipelined w0 cluster1",
                             "pipelined w2 cluster1", "pipelined w0 cluster2", "pipelined w2 cluster8"})
      for (int hint : {0, 1}) {
        INFO(name << " " << mode << " hint " << hint);
        CHECK(modes.count(fmt::format("{} {} hint {}", name, mode, hint)) == 1);
      }
  }
  for (const char* name : {"add_rmsnorm", "add_rmsnorm_inplace"})
    for (const char* mode : {"registers w0 cluster1", "registers w1 cluster1", "re-read w0 cluster1"})
      for (int hint : {0, 1}) CHECK(modes.count(fmt::format("{} {} hint {}", name, mode, hint)) == 1);
}

// 16 and 32 rows a block (short rows: M >= 256 x ROWS), with a last block of
// fewer rows (8197 = 256 x 32 + 5), for every dtype and a sample of the rest;
// then add_rmsnorm's longest rows in registers.
TEST_CASE("rmsnorm and add_rmsnorm are correct with 16 and 32 rows a block, add_rmsnorm with rows of 32768 in registers", "[gpu][rmsfam]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto registry = TemplateRegistry::load({});
  Compiler compiler(nullptr);
  Evaluator evaluator(registry, compiler, require_device(0));
  int checked = 0;
  for (const char* name : {"rmsnorm", "add_rmsnorm"}) {
    const auto& spec = registry.get(name);
    for (std::vector<long long> dims : {std::vector<long long>{8197, 256}, {8197, 1000}}) {
      for (DType dtype : spec.dtypes) {
        Problem p = make_problem(spec, dims, dtype);
        SearchSpace space(spec, p);
        for (long long rows : {16, 32})
          for (const auto& config : space.sample(3, 13, {{"ROWS", rows}})) {
            check_config_is_correct(evaluator, spec, dims, dtype, config);
            ++checked;
          }
      }
    }
  }
  // add_rmsnorm's rows of 32768 held in registers (128 KB of x and r a block of 512+ threads).
  for (const char* name : {"add_rmsnorm", "add_rmsnorm_inplace"}) {
    const auto& spec = registry.get(name);
    const std::vector<long long> dims = {1101, 32768};
    for (DType dtype : {DType::bf16, DType::fp16}) {
      SearchSpace space(spec, make_problem(spec, dims, dtype));
      for (long long vec : {4, 8})
        for (const auto& config : space.sample(2, 17, {{"VEC", vec}, {"ITEMS", 32768 / (vec * 1024)}, {"THREADS", 1024}})) {
          check_config_is_correct(evaluator, spec, dims, dtype, config);
          ++checked;
        }
    }
  }
  CHECK(checked >= 68);
}

TEST_CASE("poisoned outputs catch an unwritten element, and a 1% error fails verification", "[gpu]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto registry = TemplateRegistry::load({kMisbehavingDir});
  const auto& spec = registry.get("misbehaving");
  Compiler compiler(nullptr);
  Evaluator evaluator(registry, compiler, require_device(0));
  const long long n = 100003;
  auto ok = evaluator.evaluate(quick_request(spec, {n}, DType::fp32, Config{{{"MODE", 0}}}), [] {});
  CHECK(ok.verification.passed);
  CHECK(ok.verification.rel_l2_error == 0);

  auto unwritten = evaluator.evaluate(quick_request(spec, {n}, DType::fp32, Config{{{"MODE", 1}}}), [] {});
  CHECK_FALSE(unwritten.verification.passed);
  CHECK(unwritten.verification.nonfinite == 1);
  CHECK(unwritten.verification.first_bad_index == n - 1);
  CHECK_FALSE(unwritten.timing);  // never timed

  auto off = evaluator.evaluate(quick_request(spec, {n}, DType::fp32, Config{{{"MODE", 2}}}), [] {});
  CHECK_FALSE(off.verification.passed);
  CHECK(off.verification.rel_l2_error == Approx(0.01).epsilon(0.05));
  CHECK(off.verification.first_bad_index == 0);
}

TEST_CASE("a faulting and a hanging kernel each cost one config, and the run goes on", "[gpu]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto registry = TemplateRegistry::load({kMisbehavingDir});
  const auto& spec = registry.get("misbehaving");
  auto cache = test::temp_dir("gpu-worker");
  WorkerClient worker({test::binary(), "worker", "--template-dir", kMisbehavingDir, "--cache-dir", cache.string()}, 5.0);
  const std::pair<int, Status> plan[] = {{0, Status::ok}, {3, Status::fault}, {0, Status::ok},
                                         {4, Status::timeout}, {0, Status::ok}, {1, Status::wrong_result}};
  for (const auto& [mode, expected] : plan) {
    Result r;
    r.config = Config{{{"MODE", mode}}};
    evaluate_remotely(worker, quick_request(spec, {1 << 20}, DType::fp32, r.config), r);
    INFO("MODE=" << mode << ": " << r.reason);
    CHECK(r.status == expected);
    if (mode == 3) CHECK_THAT(r.reason, Catch::Contains("illegal"));
  }
  CHECK(worker.starts() == 3);  // one worker, replaced after the fault and after the hang
  std::filesystem::remove_all(cache);
}

namespace {

// `config` verified and counted with the template's default metrics.
Measurement counted(const TemplateRegistry& registry, const Compiler& compiler, const DeviceInfo& device, const TemplateSpec& spec,
                    const Problem& problem, const Config& config) {
  Evaluator evaluator(registry, compiler, device);
  auto req = EvaluationRequest::for_config(spec, problem, config);
  req.rule.max_seconds = 0.1;
  req.metrics = default_metrics(spec.compute_pipe);
  Measurement m = evaluator.evaluate(req, [] {});
  REQUIRE(m.verification.passed);
  INFO(m.counters_unavailable);
  REQUIRE(m.counters);
  return m;
}

}  // namespace

// Lines still dirty in L2 when a kernel ends (tens of MB on an H200) are
// written back later, outside its range: with 4 GiB per buffer that residue is
// well under 1% of the writes.
TEST_CASE("copy's DRAM counters are within 1% of its ideal bytes at 8x L2", "[gpu][cupti]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto registry = TemplateRegistry::load({});
  const auto& spec = registry.get("copy");
  Compiler compiler(nullptr);
  const DeviceInfo& device = require_device(0);
  const long long n = std::max<long long>(1LL << 31, 4 * device.l2_bytes / 2);  // 4 GiB per buffer, >= 8x L2 moved
  Problem p = make_problem(spec, {n}, DType::bf16);
  Measurement m = counted(registry, compiler, device, spec, p, Config{{{"VEC_BYTES", 16}, {"THREADS", 256}, {"UNROLL", 4}, {"STREAMING", 0}}});
  const double ideal = 2.0 * n * 2;  // read + write, bf16
  CHECK(*m.counters->get("dram__bytes_read.sum") == Approx(ideal / 2).epsilon(0.01));
  CHECK(*m.counters->get("dram__bytes_write.sum") == Approx(ideal / 2).epsilon(0.01));
  CHECK(*m.counters->get("sm__warps_active.avg.pct_of_peak_sustained_active") > 10);
  CHECK(m.counters->overhead_ms < 1000);
}

// Checks that the tensor set measures wgmma: the metric names were chosen
// offline from CUPTI's GH100 descriptions (HMMA/HGMMA/QGMMA), not measured.
TEST_CASE("gemm's tensor-pipe counters see its wgmma work and its L2 hits", "[gpu][cupti][gemm]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto registry = TemplateRegistry::load({});
  const auto& spec = registry.get("gemm");
  const DeviceInfo& device = require_device(0);
  if (device.arch() != "sm_90") TKBENCH_SKIP_TEST("gemm's wgmma path needs sm_90, not " << device.arch());
  Compiler compiler(nullptr);
  Problem p = make_problem(spec, {4096, 4096, 4096}, DType::bf16);
  Measurement m = counted(registry, compiler, device, spec, p, *SearchSpace(spec, p).default_config());
  CHECK(m.counters->passes == 1);
  const double elapsed = *m.counters->get(metric::kTensorPipeElapsed), busy = *m.counters->get(metric::kTensorPipeActive);
  CHECK(elapsed > 20);  // the default config reaches about half of cuBLAS: its tensor pipe is far from idle
  CHECK(elapsed <= busy + 0.5);
  CHECK(busy <= 100.5);
  const double hit = *m.counters->get(metric::kL2RequestHitRate);
  CHECK(hit > 30);  // every A and B tile is read by many blocks
  CHECK(hit <= 100);
}

TEST_CASE("an end-to-end tune of copy writes a results document, caches its answer and survives Ctrl-C", "[gpu][tuner]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto dir = test::temp_dir("gpu-tune");
  std::string env = "XDG_CACHE_HOME=" + (dir / "cache").string();
  auto first = test::run_tkbench("tune copy --shape 16777216 --strategy bayes --budget 12 -q -o " + (dir / "a.json").string(), env);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  auto doc = nlohmann::ordered_json::parse(std::ifstream(dir / "a.json"));
  CHECK(doc["schema"] == "tkbench.results/1");
  CHECK(doc["results"].size() == 12);
  int ok = 0;
  for (const auto& r : doc["results"]) ok += r["status"] == "ok";
  CHECK(ok == 12);
  CHECK_FALSE(std::filesystem::exists(dir / "a.json.journal"));
  auto cached = test::run_tkbench("tune copy --shape 16777216 --strategy bayes --budget 12 -o " + (dir / "b.json").string(), env);
  CHECK(cached.exit_code == 0);
  CHECK_THAT(cached.output, Catch::Contains("cached"));
  // Ctrl-C once 3 results are journaled (not after a fixed time: tuning speed
  // varies): the config in hand finishes, the document is written, exit 130.
  const std::string journal = (dir / "c.json.journal").string();
  const std::string script =
      env + " " + test::binary() + " tune rmsnorm_basic --shape 16384x8192,16384x4096,4096x16384 --force -q -o " +
      (dir / "c.json").string() + " >/dev/null 2>&1 & pid=$!; for i in $(seq 1 2000); do n=$(grep -c result " + journal +
      " 2>/dev/null); [ \"${n:-0}\" -ge 3 ] && break; sleep 0.01; done; kill -INT $pid; wait $pid";
  int status = std::system(("sh -c '" + script + "'").c_str());
  CHECK(WEXITSTATUS(status) == 130);
  auto partial = nlohmann::ordered_json::parse(std::ifstream(dir / "c.json"));
  CHECK(partial["results"].size() > 0);
  CHECK(partial["results"].size() < 3 * 92);
  std::filesystem::remove_all(dir);
}

TEST_CASE("tune --devices all runs on every GPU the machine has (one is a valid case) and shards merge", "[gpu][multigpu]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto dir = test::temp_dir("gpu-devices");
  const std::string env;  // the usual cache: its calibrations (every GPU's) are reused; --force skips its tuning answers
  const std::size_t gpus = probe_devices().devices.size();
  auto run = test::run_tkbench("tune copy --shape 16777216 --strategy random --budget 16 --devices all --force -o " + (dir / "a.json").string(), env);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  auto doc = nlohmann::ordered_json::parse(std::ifstream(dir / "a.json"));
  int ok = 0;
  std::set<std::string> used;
  for (const auto& r : doc["results"]) {
    ok += r["status"] == "ok";
    if (r.contains("gpu")) used.insert(r["gpu"].get<std::string>());
  }
  CHECK(ok >= 16);  // and, on several GPUs, the best measured again on each of the others
  if (gpus == 1) {
    CHECK_FALSE(doc.contains("devices"));  // one GPU: the document of a plain run
  } else {
    CHECK(doc["devices"].size() == gpus);
    CHECK(used.size() == gpus);  // every GPU took configs
  }
  // Two shards, merged: the unsharded run's configs.
  const std::string search = "tune rmsnorm_basic --shape 4096x8192 --strategy random --budget 10 --force";
  for (int i = 0; i < 2; ++i)
    REQUIRE(test::run_tkbench(fmt::format("{} --shard {}/2 -q -o {}", search, i, (dir / fmt::format("p{}.json", i)).string()), env).exit_code == 0);
  REQUIRE(test::run_tkbench(search + " -q -o " + (dir / "whole.json").string(), env).exit_code == 0);
  REQUIRE(test::run_tkbench("merge " + (dir / "p0.json").string() + " " + (dir / "p1.json").string() + " -o " + (dir / "m.json").string(), env).exit_code == 0);
  auto configs = [](const std::filesystem::path& p) {
    std::set<std::string> out;
    for (const auto& r : nlohmann::ordered_json::parse(std::ifstream(p))["results"]) out.insert(r["config"].dump());
    return out;
  };
  CHECK(configs(dir / "m.json") == configs(dir / "whole.json"));
  CHECK(configs(dir / "m.json").size() == 10);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the clock probe reads every sample's SM clock in the stream, event-timed and graph-timed", "[gpu][throttle]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto registry = TemplateRegistry::load({});
  const auto& spec = registry.get("copy");
  Compiler compiler(nullptr);
  Evaluator evaluator(registry, compiler, require_device(0));
  const Config config{{{"VEC_BYTES", 16}, {"THREADS", 256}, {"UNROLL", 1}, {"STREAMING", 0}}};
  for (long long n : {1LL << 27, 1LL << 16}) {  // 512 MiB moved, event-timed; 256 KiB, graph-timed
    INFO("copy of " << n << " bf16");
    EvaluationRequest req = EvaluationRequest::for_config(spec, make_problem(spec, {n}, DType::bf16), config);
    req.rule.max_seconds = 0.2;
    Measurement m = evaluator.evaluate(req, [] {});
    REQUIRE(m.verification.passed);
    REQUIRE(m.timing);
    const TimingStats& t = *m.timing;
    CHECK(t.graph == (n < (1LL << 20)));
    // Every sample taken, kept or dropped, had its clock read by the probe: the two readings ran on one SM.
    CHECK(t.samples_clocked_in_stream == t.samples + t.throttle_dropped_samples);
    if (t.sm_clock_max_mhz > 0) {  // a memory-bound copy runs near full clock
      CHECK(t.sm_clock_start_mhz > 0.5 * t.sm_clock_max_mhz);
      CHECK(t.sm_clock_start_mhz <= 1.05 * t.sm_clock_max_mhz);
      CHECK(t.sm_clock_end_mhz > 0.5 * t.sm_clock_max_mhz);
    }
  }
}
