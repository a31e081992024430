// The tuner's CPU side: strategies, the results journal and resume, the tuning cache.
#include <catch2/catch.hpp>

#include <filesystem>
#include <cmath>
#include <fstream>
#include <set>

#include "reports/roofline.hpp"
#include "test_helpers.hpp"
#include "tuner/errors.hpp"
#include "tuner/result_json.hpp"
#include "tuner/results_journal.hpp"
#include "tuner/strategy.hpp"
#include "tuner/tuning_cache.hpp"

using namespace tkbench;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {
const TemplateSpec& rmsnorm_basic() {
  static auto registry = TemplateRegistry::load({});
  return registry.get("rmsnorm_basic");
}

// A finished-looking result with a fake timing, for journal tests.
Result fake_result(const Config& config, double median_us) {
  Result r = Result::for_config(rmsnorm_basic(), make_problem(rmsnorm_basic(), {4096, 8192}, DType::bf16), config);
  r.status = Status::ok;
  Measurement m;
  m.verification.verified = m.verification.passed = true;
  m.verification.tolerance = 1e-2;
  TimingStats t;
  t.median_us = t.min_us = t.max_us = t.mean_us = median_us;
  t.samples = 10;
  m.timing = t;
  r.measurement = m;
  return r;
}
}  // namespace

TEST_CASE("exhaustive proposes every valid config once, random a seeded valid sample", "[tuner]") {
  const auto& spec = rmsnorm_basic();
  SearchSpace space(spec, make_problem(spec, {4096, 8192}, DType::bf16));
  auto all = make_strategy("exhaustive", space, {}, 1000, 1);
  auto first = all->propose(50), second = all->propose(50);
  CHECK(first.size() == 50);
  CHECK(second.size() == 42);
  CHECK(all->propose(10).empty());
  auto r1 = make_strategy("random", space, {}, 10, 3)->propose(100);
  auto r2 = make_strategy("random", space, {}, 10, 3)->propose(100);
  CHECK(r1.size() == 10);
  CHECK(r1 == r2);
  for (const auto& c : r1) CHECK_FALSE(space.violation(c));
  CHECK_THROWS_WITH(make_strategy("hillclimb", space, {}, 10, 1), Contains("available: exhaustive, random, model, anneal, genetic, bayes"));
}

TEST_CASE("a result survives the JSON round trip", "[tuner]") {
  Result r = fake_result(Config{{{"VEC", 8}, {"THREADS", 256}, {"ROWS", 1}}}, 134.5);
  Result back = result_from_json(to_json(r));
  CHECK(back.config == r.config);
  CHECK(back.problem.dims == r.problem.dims);
  CHECK(back.problem.dim_names == r.problem.dim_names);
  CHECK(back.status == Status::ok);
  CHECK(back.measurement->timing->median_us == 134.5);
}

TEST_CASE("the journal keeps every appended result, a killed run resumes, a cut-off line is ignored", "[tuner]") {
  auto dir = test::temp_dir("journal");
  const fs::path doc = dir / "run.json";
  {
    ResultsJournal j(doc, {{"name", "test GPU"}}, false);
    j.append(fake_result(Config{{{"VEC", 8}, {"THREADS", 256}, {"ROWS", 1}}}, 130), {});
    j.append(fake_result(Config{{{"VEC", 4}, {"THREADS", 256}, {"ROWS", 1}}}, 140), {});
    // No finalise: the process "dies" here. Simulate a kill in the middle of a third line.
  }
  {
    std::ofstream(doc.string() + ".journal", std::ios::app) << R"({"type":"result","result":{"templ)";
  }
  ResultsJournal resumed(doc, {{"name", "test GPU"}}, true);
  REQUIRE(resumed.results().size() == 2);
  CHECK(resumed.contains(fake_result(Config{{{"VEC", 4}, {"THREADS", 256}, {"ROWS", 1}}}, 0)));
  CHECK_FALSE(resumed.contains(fake_result(Config{{{"VEC", 2}, {"THREADS", 256}, {"ROWS", 1}}}, 0)));
  resumed.append(fake_result(Config{{{"VEC", 2}, {"THREADS", 256}, {"ROWS", 1}}}, 150), {});
  resumed.finalise();
  CHECK_FALSE(fs::exists(doc.string() + ".journal"));
  auto final_doc = nlohmann::ordered_json::parse(std::ifstream(doc));
  CHECK(final_doc["schema"] == "tkbench.results/1");
  CHECK(final_doc["results"].size() == 3);
  // A finished document can be resumed too (nothing lost, nothing repeated).
  ResultsJournal again(doc, {{"name", "test GPU"}}, true);
  CHECK(again.results().size() == 3);
  fs::remove_all(dir);
}

TEST_CASE("a results document named without a folder gets its journal and document in the working folder", "[tuner][output]") {
  // `tune -o rmsnorm.json`: the document path as the user typed it.
  auto dir = test::temp_dir("journal-bare");
  {
    test::WorkingFolder here(dir);
    ResultsJournal j("rmsnorm.json", {{"name", "test GPU"}}, false);
    CHECK(fs::exists(dir / "rmsnorm.json.journal"));
    j.append(fake_result(Config{{{"VEC", 8}, {"THREADS", 256}, {"ROWS", 1}}}, 130), {});
    j.finalise();
    CHECK_THROWS_AS(ResultsJournal(".", {}, false), InputError);  // a folder, refused before any tuning
  }
  CHECK_FALSE(fs::exists(dir / "rmsnorm.json.journal"));
  CHECK(nlohmann::ordered_json::parse(std::ifstream(dir / "rmsnorm.json"))["results"].size() == 1);
  fs::remove_all(dir);
}

TEST_CASE("resuming from something that is not a results document is refused", "[tuner][bad-input]") {
  auto dir = test::temp_dir("journal-bad");
  std::ofstream(dir / "x.json") << R"({"schema": "something/else", "results": []})";
  CHECK_THROWS_WITH(ResultsJournal(dir / "x.json", {}, true), Contains("not a tkbench.results/1 document"));
  std::ofstream(dir / "y.json") << "not json";
  CHECK_THROWS_WITH(ResultsJournal(dir / "y.json", {}, true), Contains("cannot resume"));
  fs::remove_all(dir);
}

TEST_CASE("the tuning cache answers its key only; a new template source is a new key", "[tuner][cache]") {
  auto dir = test::temp_dir("tuning");
  TuningCache cache(dir.string());
  TuningKey key{"NVIDIA H200", "sm_90", 580, 13000, "rmsnorm", "abc", "4096x8192", "bf16"};
  CHECK_FALSE(cache.load(key));
  TunedEntry e{key, {{"VEC", 8}}, 39.5, 3.4e12, 79.0, 92, "/tmp/r.json", "2026-11-22T00:00:00Z"};
  REQUIRE_FALSE(cache.store(e));
  auto hit = cache.load(key);
  REQUIRE(hit);
  CHECK(hit->median_us == 39.5);
  CHECK(hit->config["VEC"] == 8);
  TuningKey edited = key;
  edited.source_hash = "abd";
  CHECK_FALSE(cache.load(edited));
  TuningKey other_shape = key;
  other_shape.shape = "16384x8192";
  CHECK_FALSE(cache.load(other_shape));
  // A search limited by --config VEC=1 is its own key: its best is never the shape's best.
  TuningKey constrained = key;
  constrained.filter = "VEC=1";
  CHECK_FALSE(cache.load(constrained));
  TunedEntry slow{constrained, {{"VEC", 1}}, 80.0, 1.7e12, 40.0, 23, "/tmp/r.json", "2026-11-22T00:00:00Z"};
  REQUIRE_FALSE(cache.store(slow));
  CHECK(cache.load(constrained)->median_us == 80.0);
  CHECK(cache.load(key)->median_us == 39.5);
  // The unconstrained key hashes as before the filter existed: entries written then are still found.
  CHECK(key.to_json().contains("filter") == false);
  CHECK(cache.list().size() == 2);
  CHECK(cache.clear() == 2);
  fs::remove_all(dir);
}

namespace {
// A synthetic cost over rmsnorm_basic's space with a known optimum.
Result synthetic(const SearchSpace& space, const Config& c) {
  Result r = fake_result(c, 0);
  double cost = 10 + std::abs(std::log2(static_cast<double>(c.at("VEC"))) - 3) * 3 +
                std::abs(std::log2(static_cast<double>(c.at("THREADS"))) - 7) * 2 + std::abs(std::log2(static_cast<double>(c.at("ROWS"))) - 1);
  r.measurement->timing->median_us = cost;
  (void)space;
  return r;
}
}  // namespace

TEST_CASE("adaptive strategies find a known optimum, stay valid and repeat under a seed", "[tuner]") {
  const auto& spec = rmsnorm_basic();
  SearchSpace space(spec, make_problem(spec, {4096, 8192}, DType::bf16));
  const Config optimum{{{"VEC", 8}, {"THREADS", 128}, {"ROWS", 2}}};
  for (const std::string name : {"anneal", "genetic", "bayes"}) {
    INFO(name);
    auto run = [&](std::uint64_t seed) {
      auto s = make_strategy(name, space, {}, 92, seed);
      std::vector<std::string> order;
      std::set<std::string> seen;
      while (true) {
        auto batch = s->propose(4);
        if (batch.empty()) break;
        for (const auto& c : batch) {
          CHECK_FALSE(space.violation(c));           // only valid configs
          CHECK(seen.insert(c.str()).second);        // never the same config twice
          order.push_back(c.str());
          s->observe(synthetic(space, c));
        }
      }
      return order;
    };
    auto a = run(5), b = run(5);
    CHECK(a == b);                                   // deterministic under a seed
    CHECK(a.size() == 92);                           // covers the space when given the whole budget
    CHECK(std::find(a.begin(), a.end(), optimum.str()) != a.end());
  }
  // A fixed parameter is respected.
  auto fixed = make_strategy("genetic", space, parse_config_filter("VEC=4", spec), 92, 1);
  for (const auto& c : fixed->propose(30)) CHECK(c.at("VEC") == 4);
}

TEST_CASE("the exported header compiles with g++ and looks up the nearest tuned shape", "[tuner][export]") {
  auto dir = test::temp_dir("export");
  {
    ResultsJournal j(dir / "run.json", {{"name", "test GPU"}, {"arch", "sm_90"}, {"theoretical_bandwidth", 4.8e12}}, false);
    const nlohmann::ordered_json figures = {{"ideal_bytes", 1.0e8}, {"flops", 0.0}};
    auto at = [](long long m, Config c, double us) {
      Result r = fake_result(c, us);
      r.problem.dims = {m, 8192};
      return r;
    };
    j.append(at(1, Config{{{"VEC", 8}, {"THREADS", 64}, {"ROWS", 1}}}, 3.0), figures);
    j.append(at(1, Config{{{"VEC", 4}, {"THREADS", 32}, {"ROWS", 1}}}, 4.0), figures);
    j.append(at(4096, Config{{{"VEC", 8}, {"THREADS", 256}, {"ROWS", 2}}}, 33.0), figures);
    Result failed = at(4096, Config{{{"VEC", 1}, {"THREADS", 32}, {"ROWS", 1}}}, 1.0);
    failed.status = Status::wrong_result;  // faster but wrong: must never be exported
    j.append(failed, figures);
    j.finalise();
  }
  auto r = test::run_tkbench("export " + (dir / "run.json").string() + " -o " + (dir / "tuned.hpp").string());
  REQUIRE(r.exit_code == 0);
  std::ofstream(dir / "main.cpp") << R"(#include "tuned.hpp"
int main() {
  using namespace tkbench_tuned::rmsnorm_basic_bf16;
  static_assert(kTable.size() == 2);
  if (lookup({1, 8192}).config.THREADS != 64) return 1;     // exact match, the faster of two
  if (lookup({8, 8192}).config.THREADS != 64) return 2;     // nearer to 1 than to 4096 (log scale)
  if (lookup({2048, 8192}).config.ROWS != 2) return 3;      // nearer to 4096
  if (lookup({4096, 8192}).config.VEC != 8) return 4;       // the wrong_result config never wins
  return 0;
})";
  std::string cmd = "g++ -std=c++17 -Wall -Werror -o " + (dir / "main").string() + " " + (dir / "main.cpp").string() +
                    " && " + (dir / "main").string();
  CHECK(std::system(cmd.c_str()) == 0);
  auto json_out = test::run_tkbench("export " + (dir / "run.json").string() + " --format json");
  CHECK_THAT(json_out.output, Contains("\"schema\": \"tkbench.export/1\""));
  auto bad = test::run_tkbench("export " + (dir / "main.cpp").string());
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Contains("not valid JSON"));
  fs::remove_all(dir);
}

TEST_CASE("speed of light is measured against the roof that binds", "[tuner][roofline]") {
  DevicePeaks peaks;
  peaks.theoretical_bandwidth = 4.8e12;
  peaks.fp32_flops = 60e12;
  peaks.calibration = Calibration{};
  peaks.calibration->bandwidth = 4e12;
  // rmsnorm: 1 FLOP/byte, far below the 15 FLOP/byte ridge: memory-bound.
  Result r = fake_result(Config{{{"VEC", 8}, {"THREADS", 256}, {"ROWS", 1}}}, 0);
  double bytes = rmsnorm_basic().ideal_bytes.evaluate(r.problem.bindings());
  r.measurement->timing->median_us = bytes / 3e12 * 1e6;  // 3 TB/s
  RooflineFigures f = roofline_figures(r, rmsnorm_basic(), peaks);
  CHECK_FALSE(f.compute_bound);
  CHECK(f.pct_of_bound == Approx(75.0));
  CHECK(f.pct_of_measured == Approx(75.0));
  // The same result on a machine whose compute roof is below the memory roof at this intensity.
  peaks.fp32_flops = 1e12;
  f = roofline_figures(r, rmsnorm_basic(), peaks);
  CHECK(f.compute_bound);
  CHECK(f.pct_of_bound == Approx(100.0 * f.flop_rate / 1e12));
}
