// The tune loop on the CPU: real compiles (NVRTC needs no GPU), a fake
// worker (tests/fixtures/fake_worker.py) that answers every evaluation with a
// time made up from the config.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "cli/tune_loop.hpp"
#include "profiler/device_peaks.hpp"
#include "fake_gpu.hpp"
#include "test_helpers.hpp"
#include "tuner/compile_ahead.hpp"
#include "tuner/result_json.hpp"
#include "tuner/strategy.hpp"

using namespace tkbench;
namespace fs = std::filesystem;

namespace {

struct Rig {
  fs::path dir;
  TemplateRegistry registry = TemplateRegistry::load({});
  KernelCache cache;
  Compiler compiler;
  DeviceInfo device = test::fake_h200();
  DevicePeaks peaks = theoretical_peaks(device);
  WorkerClient worker;

  // throttle_every: every Nth timing dropped throttled samples, every (2N)th stayed throttled (0: none).
  explicit Rig(const std::string& name, int throttle_every = 0)
      : dir(test::temp_dir(name)), cache(dir / "cache"), compiler(&cache),
        // tests/fixtures/fake_worker.py: a time made up from the config, each request counted in `requests`.
        worker({"/bin/sh", "-c", "exec python3 \"$0\" \"$1\" 1 -1 \"$1.dead\" 0 \"$2\"", test::fake_worker_script(),
                (dir / "requests").string(), std::to_string(throttle_every)},
               30) {}

  std::size_t requests() const {
    std::ifstream in(dir / "requests");
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return s.size();
  }
  ShapeTuning tune(ResultsJournal& journal, const TuneSettings& settings) {
    const TuneStage stage{2, device, worker, compiler, peaks, journal};
    const auto& spec = registry.get("copy");
    return tune_shape(stage, spec, make_problem(spec, {1 << 20}, DType::fp32), {}, settings);
  }
};

}  // namespace

TEST_CASE("a tune evaluates its budget, the default config first, each config once", "[tuner][tune-loop]") {
  Rig rig("tune-loop");
  ResultsJournal journal(rig.dir / "run.json", to_json(rig.peaks), false);
  TuneSettings settings;
  settings.strategy = "bayes";
  settings.budget = 20;
  ShapeTuning t = rig.tune(journal, settings);
  CHECK(t.evaluated == 20);
  CHECK(t.failed == 0);
  CHECK(rig.requests() == 20);
  REQUIRE(journal.results().size() == 20);
  std::set<std::string> distinct;
  for (const auto& r : journal.results()) distinct.insert(r.config.str());
  CHECK(distinct.size() == 20);
  const auto& spec = rig.registry.get("copy");
  CHECK(journal.results().front().config == *SearchSpace(spec, make_problem(spec, {1 << 20}, DType::fp32)).default_config());
  REQUIRE(t.best);
  REQUIRE(t.baseline);
  for (const auto& r : journal.results()) CHECK(t.best->measurement->timing->median_us <= r.measurement->timing->median_us);
  CHECK(t.times.worker > 0);
  CHECK(t.times.in_worker.timing_ms == Approx(20.0));  // the fake worker's cost_ms, added up
}

TEST_CASE("a tune counts its timings that rested for a throttled clock and those still throttled", "[tuner][tune-loop][throttle]") {
  Rig rig("tune-loop-throttle", 5);
  ResultsJournal journal(rig.dir / "run.json", to_json(rig.peaks), false);
  ShapeTuning t = rig.tune(journal, TuneSettings{"random", 20});
  CHECK(t.evaluated == 20);
  CHECK(t.rested == 4);  // answers 5, 10, 15, 20
  CHECK(t.dropped_samples == 8);
  CHECK(t.rest_s == Approx(0.6));
  CHECK(t.throttled == 2);  // answers 10 and 20
  int flagged = 0;
  for (const auto& r : journal.results()) flagged += r.measurement->timing->throttled;
  CHECK(flagged == 2);
}

TEST_CASE("a resumed tune counts what the journal holds against its budget", "[tuner][tune-loop]") {
  for (const std::string strategy : {"bayes", "random", "exhaustive"}) {
    INFO(strategy);
    Rig rig("tune-resume-" + strategy);
    TuneSettings settings;
    settings.strategy = strategy;
    settings.budget = 7;
    {
      // A run stopped after 7 configs: its journal stays, as after a kill.
      ResultsJournal journal(rig.dir / "run.json", to_json(rig.peaks), false);
      CHECK(rig.tune(journal, settings).evaluated == 7);
    }
    settings.budget = 20;
    ResultsJournal resumed(rig.dir / "run.json", to_json(rig.peaks), true);
    REQUIRE(resumed.results().size() == 7);
    ShapeTuning t = rig.tune(resumed, settings);
    CHECK(t.evaluated == 20);        // 7 kept + 13 new, not 7 + 20
    CHECK(rig.requests() == 20);     // nothing evaluated twice
    std::set<std::string> distinct;
    for (const auto& r : resumed.results()) distinct.insert(r.config.str());
    CHECK(resumed.results().size() == 20);
    CHECK(distinct.size() == 20);
    // Resumed again with the budget spent: nothing left to do.
    ResultsJournal again(rig.dir / "run.json", to_json(rig.peaks), true);
    CHECK(rig.tune(again, settings).evaluated == 20);
    CHECK(rig.requests() == 20);
  }
}

TEST_CASE("without --strategy and --budget, small spaces are searched whole and large ones by the default search",
          "[tuner][tune-loop]") {
  CHECK(plan_search("", 0, 96).strategy == "exhaustive");
  CHECK(plan_search("", 0, 96).budget == 96);
  CHECK(plan_search("", 0, kExhaustiveUpTo + 1).strategy == kDefaultStrategy);
  CHECK(plan_search("", 0, 5000).budget == kDefaultBudget);
  CHECK(plan_search("", 30, 5000).budget == 30);
  CHECK(plan_search("random", 0, 5000).budget == kDefaultBudget);
  CHECK(plan_search("exhaustive", 0, 5000).budget == 5000);
  Rig rig("tune-plan");
  ResultsJournal journal(rig.dir / "run.json", to_json(rig.peaks), false);
  ShapeTuning t = rig.tune(journal, TuneSettings{});
  CHECK(t.strategy == "exhaustive");  // copy's space holds 96 configs
  CHECK(t.evaluated == static_cast<int>(t.valid));
}

TEST_CASE("compiling ahead compiles each config once, whether wanted or speculated first", "[tuner][tune-loop]") {
  std::mutex mutex;
  std::map<std::string, int> compiled;
  std::promise<void> release;  // configs 1 and 2 hold both threads until released
  std::shared_future<void> released = release.get_future().share();
  auto config = [](long long v) { return Config{{{"X", v}}}; };
  auto compile = [&](const Config& c) {
    if (c.at("X") <= 2) released.wait();
    std::lock_guard lock(mutex);
    ++compiled[c.str()];
    CompiledConfig out;
    out.result.config = c;
    return out;
  };
  {
    CompileAhead ahead(2, 0, compile);
    ahead.speculate({config(1), config(2), config(3), config(4), config(5), config(6)}, 4);  // 4 at most queued
    CHECK(ahead.speculating() == 4);
    for (int i = 0; i < 5000 && ahead.counts().speculated < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(ahead.counts().speculated == 2);  // 1 and 2 hold the two threads
    auto four = ahead.want(config(4));        // queued behind 3: jumps ahead of it
    auto one = ahead.want(config(1));         // begun on speculation
    release.set_value();
    CHECK(four.get().result.config == config(4));
    CHECK(one.get().result.config == config(1));
    CHECK(ahead.want(config(9)).get().result.config == config(9));  // never speculated
    ahead.speculate({config(1), config(9)}, 10);                     // known: nothing new
    for (int i = 0; i < 5000 && ahead.speculating() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK(ahead.speculating() == 0);
    const auto counts = ahead.counts();
    CHECK(counts.wanted == 3);
    CHECK(counts.wanted_ahead == 1);  // 1
    CHECK(counts.speculated == 3);    // 1, 2, 3; 4 was wanted before it began
  }
  for (const auto& [c, times] : compiled) {
    INFO(c);
    CHECK(times == 1);
  }
  CHECK(compiled.size() == 5);                    // 1, 2, 3, 4, 9
  CHECK(compiled.count(config(5).str()) == 0);    // past the limit: never queued
}
