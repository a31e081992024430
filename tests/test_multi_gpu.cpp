// Tuning over several GPUs and in shards, on the CPU: real compiles (NVRTC
// needs no GPU), fake workers that answer each evaluation with a time made up
// from the config (times a GPU's own factor), and can die mid-run.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>

#include "cli/tune_loop.hpp"
#include "profiler/device_peaks.hpp"
#include "reports/gpu_agreement.hpp"
#include "fake_gpu.hpp"
#include "test_helpers.hpp"
#include "tuner/errors.hpp"
#include "tuner/file_util.hpp"
#include "tuner/result_json.hpp"
#include "tuner/results_merge.hpp"
#include "tuner/shard.hpp"

using namespace tkbench;
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

using test::fake_h200;
std::string fake_worker() { return test::fake_worker_script(); }

// Compiled kernels are kept between test runs: the same configs compile once.
fs::path shared_kernel_cache() { return fs::temp_directory_path() / "tkbench-test-multigpu-kernels"; }

struct FakeGpu {
  double slowdown = 1;
  int die_after = -1;
  double delay = 0;  // seconds per answer
};

// Several fake GPUs of one model, each with its worker.
struct Rig {
  fs::path dir;
  TemplateRegistry registry = TemplateRegistry::load({});
  KernelCache cache{shared_kernel_cache()};
  Compiler compiler{&cache};
  std::vector<DeviceInfo> devices;
  std::vector<DevicePeaks> peaks;
  std::vector<std::unique_ptr<WorkerClient>> workers;

  Rig(const std::string& name, const std::vector<FakeGpu>& gpus) : dir(test::temp_dir(name)) {
    for (std::size_t i = 0; i < gpus.size(); ++i) {
      devices.push_back(fake_h200(static_cast<int>(i)));
      const std::string n = std::to_string(i);
      workers.push_back(std::make_unique<WorkerClient>(
          std::vector<std::string>{"/bin/sh", "-c", "exec python3 \"$0\" \"$1\" \"$2\" \"$3\" \"$4\" \"$5\"", fake_worker(),
                                   (dir / ("requests" + n)).string(), std::to_string(gpus[i].slowdown),
                                   std::to_string(gpus[i].die_after), (dir / ("dead" + n)).string(),
                                   std::to_string(gpus[i].delay)},
          30));
    }
    for (const auto& d : devices) peaks.push_back(theoretical_peaks(d));
  }

  std::size_t requests(std::size_t gpu) const {
    std::ifstream in(dir / ("requests" + std::to_string(gpu)));
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return s.size();
  }
  JournalRun run_info(const Shard& shard = {}) const {
    JournalRun run;
    if (devices.size() > 1)
      for (const auto& p : peaks) run.devices.push_back(to_json(p));
    if (!shard.whole()) run.shard = shard.str();
    return run;
  }
  const TemplateSpec& spec() const { return registry.get("copy"); }
  Problem problem() const { return make_problem(spec(), {1 << 20}, DType::fp32); }
  ShapeTuning tune(ResultsJournal& journal, const TuneSettings& settings, const ConfigFilter& filter = {},
                   const Shard& shard = {}) {
    TuneStage stage{2, devices[0], *workers[0], compiler, peaks[0], journal};
    for (std::size_t i = 1; i < devices.size(); ++i) stage.more_gpus.push_back({devices[i], *workers[i], peaks[i]});
    stage.shard = shard;
    return tune_shape(stage, spec(), problem(), filter, settings);
  }
};

// copy with THREADS and STREAMING fixed: 12 configs, few compiles.
ConfigFilter small_space() { return parse_config_filter("THREADS=256,STREAMING=0", TemplateRegistry::load({}).get("copy")); }

std::set<std::string> configs_of(const std::vector<Result>& results) {
  std::set<std::string> out;
  for (const auto& r : results) out.insert(r.config.str());
  return out;
}

}  // namespace

TEST_CASE("a tune over several GPUs keeps each busy, records each result's GPU and rechecks the best on the others",
          "[multigpu]") {
  Rig rig("multigpu-spread", {{}, {}, {}});
  ResultsJournal journal(rig.dir / "run.json", to_json(rig.peaks[0]), false, rig.run_info());
  TuneSettings settings;
  settings.strategy = "bayes";
  settings.budget = 24;
  ShapeTuning t = rig.tune(journal, settings);
  CHECK(t.evaluated == 24);
  CHECK(t.failed == 0);
  // Every GPU took configs (each one at the start; how many more depends on
  // which compile lands first); the best was measured again on the two GPUs that had not measured it.
  for (std::size_t gpu = 0; gpu < 3; ++gpu) CHECK(rig.requests(gpu) >= 1);
  CHECK(rig.requests(0) + rig.requests(1) + rig.requests(2) == 24 + 2);
  REQUIRE(t.rechecks.size() == 2);
  REQUIRE(journal.results().size() == 26);
  std::set<std::string> gpus;
  for (const auto& r : journal.results()) gpus.insert(r.gpu);
  CHECK(gpus == std::set<std::string>{"GPU-fake-0", "GPU-fake-1", "GPU-fake-2"});
  CHECK(configs_of(journal.results()).size() == 24);  // the rechecks are the best config again
  REQUIRE(t.best);
  for (const auto& r : t.rechecks) CHECK(r.config == t.best->config);
  CHECK(t.disagreements.empty());  // identical fake GPUs agree
  journal.finalise();
  json doc = json::parse(*read_file(rig.dir / "run.json"));
  REQUIRE(doc.contains("devices"));
  CHECK(doc.at("devices").size() == 3);
  CHECK(doc.at("results").at(0).at("gpu").is_string());
}

TEST_CASE("a GPU of the same model that times the best config slower beyond the noise is named", "[multigpu]") {
  Rig rig("multigpu-slow-card", {{}, {1.08, -1}});
  ResultsJournal journal(rig.dir / "run.json", to_json(rig.peaks[0]), false, rig.run_info());
  TuneSettings settings;
  settings.strategy = "random";
  settings.budget = 10;
  ShapeTuning t = rig.tune(journal, settings);
  REQUIRE(t.rechecks.size() == 1);
  REQUIRE(t.disagreements.size() == 1);
  CHECK_THAT(t.disagreements.front(), Catch::Contains("GPU-fake-1") && Catch::Contains("8.0% slower than GPU-fake-0"));
  // The noise decides: 0.5% apart with 0.1% standard errors agrees.
  std::vector<Result> two = {journal.results().front(), journal.results().front()};
  two[0].gpu = "GPU-fake-0";
  two[1].gpu = "GPU-fake-1";
  two[1].measurement->timing->median_us *= 1.005;
  const std::map<std::string, std::string> models = {{"GPU-fake-0", "Fake H200"}, {"GPU-fake-1", "Fake H200"}};
  CHECK(same_model_disagreements(two, models).empty());
  two[1].measurement->timing->median_us *= 1.02;
  CHECK(same_model_disagreements(two, models).size() == 1);
  // GPUs of different models are never compared.
  CHECK(same_model_disagreements(two, {{"GPU-fake-0", "Fake H200"}, {"GPU-fake-1", "Fake H100"}}).empty());
}

TEST_CASE("a GPU whose worker dies mid-run costs the configs it had, not the run", "[multigpu]") {
  // GPU 0 busy 0.1 s a config: GPU 1, dying at once each time, is handed configs until it is retired.
  Rig rig("multigpu-dies", {{1, -1, 0.1}, {1, 2}});
  ResultsJournal journal(rig.dir / "run.json", to_json(rig.peaks[0]), false, rig.run_info());
  TuneSettings settings;
  settings.strategy = "random";
  settings.budget = 16;
  ShapeTuning t = rig.tune(journal, settings);
  CHECK(t.evaluated == 16);
  // GPU 1 answered twice, then its worker ended without a word three times: retired.
  CHECK(rig.requests(1) == 2);
  CHECK(t.failed == 3);
  int lost = 0;
  for (const auto& r : journal.results()) {
    if (r.status != Status::ok) {
      CHECK(r.gpu == "GPU-fake-1");
      CHECK(r.status == Status::fault);
      ++lost;
    }
  }
  CHECK(lost == 3);
  CHECK(rig.requests(0) == 16 - 2 - 3);  // the rest on GPU 0; no recheck on a retired GPU
  CHECK(configs_of(journal.results()).size() == 16);
  REQUIRE(t.best);
}

TEST_CASE("shards of an exhaustive or random search are disjoint and together are the unsharded search", "[multigpu][shard]") {
  CHECK(parse_shard("0/1").whole());
  CHECK(parse_shard("3/4").index == 3);
  for (const std::string bad : {"4/4", "1", "a/2", "1/0", "-1/2", "1/2/3", ""}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_shard(bad), InputError);
  }
  CHECK_THROWS_AS(check_shardable("bayes", 500, parse_shard("0/2")), InputError);
  CHECK_NOTHROW(check_shardable("bayes", 500, Shard{}));

  for (const std::string strategy : {"exhaustive", "random"}) {
    Rig rig("multigpu-shards-" + strategy, {{}});
    TuneSettings settings;
    settings.strategy = strategy;
    settings.budget = strategy == "random" ? 9 : 0;
    ResultsJournal whole(rig.dir / "whole.json", to_json(rig.peaks[0]), false);
    rig.tune(whole, settings, small_space());
    const std::set<std::string> unsharded = configs_of(whole.results());
    CHECK(unsharded.size() == (strategy == "random" ? 9u : 12u));
    for (std::size_t n : {2u, 3u, 5u}) {
      std::set<std::string> covered;
      std::size_t total = 0;
      for (std::size_t i = 0; i < n; ++i) {
        INFO(strategy << " shard " << i << "/" << n);
        const Shard shard{i, n};
        ResultsJournal part(rig.dir / fmt::format("part{}of{}.json", i, n), to_json(rig.peaks[0]), false, rig.run_info(shard));
        rig.tune(part, settings, small_space(), shard);
        total += part.results().size();
        for (const auto& c : configs_of(part.results())) CHECK(covered.insert(c).second);  // disjoint
      }
      CHECK(total == unsharded.size());
      CHECK(covered == unsharded);  // complete
    }
  }
}

TEST_CASE("a multi-GPU or sharded tune resumes where it stopped, and refuses another shard", "[multigpu][resume]") {
  Rig rig("multigpu-resume", {{}, {}});
  TuneSettings settings;
  settings.strategy = "random";
  settings.budget = 7;
  {
    ResultsJournal journal(rig.dir / "run.json", to_json(rig.peaks[0]), false, rig.run_info());
    CHECK(rig.tune(journal, settings).evaluated == 7);  // killed here: the journal stays
  }
  settings.budget = 14;
  ResultsJournal resumed(rig.dir / "run.json", to_json(rig.peaks[0]), true, rig.run_info());
  ShapeTuning t = rig.tune(resumed, settings);
  CHECK(t.evaluated == 14);
  CHECK(configs_of(resumed.results()).size() == 14);
  CHECK(rig.requests(0) + rig.requests(1) == 14 + 2);  // + one recheck per run, nothing evaluated twice
  resumed.finalise();

  // A shard resumes as the same shard only.
  const Shard shard{1, 2};
  {
    ResultsJournal part(rig.dir / "part.json", to_json(rig.peaks[0]), false, rig.run_info(shard));
    rig.tune(part, settings, small_space(), shard);
  }
  CHECK_THROWS_WITH(ResultsJournal(rig.dir / "part.json", to_json(rig.peaks[0]), true, rig.run_info(Shard{0, 2})),
                    Catch::Contains("covered --shard 1/2; resume it with --shard 1/2"));
  CHECK_THROWS_WITH(ResultsJournal(rig.dir / "part.json", to_json(rig.peaks[0]), true, rig.run_info()),
                    Catch::Contains("resume it with --shard 1/2"));
  ResultsJournal again(rig.dir / "part.json", to_json(rig.peaks[0]), true, rig.run_info(shard));
  const std::size_t before = again.results().size();
  rig.tune(again, settings, small_space(), shard);
  CHECK(again.results().size() == before);  // its part was done: nothing evaluated again
}

TEST_CASE("merge: one document, each config once per GPU, a shape's best per GPU model", "[multigpu][merge]") {
  Rig rig("multigpu-merge", {{}});
  TuneSettings settings;
  settings.strategy = "exhaustive";
  std::vector<MergeInput> parts;
  for (std::size_t i = 0; i < 2; ++i) {
    const Shard shard{i, 2};
    const auto path = rig.dir / fmt::format("part{}.json", i);
    ResultsJournal part(path, to_json(rig.peaks[0]), false, rig.run_info(shard));
    rig.tune(part, settings, small_space(), shard);
    part.finalise();
    parts.push_back({path.string(), json::parse(*read_file(path))});
  }
  MergeOutcome both = merge_result_documents(parts);
  MergeOutcome reversed = merge_result_documents({parts[1], parts[0]});
  CHECK(both.document.at("results") == reversed.document.at("results"));  // the order of the inputs does not matter
  CHECK(both.results.size() == 12);
  CHECK(both.notes.empty());
  CHECK_FALSE(both.document.contains("shard"));
  REQUIRE(both.best.size() == 1);
  for (const auto& r : both.results)
    if (r.status == Status::ok) CHECK(both.best[0].result.measurement->timing->median_us <= r.measurement->timing->median_us);
  CHECK(both.best[0].configs == 12);

  // One part alone: the missing shard is said; the same part twice: kept once.
  MergeOutcome half = merge_result_documents({parts[0], parts[0]});
  CHECK(half.results.size() == parts[0].document.at("results").size());
  REQUIRE(half.notes.size() == 2);
  CHECK_THAT(half.notes[0], Catch::Contains("shard 1/2 is not among the documents"));
  CHECK_THAT(half.notes[1], Catch::Contains("kept once"));

  // Two GPU models: each its own best; results name their GPU.
  json other = parts[1].document;
  other["device"]["name"] = "Fake H100";
  other["device"]["uuid"] = "GPU-other";
  MergeOutcome models = merge_result_documents({parts[0], {"other.json", other}});
  CHECK(models.best.size() == 2);
  CHECK(models.document.at("devices").size() == 2);
  for (const auto& r : models.document.at("results")) CHECK(r.contains("gpu"));

  // Documents written before --devices (no gpu, no devices) merge too; garbage is refused by name.
  json old = parts[0].document;
  old.erase("shard");
  CHECK(merge_result_documents({{"old.json", old}}).results.size() == old.at("results").size());
  CHECK_THROWS_WITH(merge_result_documents({{"x.json", json{{"schema", "nope"}}}}), Catch::Contains("x.json: not a tkbench.results/1"));
}

namespace {

// The tkbench binary on fake GPUs (TKBENCH_TEST_FAKE_GPUS) with fake workers
// (TKBENCH_TEST_WORKER), each GPU calibrated beforehand so no copy sweep runs.
struct CliRig {
  fs::path dir;
  std::string env;
  explicit CliRig(const std::string& name, int gpus) : dir(test::temp_dir(name)) {
    // Each GPU its own bandwidth: 4.2, 4.3, ... TB/s.
    for (int i = 0; i < gpus; ++i) {
      Calibration c;
      c.bandwidth = c.copy_kernel_bandwidth = 4.2e12 + i * 0.1e12;
      c.source = "copy kernel";
      REQUIRE_FALSE(store_calibration((dir / "cache").string(), fake_h200(i), c).has_value());
    }
    env = fmt::format("TKBENCH_TEST_FAKE_GPUS={} TKBENCH_TEST_WORKER='exec python3 {} {}/requests$1 1 -1 {}/dead$1'", gpus,
                      fake_worker(), dir.string(), dir.string());
  }
  test::RunResult tkbench(const std::string& args) const {
    return test::run_tkbench(fmt::format("--cache-dir {} -j 2 {}", (dir / "cache").string(), args), env);
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

// A merged document's results without what differs between runs of the same
// search (compile time, cache hits).
json comparable_results(const std::string& path) {
  json results = json::parse(*read_file(path)).at("results");
  for (auto& r : results)
    if (r.at("compile").is_object()) {
      r["compile"].erase("compile_ms");
      r["compile"].erase("cache_hit");
    }
  return results;
}

}  // namespace

TEST_CASE("two tkbench processes with different --shard, merged, equal the unsharded exhaustive run", "[multigpu][shard][cli]") {
  CliRig rig("multigpu-cli-shards", 1);
  const std::string search = "tune copy --shape 1048576 --dtype fp32 --config THREADS=256,STREAMING=0 --strategy exhaustive";
  // Both shards at once, as two jobs of an array would run.
  const std::string tune = fmt::format("{} {} --cache-dir {} -j 2 {}", rig.env, test::binary(), rig.path("cache"), search);
  auto both = test::run_shell(fmt::format("{} --shard 0/2 -o {} > {} 2>&1 & p=$!; {} --shard 1/2 -o {} > {} 2>&1; b=$?; "
                                          "wait $p; echo rc=$?,$b",
                                          tune, rig.path("part0.json"), rig.path("log0"), tune, rig.path("part1.json"), rig.path("log1")));
  INFO(both.output << read_file(rig.path("log0")).value_or("") << read_file(rig.path("log1")).value_or(""));
  CHECK_THAT(both.output, Catch::Contains("rc=0,0"));
  REQUIRE(fs::exists(rig.path("part0.json")));
  REQUIRE(fs::exists(rig.path("part1.json")));
  auto whole = rig.tkbench(search + " --force -o " + rig.path("whole.json"));
  INFO(whole.output);
  REQUIRE(whole.exit_code == 0);
  auto merged = rig.tkbench("merge " + rig.path("part0.json") + " " + rig.path("part1.json") + " -o " + rig.path("merged.json"));
  INFO(merged.output);
  REQUIRE(merged.exit_code == 0);
  CHECK_THAT(merged.output, Catch::Contains("12 results from 2 documents"));
  REQUIRE(rig.tkbench("merge " + rig.path("whole.json") + " -o " + rig.path("whole-merged.json")).exit_code == 0);
  CHECK(comparable_results(rig.path("merged.json")) == comparable_results(rig.path("whole-merged.json")));
  CHECK(comparable_results(rig.path("merged.json")).size() == 12);
  // Each part recorded its shard; merged, the document covers the whole search.
  CHECK(json::parse(*read_file(rig.path("part1.json"))).at("shard") == "1/2");
  CHECK_FALSE(json::parse(*read_file(rig.path("merged.json"))).contains("shard"));

  // Bad --shard and a model-based search are refused before any GPU is looked for.
  auto bad = rig.tkbench("tune copy --shape 1048576 --shard 2/2");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("i must be below N"));
  auto adaptive = rig.tkbench("tune copy --shape 1048576 --strategy bayes --shard 0/2");
  CHECK(adaptive.exit_code == 2);
  CHECK_THAT(adaptive.output, Catch::Contains("split them by --shape") || Catch::Contains("own --shape"));
}

TEST_CASE("tune --devices all runs on every GPU and resumes as a multi-GPU run", "[multigpu][cli][resume]") {
  CliRig rig("multigpu-cli-devices", 2);
  const std::string search = "tune copy --shape 1048576 --dtype fp32 --config THREADS=256 --strategy random --devices all";
  auto first = rig.tkbench(search + " --budget 6 -o " + rig.path("run.json"));
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.output, Catch::Contains("2 GPUs busy"));
  json doc = json::parse(*read_file(rig.path("run.json")));
  REQUIRE(doc.at("devices").size() == 2);
  // Each GPU with its own calibration, and each result's figures against its own GPU's roof.
  CHECK(doc.at("devices").at(0).at("calibration").at("bandwidth") == 4.2e12);
  CHECK(doc.at("devices").at(1).at("calibration").at("bandwidth") == 4.3e12);
  for (const auto& r : doc.at("results")) {
    const double bandwidth = r.at("figures").at("bandwidth"), pct = r.at("figures").at("pct_of_measured_bandwidth");
    CHECK(pct == Approx(100 * bandwidth / (r.at("gpu") == "GPU-fake-0" ? 4.2e12 : 4.3e12)));
  }
  std::set<std::string> gpus;
  for (const auto& r : doc.at("results")) gpus.insert(r.at("gpu").get<std::string>());
  CHECK(gpus == std::set<std::string>{"GPU-fake-0", "GPU-fake-1"});
  auto resumed = rig.tkbench(search + " --budget 12 --resume " + rig.path("run.json"));
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  doc = json::parse(*read_file(rig.path("run.json")));
  std::set<std::string> configs;
  for (const auto& r : doc.at("results")) configs.insert(r.at("config").dump());
  CHECK(configs.size() == 12);
  CHECK(doc.at("devices").size() == 2);

  auto calibrated = rig.tkbench("calibrate --devices all");
  CHECK(calibrated.exit_code == 0);
  CHECK_THAT(calibrated.output, Catch::Contains("GPU-fake-0") && Catch::Contains("4.20 TB/s") && Catch::Contains("GPU-fake-1") &&
                                    Catch::Contains("4.30 TB/s"));

  auto bad = rig.tkbench("tune copy --shape 1048576 --devices 0,0");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("named twice"));
  auto missing = rig.tkbench("tune copy --shape 1048576 --devices 0,7");
  CHECK(missing.exit_code == 2);
}
