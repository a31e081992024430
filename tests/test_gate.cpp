// The CI gate without a GPU: its statistics (and their false-positive rate on
// simulated runs), the comparison of results documents (fixtures in
// tests/fixtures/gate/, written by make_fixtures.py), its outputs, gate specs,
// and the command as a user meets it.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "profiler/device.hpp"
#include "profiler/statistics.hpp"
#include "reports/gate_compare.hpp"
#include "reports/gate_output.hpp"
#include "reports/gate_statistics.hpp"
#include "test_helpers.hpp"
#include "test_skip.hpp"
#include "tuner/gate_spec.hpp"
#include "tuner/result_json.hpp"

using namespace tkbench;
using Catch::Contains;
using Catch::StartsWith;
namespace fs = std::filesystem;

namespace {

const TemplateRegistry& registry() {
  static auto r = TemplateRegistry::load({});
  return r;
}

std::string fixture(const std::string& name) { return test::fixtures() + "/gate/" + name; }
ResultDocument load(const std::string& name) { return load_result_document(fixture(name)); }

GateReport gate(const std::string& baseline, const std::string& current, GateOptions options = {}) {
  ResultDocument b = load(baseline), c = load(current);
  return gate_documents(&b, c, options);
}

const GateEntry& entry(const GateReport& r, const std::string& group, const std::string& config) {
  for (const auto& e : r.entries)
    if (e.group() == group && ((e.current && e.current->config == config) || (e.baseline && e.baseline->config == config)))
      return e;
  throw std::logic_error("no entry " + group + " " + config);
}

// Runs like the GPU's: lognormal noise around a median, a few slow outliers
// (another process, a clock step). Box-Muller on a fixed engine: the same
// samples on every platform.
class Simulator {
 public:
  explicit Simulator(std::uint64_t seed) : rng_(seed) {}
  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  double normal() { return std::sqrt(-2 * std::log(1 - uniform())) * std::cos(2 * M_PI * uniform()); }
  int between(int lo, int hi) { return lo + static_cast<int>(uniform() * (hi - lo + 1)); }
  std::vector<double> run(double median, int n, double sigma) {
    std::vector<double> out;
    for (int i = 0; i < n; ++i) {
      double x = median * std::exp(sigma * normal());
      if (uniform() < 0.02) x *= 1 - 0.05 * std::log(1 - uniform());  // +5% on average
      out.push_back(x);
    }
    return out;
  }

 private:
  std::mt19937_64 rng_;
};

// A results document holding one rmsnorm_basic result timed by `samples`.
ResultDocument simulated_document(const std::vector<double>& samples) {
  const TemplateSpec& spec = registry().get("rmsnorm_basic");
  ResultDocument doc;
  doc.path = "simulated.json";
  doc.peaks.device.name = "Simulated GPU";
  doc.peaks.device.cc_major = 9;
  doc.peaks.theoretical_bandwidth = 4.8e12;
  Result r = Result::for_config(spec, make_problem(spec, {4096, 8192}, DType::bf16), Config{{{"VEC", 8}, {"THREADS", 256}, {"ROWS", 1}}});
  r.status = Status::ok;
  Measurement m;
  m.verification.verified = m.verification.passed = true;
  SampleSummary s = summarize(samples);
  TimingStats t;
  t.samples = s.count;
  t.median_us = s.median;
  t.rel_std_error = s.rel_std_error;
  t.spread = s.spread;
  t.samples_us = samples;
  m.timing = t;
  r.measurement = m;
  doc.set.results.push_back(r);
  doc.workloads.push_back({134234112.0, 134217728.0});
  return doc;
}

struct Rates {
  int failed = 0, noisy = 0, pairs = 0;
  double failed_pct() const { return 100.0 * failed / pairs; }
};

// Gates `pairs` simulated (baseline, current) runs: same median times `change`,
// ~1% noise, 30 to 200 samples a side, and run-to-run drift of `drift`.
Rates gate_simulated_pairs(int pairs, double change, double drift, double max_regression, std::uint64_t seed) {
  Simulator sim(seed);
  Rates rates;
  GateOptions options;
  options.max_regression = max_regression;
  for (int i = 0; i < pairs; ++i) {
    const double median = 20 + 180 * sim.uniform();
    auto base = simulated_document(sim.run(median * std::exp(drift * sim.normal()), sim.between(30, 200), 0.01));
    auto cur = simulated_document(sim.run(median * change * std::exp(drift * sim.normal()), sim.between(30, 200), 0.01));
    GateReport r = gate_documents(&base, cur, options);
    rates.failed += !r.passed();
    rates.noisy += static_cast<int>(r.count(Verdict::noisy));
    ++rates.pairs;
  }
  return rates;
}

// Enough of XML 1.0 to catch what a CI system's parser would reject: a
// prolog, properly nested and closed elements, quoted attributes, and '<' or
// '&' only as markup or entities. Returns what is wrong, or "" when well-formed.
std::string xml_problem(const std::string& xml) {
  std::size_t i = 0;
  if (xml.rfind("<?xml ", 0) != 0) return "no <?xml prolog";
  i = xml.find("?>") + 2;
  std::vector<std::string> open;
  auto entity_ok = [&](std::size_t at) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
      if (xml.compare(at, std::strlen(e), e) == 0) return true;
    return false;
  };
  bool root_seen = false;
  while (i < xml.size()) {
    if (xml[i] == '&' && !entity_ok(i)) return "bare '&' at " + std::to_string(i);
    if (xml[i] != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) return "text outside the root at " + std::to_string(i);
      ++i;
      continue;
    }
    const bool closing = xml[i + 1] == '/';
    std::size_t name_start = i + (closing ? 2 : 1), j = name_start;
    while (j < xml.size() && (std::isalnum(static_cast<unsigned char>(xml[j])) || xml[j] == '-' || xml[j] == '_')) ++j;
    const std::string name = xml.substr(name_start, j - name_start);
    if (name.empty()) return "a tag without a name at " + std::to_string(i);
    // Attributes: name="value", values free of '<' and of bare '&'.
    while (j < xml.size() && xml[j] != '>' && !(xml[j] == '/' && xml[j + 1] == '>')) {
      if (xml[j] == '"') {
        std::size_t end = xml.find('"', j + 1);
        if (end == std::string::npos) return "an unterminated attribute";
        for (std::size_t k = j + 1; k < end; ++k) {
          if (xml[k] == '<') return "'<' inside an attribute at " + std::to_string(k);
          if (xml[k] == '&' && !entity_ok(k)) return "bare '&' inside an attribute at " + std::to_string(k);
        }
        j = end + 1;
      } else {
        ++j;
      }
    }
    if (j >= xml.size()) return "an unterminated tag <" + name;
    const bool self_closing = xml[j] == '/';
    if (closing) {
      if (open.empty() || open.back() != name) return "</" + name + "> closes " + (open.empty() ? "nothing" : "<" + open.back() + ">");
      open.pop_back();
    } else if (!self_closing) {
      if (open.empty() && root_seen) return "a second root element <" + name + ">";
      root_seen = true;
      open.push_back(name);
    }
    i = j + (self_closing ? 2 : 1);
  }
  return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

}  // namespace

// ---- statistics ----

TEST_CASE("samples_us survive a result's JSON round trip to 5 significant digits - older records have none", "[gate]") {
  const TemplateSpec& spec = registry().get("rmsnorm_basic");
  Result r = Result::for_config(spec, make_problem(spec, {4096, 8192}, DType::bf16), Config{{{"VEC", 8}, {"THREADS", 256}, {"ROWS", 1}}});
  r.status = Status::ok;
  Measurement m;
  TimingStats t;
  t.median_us = 33.4;
  t.samples_us = {33.412345, 1234.56789, 0.000123456789};
  m.timing = t;
  r.measurement = m;
  auto j = to_json(r);
  Result back = result_from_json(j);
  REQUIRE(back.measurement->timing->samples_us.size() == 3);
  CHECK(back.measurement->timing->samples_us[0] == 33.412);
  CHECK(back.measurement->timing->samples_us[1] == 1234.6);
  CHECK(back.measurement->timing->samples_us[2] == Approx(0.00012346).epsilon(1e-9));
  j["measurement"]["timing"].erase("samples_us");
  CHECK(result_from_json(j).measurement->timing->samples_us.empty());
}

TEST_CASE("a timing's dropped throttled samples and rest survive its JSON round trip - older records have none", "[gate][throttle]") {
  Result r = test::timed_result(DType::bf16, 1364.5);
  r.measurement->timing->throttle_dropped_samples = 3;
  r.measurement->timing->throttle_rest_s = 0.35;
  auto j = to_json(r);
  CHECK(j["measurement"]["timing"]["throttle"]["dropped_samples"] == 3);
  Result back = result_from_json(j);
  CHECK(back.measurement->timing->throttle_dropped_samples == 3);
  CHECK(back.measurement->timing->throttle_rest_s == Approx(0.35));
  j["measurement"]["timing"].erase("throttle");
  CHECK(result_from_json(j).measurement->timing->throttle_dropped_samples == 0);
}

TEST_CASE("the ratio interval: the same runs straddle 1 - a tight 10% shift clears it - same input same answer", "[gate]") {
  Simulator sim(11);
  auto a = sim.run(100, 80, 0.01), b = sim.run(100, 80, 0.01), slow = sim.run(110, 80, 0.005);
  auto side = [](const std::vector<double>& x) {
    SampleSummary s = summarize(x);
    return TimingSample{s.median, s.rel_std_error, x};
  };
  RatioInterval same = median_ratio_interval(side(a), side(b));
  CHECK(same.method == IntervalMethod::bootstrap);
  CHECK(same.lower < 1);
  CHECK(same.upper > 1);
  CHECK(same.lower < same.ratio);
  CHECK(same.ratio < same.upper);
  RatioInterval shifted = median_ratio_interval(side(a), side(slow));
  CHECK(shifted.ratio == Approx(1.10).margin(0.01));
  CHECK(shifted.lower > 1.08);
  CHECK(shifted.upper < 1.12);
  RatioInterval again = median_ratio_interval(side(a), side(slow));
  CHECK(again.lower == shifted.lower);
  CHECK(again.upper == shifted.upper);
  BootstrapOptions other_seed;
  other_seed.seed = 99;
  CHECK(median_ratio_interval(side(a), side(slow), other_seed).lower != shifted.lower);
  CHECK_THROWS(median_ratio_interval(TimingSample{0, 0, {}}, side(a)));
}

TEST_CASE("without samples the interval is the normal approximation of the log ratio", "[gate]") {
  // 1% standard error on each side: sigma of the log ratio = sqrt(2) %, z(95%) = 1.645.
  RatioInterval r = median_ratio_interval(TimingSample{100, 0.01, {}}, TimingSample{110, 0.01, {1, 2, 3}});
  CHECK(r.method == IntervalMethod::normal);
  CHECK(r.ratio == Approx(1.10));
  CHECK(r.lower == Approx(1.10 * std::exp(-1.6449 * std::sqrt(2) * 0.01)).epsilon(1e-4));
  CHECK(r.upper == Approx(1.10 * std::exp(1.6449 * std::sqrt(2) * 0.01)).epsilon(1e-4));
  CHECK(median_of({3, 1, 2}) == 2);
  CHECK(median_of({4, 1, 3, 2}) == 2.5);
}

TEST_CASE("gate: the false-positive rate over 200 simulated pairs of the same build stays under 1%", "[gate][statistics]") {
  // The same kernel twice: ~1% lognormal noise with 2% slow outliers, 30-200
  // samples a side, and 0.5% run-to-run drift of the median itself.
  Rates same = gate_simulated_pairs(200, 1.0, 0.005, 0.05, 1);
  WARN("false positives at --max-regression 5%: " << same.failed << "/" << same.pairs << " = " << same.failed_pct()
                                                  << "% (noisy warnings: " << same.noisy << ")");
  CHECK(same.failed_pct() < 1.0);
  // The test itself is calibrated: with no threshold and no drift, a one-sided
  // 95% bound flags about 5% of same-distribution pairs - not 0%, not 20%.
  Rates bare = gate_simulated_pairs(400, 1.0, 0.0, 0.0, 2);
  WARN("the significance test alone (--max-regression 0, no drift): " << bare.failed << "/" << bare.pairs << " = "
                                                                        << bare.failed_pct() << "% (nominal 5%)");
  CHECK(bare.failed_pct() > 1.0);
  CHECK(bare.failed_pct() < 9.0);
  // And it has power: a real 10% slowdown is caught every time.
  Rates slow = gate_simulated_pairs(200, 1.10, 0.005, 0.05, 3);
  WARN("10% slowdowns caught at --max-regression 5%: " << slow.failed << "/" << slow.pairs);
  CHECK(slow.failed_pct() >= 99.0);
}

// ---- comparing documents ----

TEST_CASE("gate (a): the same build measured twice passes", "[gate]") {
  for (const char* current : {"baseline.json", "rerun.json"}) {
    INFO(current);
    GateReport r = gate("baseline.json", current);
    CHECK(r.passed());
    CHECK(r.entries.size() == 6);
    CHECK(r.count(Verdict::ok) == 6);
    for (const auto& e : r.entries) {
      REQUIRE(e.slowdown);
      CHECK(e.slowdown->method == IntervalMethod::bootstrap);
      CHECK(e.slowdown->lower < 1.05);
    }
  }
}

TEST_CASE("gate (b): a 10% slowdown with tight samples fails and names the numbers", "[gate]") {
  GateReport r = gate("baseline.json", "slower.json");
  CHECK_FALSE(r.passed());
  CHECK(r.count(Verdict::regression) == 3);
  const GateEntry& e = entry(r, "rmsnorm 4096x8192 bf16", "VEC=8,THREADS=256,ROWS=1");
  CHECK(e.verdict == Verdict::regression);
  CHECK(e.failed);
  CHECK(e.slowdown->ratio == Approx(1.10).margin(0.01));
  CHECK(e.slowdown->lower > 1.05);
  REQUIRE(!e.notes.empty());
  CHECK_THAT(e.notes.front(), Contains("33.47 µs -> 36.82 µs") && Contains("+10.0%") && Contains("over the 5% allowed"));
  CHECK(entry(r, "rmsnorm 16384x8192 bf16", "VEC=8,THREADS=256,ROWS=2").verdict == Verdict::ok);
  // A threshold above the slowdown lets it through.
  GateOptions lenient;
  lenient.max_regression = 0.15;
  CHECK(gate("baseline.json", "slower.json", lenient).passed());
}

TEST_CASE("gate (c): a 10% slowdown inside wide noise passes with a warning", "[gate]") {
  GateReport r = gate("baseline.json", "noisy.json");
  CHECK(r.passed());
  CHECK(r.count(Verdict::noisy) == 3);
  const GateEntry& e = entry(r, "rmsnorm 4096x8192 bf16", "VEC=8,THREADS=256,ROWS=1");
  CHECK(e.slowdown->ratio > 1.05);
  CHECK(e.slowdown->lower <= 1.05);
  CHECK_FALSE(e.failed);
  CHECK_THAT(e.notes.front(), Contains("too noisy to be sure") && Contains("10 samples"));
}

TEST_CASE("gate (d): an improvement passes and is reported", "[gate]") {
  GateReport r = gate("baseline.json", "faster.json");
  CHECK(r.passed());
  CHECK(r.count(Verdict::improved) == 3);
  CHECK_THAT(entry(r, "rmsnorm 4096x8192 bf16", "VEC=8,THREADS=256,ROWS=1").notes.front(), Contains("faster with 95% confidence"));
  CHECK_THAT(gate_summary_line(r), StartsWith("PASS") && Contains("3 improved"));
}

TEST_CASE("gate (e): entries on one side are listed - --strict fails them", "[gate]") {
  GateReport r = gate("baseline.json", "missing.json");
  CHECK(r.passed());
  CHECK(r.count(Verdict::only_baseline) == 2);
  CHECK(r.count(Verdict::only_current) == 1);
  CHECK(entry(r, "copy 268435456 bf16", "VEC_BYTES=8,THREADS=256,UNROLL=2,STREAMING=0").verdict == Verdict::only_baseline);
  CHECK(entry(r, "rmsnorm 1x8192 bf16", "VEC=8,THREADS=256,ROWS=1").verdict == Verdict::only_current);
  GateOptions strict;
  strict.strict = true;
  GateReport s = gate("baseline.json", "missing.json", strict);
  CHECK_FALSE(s.passed());
  CHECK(s.failures() == 3);
  CHECK_THAT(gate_summary_line(s), Contains("2 only in baseline") && Contains("1 only in current"));
}

TEST_CASE("gate (f): another GPU is refused - --compare sol compares fractions of each roof", "[gate]") {
  CHECK_THROWS_WITH(gate("baseline.json", "h100.json"), Contains("NVIDIA H100 80GB HBM3") && Contains("--compare sol"));
  GateOptions sol;
  sol.compare = CompareBy::sol;
  GateReport r = gate("baseline.json", "h100.json", sol);
  CHECK(r.passed());
  // h100.json's times are the baseline's scaled by the bandwidth ratio: SoL matches within noise.
  for (const auto& e : r.entries) {
    REQUIRE(e.slowdown);
    CHECK(e.slowdown->ratio == Approx(1.0).margin(0.02));
    CHECK(e.current->sol == Approx(e.baseline->sol).margin(0.02));
  }
  // Time alone would have called it a 44% regression.
  CHECK(entry(r, "copy 268435456 bf16", "VEC_BYTES=8,THREADS=256,UNROLL=2,STREAMING=0").current->median_us.value() > 350);
}

TEST_CASE("gate (g): malformed - wrong-schema - malformed-record documents are bad input with the reason", "[gate]") {
  CHECK_THROWS_AS(load("malformed.json"), InputError);
  CHECK_THROWS_WITH(load("malformed.json"), Contains("malformed.json: not valid JSON"));
  CHECK_THROWS_WITH(load("wrong_schema.json"), Contains("schema \"tkbench.compile/1\" is not one tkbench reads"));
  CHECK_THROWS_WITH(load("bad_record.json"), Contains("result 2 is malformed") && Contains("status"));
  CHECK_THROWS_WITH(load("nope.json"), Contains("nope.json: no such file"));
}

TEST_CASE("gate: a result that was ok and now is wrong fails - the reason is kept", "[gate]") {
  GateReport r = gate("baseline.json", "broken.json");
  CHECK_FALSE(r.passed());
  const GateEntry& e = entry(r, "rmsnorm 4096x8192 bf16", "VEC=4,THREADS=256,ROWS=1");
  CHECK(e.verdict == Verdict::broken);
  CHECK_THAT(e.notes.front(), Contains("was ok (34.91 µs), now wrong_result") && Contains("relative L2 error 0.31"));
  // The other way round a failing config that now works is "fixed", not a failure.
  GateReport back = gate("broken.json", "baseline.json");
  CHECK(back.passed());
  CHECK(entry(back, "rmsnorm 4096x8192 bf16", "VEC=4,THREADS=256,ROWS=1").verdict == Verdict::fixed);
}

TEST_CASE("gate: documents without samples fall back to the normal approximation", "[gate]") {
  GateReport r = gate("no_samples.json", "rerun.json");
  CHECK(r.passed());
  for (const auto& e : r.entries) CHECK(e.slowdown->method == IntervalMethod::normal);
}

TEST_CASE("gate: each shape's best is compared when the two sides chose different configs", "[gate]") {
  // The current run measured only a slow config (e.g. VEC=1 forced): no config row matches, the best row fails.
  ResultDocument b = load("baseline.json"), c = load("baseline.json");
  c.set.results.erase(c.set.results.begin(), c.set.results.begin() + 2);  // keep VEC=1 at 4096x8192 and the rest
  c.workloads.erase(c.workloads.begin(), c.workloads.begin() + 2);
  GateReport r = gate_documents(&b, c, {});
  const GateEntry* best = nullptr;
  for (const auto& e : r.entries)
    if (e.kind == GateEntry::Kind::best) best = &e;
  REQUIRE(best);
  CHECK(best->group() == "rmsnorm 4096x8192 bf16");
  CHECK(best->baseline->config == "VEC=8,THREADS=256,ROWS=1");
  CHECK(best->current->config == "VEC=1,THREADS=1024,ROWS=1");
  CHECK(best->verdict == Verdict::regression);
  CHECK_FALSE(r.passed());
  // --best-only keeps one row per shape.
  GateOptions best_only;
  best_only.best_only = true;
  GateReport only = gate_documents(&b, c, best_only);
  CHECK(only.entries.size() == 3);  // 4096x8192's best row, 16384x8192's and copy's best config
  for (const auto& e : only.entries) CHECK(e.shape_best);
}

TEST_CASE("gate: --min-sol and spec floors fail a result below them", "[gate]") {
  GateOptions floors;
  floors.floors.push_back({"", "", "", "", 0.95, std::nullopt, "--min-sol"});
  GateReport r = gate("baseline.json", "rerun.json", floors);
  CHECK_FALSE(r.passed());
  // The best of each shape is checked: 4096x8192 reaches 93.1%, 16384x8192 94.9%, copy 99.8%.
  CHECK(r.floors_missed() == 2);
  const GateEntry& e = entry(r, "rmsnorm 4096x8192 bf16", "VEC=8,THREADS=256,ROWS=1");
  REQUIRE(e.floors.size() == 1);
  CHECK_FALSE(e.floors[0].passed);
  CHECK(e.floors[0].what == "SoL ≥ 95%");
  CHECK(e.floors[0].actual == "93.1%");
  CHECK(entry(r, "rmsnorm 4096x8192 bf16", "VEC=4,THREADS=256,ROWS=1").floors.empty());  // not the best: no floor
  CHECK_THAT(gate_summary_line(r), Contains("FAIL: 2 below floor"));

  GateOptions spec_floors;  // a spec's floors name the exact config they were measured with
  spec_floors.floors.push_back({"rmsnorm", "4096x8192", "bf16", "VEC=1,THREADS=1024,ROWS=1", std::nullopt, 40.0, "gate.toml:3"});
  spec_floors.floors.push_back({"rmsnorm", "16384x8192", "bf16", "", 0.9, 140.0, "gate.toml:9"});
  spec_floors.floors.push_back({"rmsnorm", "2x8192", "bf16", "", 0.9, std::nullopt, "gate.toml:15"});
  GateReport s = gate("baseline.json", "rerun.json", spec_floors);
  const GateEntry& slow = entry(s, "rmsnorm 4096x8192 bf16", "VEC=1,THREADS=1024,ROWS=1");
  REQUIRE(slow.floors.size() == 1);
  CHECK(slow.floors[0].what == "time ≤ 40 µs");
  CHECK_FALSE(slow.floors[0].passed);
  CHECK_FALSE(entry(s, "rmsnorm 16384x8192 bf16", "VEC=8,THREADS=256,ROWS=2").floor_failed());
  // A floor on a shape the current run lacks is a failure, not silence.
  CHECK(s.floors_missed() == 2);
  CHECK_FALSE(s.passed());

  // Without a baseline only the floors decide.
  ResultDocument only = load("rerun.json");
  GateReport alone = gate_documents(nullptr, only, floors);
  CHECK(alone.count(Verdict::measured) == alone.entries.size());
  CHECK(alone.floors_missed() == 2);
  CHECK(gate_documents(nullptr, only, {}).passed());
}

TEST_CASE("gate: documents with nothing in common are refused rather than passed", "[gate]") {
  ResultDocument b = load("baseline.json"), c = load("missing.json");
  c.set.results.resize(0);
  c.workloads.clear();
  CHECK_THROWS_WITH(gate_documents(&b, c, {}), Contains("nothing to compare"));
  CHECK_THROWS_WITH(gate_documents(nullptr, c, {}), Contains("holds no results"));
}

TEST_CASE("gate: a whole tuning run - every config compared - the table shows what matters", "[gate]") {
  const std::string space = test::fixtures() + "/../../bench/spaces/h200-rmsnorm_basic-4096x8192-bf16.json";
  ResultDocument b = load_result_document(space), c = load_result_document(space);
  REQUIRE(c.set.results.size() == 92);
  // One slow config 20% slower; another timed with a hot L2; the GPU throttled on a third.
  auto& slow = *c.set.results[5].measurement->timing;
  slow.median_us *= 1.2;
  c.set.results[6].measurement->timing->l2 = "hot";
  c.set.results[7].measurement->timing->throttled = true;
  for (auto& result : c.set.results) result.source_hash = "edited";
  GateReport r = gate_documents(&b, c, {});
  CHECK(r.notes == std::vector<std::string>{"rmsnorm_basic's source changed between the two runs"});
  CHECK(r.entries.size() == 92);
  CHECK(r.count(Verdict::regression) == 1);
  CHECK(r.count(Verdict::incomparable) == 1);
  CHECK_THAT(r.entries[7].notes.back(), Contains("throttling"));
  CHECK(r.entries[5].slowdown->method == IntervalMethod::normal);  // this document predates samples_us
  CHECK_FALSE(r.passed());
  auto printed = [&](bool verbose) {
    std::FILE* f = std::tmpfile();
    print_gate_report(f, r, false, verbose);
    std::rewind(f);
    std::string text;
    for (int ch; (ch = std::fgetc(f)) != EOF;) text += static_cast<char>(ch);
    std::fclose(f);
    return text;
  };
  const std::string brief = printed(false), full = printed(true);
  CHECK_THAT(brief, Contains("(not shown: 88 ok; -v lists every entry)") && Contains("regression") &&
                        Contains("not comparable") && Contains("timed with cold L2 in the baseline, hot now") &&
                        Contains("the GPU was throttling"));
  CHECK(std::count(full.begin(), full.end(), '\n') > std::count(brief.begin(), brief.end(), '\n') + 80);
  // --best-only: the shape's best alone, and it did not change.
  GateOptions best_only;
  best_only.best_only = true;
  GateReport best = gate_documents(&b, c, best_only);
  REQUIRE(best.entries.size() == 1);
  CHECK(best.passed());
}

TEST_CASE("cli: gate of two whole tuning runs is short in the terminal - -v and the files have every entry", "[gate][cli]") {
  const std::string space = test::fixtures() + "/../../bench/spaces/h200-rmsnorm_basic-4096x8192-bf16.json";
  auto dir = test::temp_dir("gate-brief");
  const std::string args = "gate --no-color --baseline " + space + " --current " + space;
  auto lines = [](const std::string& text) { return std::count(text.begin(), text.end(), '\n'); };
  auto brief = test::run_tkbench(args + " --junit " + (dir / "gate.xml").string() + " --markdown " + (dir / "gate.md").string());
  INFO(brief.output);
  CHECK(brief.exit_code == 0);
  CHECK(lines(brief.output) <= 8);  // context, header, the shape's best, what is not shown, summary
  CHECK_THAT(brief.output, Contains("VEC=8,THREADS=256,ROWS=1") && Contains("(not shown: 91 ok; -v lists every entry)") &&
                               Contains("gate: PASS (92 entries: 92 ok)"));
  auto full = test::run_tkbench(args + " -v");
  CHECK(full.exit_code == 0);
  CHECK(lines(full.output) >= 92 + 3);
  CHECK_FALSE(Contains("not shown").match(full.output));
  CHECK(nlohmann::json::parse(test::run_tkbench(args + " --json").output)["entries"].size() == 92);
  auto occurrences = [](const fs::path& file, const std::string& what) {
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  CHECK(occurrences(dir / "gate.xml", "<testcase ") == 92);
  CHECK(occurrences(dir / "gate.md", "\n| ✅ |") == 92);  // the shape's best above, the other 91 folded
  CHECK(occurrences(dir / "gate.md", "<details><summary>The other entries: 91 ok</summary>") == 1);
  fs::remove_all(dir);
}

// ---- outputs ----

TEST_CASE("gate JUnit XML: one test case per entry - failures carry the numbers - text is escaped", "[gate]") {
  GateReport r = gate("baseline.json", "broken.json");
  r.entries.front().notes.push_back("a note with <angle> & \"quotes\" and a \x01 control character");
  const std::string xml = gate_junit_xml(r);
  CHECK(xml_problem(xml).empty());
  INFO(xml_problem(xml));
  CHECK_THAT(xml, Contains("<testsuites name=\"tkbench gate\" tests=\"6\" failures=\"1\""));
  CHECK_THAT(xml, Contains("<testcase classname=\"tkbench.gate.rmsnorm\" name=\"4096x8192 bf16 VEC=4,THREADS=256,ROWS=1\""));
  CHECK_THAT(xml, Contains("<failure message=\"broken: was ok (34.91 µs), now wrong_result: y: relative L2 error 0.31 &gt; tolerance"));
  CHECK_THAT(xml, Contains("&lt;angle&gt; &amp; &quot;quotes&quot;"));
  CHECK_THAT(xml, !Contains("\x01"));
  // The checker itself rejects what a parser would.
  CHECK_FALSE(xml_problem("<?xml version=\"1.0\"?><a><b></a></b>").empty());
  CHECK_FALSE(xml_problem("<?xml version=\"1.0\"?><a x=\"1 & 2\"/>").empty());
  CHECK_FALSE(xml_problem("<?xml version=\"1.0\"?><a>").empty());
  CHECK(xml_problem("<?xml version=\"1.0\"?><a x=\"&lt;\"><b/>text</a>").empty());
  CHECK(xml_escape("a<b>&'\"\tc") == "a&lt;b&gt;&amp;&apos;&quot;\tc");

  GateReport missing = gate("baseline.json", "missing.json");
  const std::string skipped = gate_junit_xml(missing);
  CHECK_THAT(skipped, Contains("skipped=\"3\"") && Contains("<skipped message=\"only in baseline\"/>"));
}

TEST_CASE("gate Markdown: a verdict line and a table for a PR comment", "[gate]") {
  const std::string md = gate_markdown(gate("baseline.json", "slower.json"));
  CHECK_THAT(md, StartsWith("**tkbench gate: ❌ FAIL: 3 regression (6 entries: 3 regression, 3 ok)**"));
  CHECK_THAT(md, Contains("| | entry | config | baseline | current | change (90% CI) | SoL | verdict |\n|---|---|---|--:|--:|--:|--:|---|\n"));
  CHECK_THAT(md, Contains("| ❌ | rmsnorm 4096x8192 bf16 | VEC=8,THREADS=256,ROWS=1 | 33.47 µs | 36.82 µs | +10.0% [+9."));
  CHECK_THAT(md, Contains("| ✅ | copy 268435456 bf16 |"));
  CHECK_THAT(md, Contains("- ❌ **regression** rmsnorm 4096x8192 bf16 `VEC=8,THREADS=256,ROWS=1`: 33.47 µs -&gt; 36.82 µs"));
  std::size_t rows = 0;
  for (std::size_t at = md.find("\n| "); at != std::string::npos; at = md.find("\n| ", at + 1)) ++rows;
  CHECK(rows == 8);  // two headers and six entries: what needs a look, then the rest folded
  CHECK_THAT(md, Contains("<details><summary>The other entries: 1 ok</summary>"));

  const std::string pass = gate_markdown(gate("baseline.json", "faster.json"));
  CHECK_THAT(pass, StartsWith("**tkbench gate: ✅ PASS"));
  CHECK_THAT(pass, Contains("| 🟢 | rmsnorm 4096x8192 bf16 |"));
  const std::string broken = gate_markdown(gate("baseline.json", "broken.json"));
  CHECK_THAT(broken, Contains("error 0.31 &gt; tolerance"));  // HTML-ish text stays text
}

TEST_CASE("gate JSON: a machine-readable verdict", "[gate]") {
  auto j = gate_json(gate("baseline.json", "slower.json"));
  CHECK(j["schema"] == "tkbench.gate/1");
  CHECK(j["passed"] == false);
  CHECK(j["exit_code"] == 1);
  CHECK(j["counts"]["regression"] == 3);
  CHECK(j["statistics"]["resamples"] == 2000);
  CHECK(j["entries"].size() == 6);
  const auto& e = j["entries"][0];
  CHECK(e["verdict"] == "regression");
  CHECK(e["slowdown"]["method"] == "bootstrap");
  CHECK(e["slowdown"]["lower"].get<double>() > 1.05);
  CHECK(e["baseline"]["samples"] == 60);
}

TEST_CASE("gate: % of cuBLAS for each entry whose documents timed the library - table, JSON, JUnit, Markdown", "[gate][baseline]") {
  GateReport r = gate("gemm_baseline.json", "gemm_current.json");
  CHECK(r.passed());
  REQUIRE(r.entries.size() == 2);
  const GateEntry& best = r.entries[0];  // the tuned config, its shape's best on both sides
  REQUIRE(best.shape_best);
  REQUIRE(best.baseline);
  REQUIRE(best.current);
  CHECK(best.library() == "cublas");
  // The library's median over the config's, each side from its own document.
  CHECK(*best.baseline->library_us == Approx(177.0));
  CHECK(*best.baseline->pct_of_library == Approx(100 * 177.0 / *best.baseline->median_us));
  CHECK(*best.current->pct_of_library == Approx(100 * 176.915 / *best.current->median_us));
  CHECK(*best.current->pct_of_library == Approx(92.2).margin(0.05));
  // SoL past the ridge is against the tensor roof of a tensor-pipe workload (the fixture's GPU: 1070.5 TFLOP/s bf16), not FP32.
  CHECK(best.current->sol == Approx(2.0 * 4096 * 4096 * 4096 / (*best.current->median_us * 1e-6) / 1070530560000000.0));
  CHECK(best.current->sol == Approx(0.669).margin(0.001));

  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* f = ::open_memstream(&buffer, &size);
  print_gate_report(f, r, false, true);
  std::fclose(f);
  const std::string table(buffer, size);
  std::free(buffer);
  CHECK_THAT(table, Contains("% of cuBLAS") && Contains("89.5% -> 92.2%"));
  CHECK_THAT(gate_markdown(r), Contains("| SoL | % of cuBLAS | verdict |") && Contains("89.5% -&gt; 92.2%"));
  const std::string xml = gate_junit_xml(r);
  CHECK(xml_problem(xml).empty());
  CHECK_THAT(xml, Contains("% of cuBLAS: 89.5% -&gt; 92.2%"));
  auto j = gate_json(r);
  CHECK(j["entries"][0]["current"]["library"] == "cublas");
  CHECK(j["entries"][0]["current"]["library_us"].get<double>() == Approx(176.915));
  CHECK(j["entries"][0]["current"]["pct_of_library"].get<double>() == Approx(*best.current->pct_of_library));
  CHECK(j["entries"][0]["baseline"]["pct_of_library"].get<double>() == Approx(*best.baseline->pct_of_library));

  // Documents without a library have no such column, and JSON says null.
  GateReport plain = gate("baseline.json", "rerun.json");
  CHECK_THAT(gate_markdown(plain), !Contains("% of"));
  CHECK(gate_json(plain)["entries"][0]["current"]["pct_of_library"].is_null());
}

TEST_CASE("gate: % of cuBLAS when one side has no library time, or the library failed", "[gate][baseline]") {
  ResultDocument base = load("gemm_baseline.json"), cur = load("gemm_current.json");
  ResultDocument untimed = cur;
  untimed.set.baselines.clear();  // a current run that did not time the library
  GateReport r = gate_documents(&base, untimed, {});
  CHECK_FALSE(r.entries[0].current->pct_of_library);
  CHECK_THAT(gate_markdown(r), Contains("89.5% (baseline)"));
  ResultDocument failed = cur;
  failed.set.baselines[0].status = Status::fault;
  failed.set.baselines[0].measurement.reset();
  r = gate_documents(&base, failed, {});
  CHECK(r.entries[0].current->library == "cublas");
  CHECK_FALSE(r.entries[0].current->library_us);
  CHECK_THAT(gate_markdown(r), Contains("| 89.5% -&gt; failed |"));
  // Floors only (no baseline document): the current side's figure.
  r = gate_documents(nullptr, cur, {});
  CHECK_THAT(gate_markdown(r), Contains("| time | SoL | % of cuBLAS | verdict |") && Contains("| 92.2% |"));
}

TEST_CASE("cli: gate shows % of cuBLAS", "[gate][cli][baseline]") {
  auto r = test::run_tkbench("gate --baseline " + fixture("gemm_baseline.json") + " --current " + fixture("gemm_current.json"));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("% of cuBLAS") && Contains("89.5% -> 92.2%"));
  auto help = test::run_tkbench("gate --help");
  CHECK_THAT(help.output, Contains("% of cuBLAS"));
}

// ---- gate specs ----

TEST_CASE("a gate spec lists entries with shapes and dtype and config filter and floors", "[gate][spec]") {
  GateSpec spec = parse_gate_spec(R"(max_regression = "3%"
min_sol = 0.8
max_time = 2
[[entry]]
template = "rmsnorm_basic"
shapes = ["4096x8192", "16384x8192"]
dtype = "bf16"
min_sol = "95%"
max_time_us = { "4096x8192" = 40.0 }

[[entry]]
template = "rmsnorm_basic"
shape = "4096x8192"
config = "VEC=1"
max_time_us = 60
strategy = "random"
budget = 8
)", "gate.toml", registry());
  CHECK(spec.max_regression == Approx(0.03));
  CHECK(spec.max_time == 2);
  CHECK(spec.min_samples == 50);
  REQUIRE(spec.entries.size() == 2);
  const auto& a = spec.entries[0];
  CHECK(a.spec->name == "rmsnorm_basic");
  REQUIRE(a.problems.size() == 2);
  CHECK(a.problems[1].shape_str() == "16384x8192");
  CHECK(a.min_sol == Approx(0.95));
  CHECK(a.max_time_for("4096x8192") == 40.0);
  CHECK_FALSE(a.max_time_for("16384x8192"));
  CHECK(a.where.str() == "gate.toml:4:1");
  const auto& b = spec.entries[1];
  CHECK(b.filter.at("VEC") == 1);
  CHECK(b.min_sol == Approx(0.8));  // the default
  CHECK(b.max_time_for("4096x8192") == 60.0);
  CHECK(b.problems[0].dtype == DType::bf16);  // the template's first dtype
  CHECK(b.strategy == "random");
  CHECK(b.budget == 8);
}

TEST_CASE("gate spec mistakes are bad input with file:line:column", "[gate][spec][bad-input]") {
  struct Case { std::string toml, message; };
  const std::string entry = "[[entry]]\ntemplate = \"rmsnorm\"\nshapes = [\"4096x8192\"]\n";
  const Case cases[] = {
      {"[[entry]\n", "gate.toml:1:"},
      {"", "no [[entry]] tables"},
      {"max_regresion = 0.05\n" + entry, "gate.toml:1:1: unknown key 'max_regresion' in the gate spec"},
      {"max_regression = 5\n" + entry, "gate.toml:1:18: max_regression '5' is ambiguous: write 5% for a percentage"},
      {"min_sol = \"ninety\"\n" + entry, "gate.toml:1:11: min_sol 'ninety' is not a percentage"},
      {"[[entry]]\ntemplate = \"rmsnrom\"\nshapes = [\"1x1\"]\n", "gate.toml:2:12: unknown template 'rmsnrom'"},
      {"[[entry]]\ntemplate = \"rmsnorm\"\nshapes = [\"4096x8192\", \"4096\"]\n", "gate.toml:3:24: shape '4096' has 1 dim"},
      {"[[entry]]\ntemplate = \"rmsnorm\"\n", "gate.toml:1:1: missing required key 'shapes'"},
      {entry + "dtype = \"fp64\"\n", "gate.toml:4:9: rmsnorm does not support dtype 'fp64'"},
      {entry + "config = \"VEC=3\"\n", "gate.toml:4:10: config: VEC=3 is not one of its values"},
      {entry + "config = \"THREADS=1024,ROWS=8\"\n", "gate.toml:4:10:"},
      {entry + "max_time_us = { \"1x8192\" = 4.0 }\n", "gate.toml:4:28: max_time_us names shape '1x8192'"},
      {entry + "max_time_us = -1\n", "gate.toml:4:15: max_time_us must be a positive number"},
      {entry + "strategy = \"hillclimb\"\n", "gate.toml:4:12: strategy 'hillclimb' is not one tkbench has"},
      {entry + "colour = \"red\"\n", "gate.toml:4:1: unknown key 'colour' in an [[entry]]"},
      {"min_samples = 5\n" + entry, "gate.toml:1:15: 'min_samples' must be a whole number from 10 to 2000"},
  };
  for (const auto& c : cases) {
    INFO(c.toml);
    CHECK_THROWS_AS(parse_gate_spec(c.toml, "gate.toml", registry()), InputError);
    CHECK_THROWS_WITH(parse_gate_spec(c.toml, "gate.toml", registry()), Contains(c.message));
  }
  CHECK(parse_fraction("5%", "x") == Approx(0.05));
  CHECK(parse_fraction(" 0.05 ", "x") == Approx(0.05));
  CHECK(parse_fraction("1", "x") == 1);
  CHECK_THROWS_WITH(parse_fraction("-1%", "--max-regression"), Contains("--max-regression '-1%' is not a percentage"));
}

// ---- the command ----

TEST_CASE("cli: gate exits 0 on pass - 1 on a regression - 2 on bad or incompatible input", "[gate][cli]") {
  struct Case { std::string args; int exit_code; std::string message; };
  const std::string b = "--baseline " + fixture("baseline.json") + " --no-color --current ";
  const Case cases[] = {
      {b + fixture("baseline.json"), 0, "gate: PASS (6 entries: 6 ok)"},
      {b + fixture("rerun.json"), 0, "gate: PASS"},
      {b + fixture("slower.json"), 1, "gate: FAIL: 3 regression"},
      {b + fixture("noisy.json"), 0, "too noisy to be sure"},
      {b + fixture("faster.json"), 0, "3 improved"},
      {b + fixture("missing.json"), 0, "only in baseline"},
      {b + fixture("missing.json") + " --strict", 1, "FAIL: 2 only in baseline, 1 only in current"},
      {b + fixture("broken.json"), 1, "now wrong_result"},
      {b + fixture("h100.json"), 2, "use --compare sol"},
      {b + fixture("h100.json") + " --compare sol", 0, "gate: PASS"},
      {b + fixture("malformed.json"), 2, "malformed.json: not valid JSON"},
      {b + fixture("wrong_schema.json"), 2, "is not one tkbench reads"},
      {b + fixture("nope.json"), 2, "nope.json: no such file"},
      {b + fixture("rerun.json") + " --min-sol 95%", 1, "below floor"},
      {b + fixture("slower.json") + " --max-regression 15%", 0, "gate: PASS"},
      {b + fixture("rerun.json") + " --max-regression 5", 2, "is ambiguous: write 5%"},
      {b + fixture("rerun.json") + " --compare speed", 2, "speed"},
      {"--baseline " + fixture("baseline.json"), 2, "gate compares --baseline B --current C, or measures --spec"},
      {b + fixture("rerun.json") + " -o x.json", 2, "-o names the document --spec measures"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    auto r = test::run_tkbench("gate " + c.args);
    INFO(r.output);
    CHECK(r.exit_code == c.exit_code);
    CHECK_THAT(r.output, Contains(c.message, Catch::CaseSensitive::No));
  }
}

TEST_CASE("cli: gate writes valid JUnit XML and a Markdown summary and --json", "[gate][cli]") {
  auto dir = test::temp_dir("gate-outputs");
  const std::string args = "gate --baseline " + fixture("baseline.json") + " --current " + fixture("slower.json");
  auto r = test::run_tkbench(args + " --json --junit " + (dir / "junit.xml").string() + " --markdown " + (dir / "summary.md").string());
  CHECK(r.exit_code == 1);
  auto j = nlohmann::json::parse(r.output);
  CHECK(j["passed"] == false);
  CHECK(j["counts"]["regression"] == 3);
  std::ifstream xml_file(dir / "junit.xml");
  const std::string xml((std::istreambuf_iterator<char>(xml_file)), std::istreambuf_iterator<char>());
  CHECK(xml_problem(xml).empty());
  CHECK_THAT(xml, Contains("failures=\"3\""));
  // A real XML parser agrees, where the machine has one.
  if (std::system("command -v python3 > /dev/null 2>&1") == 0) {
    const std::string check = "python3 -c 'import xml.dom.minidom,sys; d=xml.dom.minidom.parse(sys.argv[1]); "
                              "print(len(d.getElementsByTagName(\"testcase\")), len(d.getElementsByTagName(\"failure\")))' " +
                              (dir / "junit.xml").string() + " 2>&1";
    FILE* p = ::popen(check.c_str(), "r");
    char buf[256] = {};
    std::string out = std::fgets(buf, sizeof buf, p) ? buf : "";
    CHECK(::pclose(p) == 0);
    CHECK(out == "6 3\n");
  } else {
    WARN("python3 not found: JUnit XML checked by the built-in checker only");
  }
  std::ifstream md_file(dir / "summary.md");
  const std::string md((std::istreambuf_iterator<char>(md_file)), std::istreambuf_iterator<char>());
  CHECK_THAT(md, StartsWith("**tkbench gate: ❌ FAIL: 3 regression"));
  std::ofstream(dir / "a-file") << "x";
  auto unwritable = test::run_tkbench(args + " --junit " + (dir / "a-file/junit.xml").string());
  CHECK(unwritable.exit_code == 2);
  CHECK_THAT(unwritable.output, Contains("cannot write " + (dir / "a-file/junit.xml").string() + ": " +
                                         (dir / "a-file").string() + " is not a folder"));
  fs::remove_all(dir);
}

TEST_CASE("cli: gate --spec checks the spec first and then needs a GPU", "[gate][cli]") {
  auto dir = test::temp_dir("gate-spec");
  std::ofstream(dir / "bad.toml") << "[[entry]]\ntemplate = \"rmsnorm\"\nshapes = [\"4096x8192\"]\nconfig = \"VEC=3\"\n";
  auto bad = test::run_tkbench("gate --spec " + (dir / "bad.toml").string());
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Contains("bad.toml:4:10: config: VEC=3 is not one of its values"));
  CHECK(test::run_tkbench("gate --spec " + (dir / "none.toml").string()).exit_code == 2);
  std::ofstream(dir / "ok.toml") << "[[entry]]\ntemplate = \"rmsnorm\"\nshapes = [\"4096x8192\"]\nmin_sol = 0.5\n";
  auto both = test::run_tkbench("gate --spec " + (dir / "ok.toml").string() + " --current " + fixture("rerun.json"));
  CHECK(both.exit_code == 2);
  auto bad_baseline = test::run_tkbench("gate --spec " + (dir / "ok.toml").string() + " --baseline " + fixture("malformed.json"));
  CHECK(bad_baseline.exit_code == 2);
  if (probe_devices().devices.empty()) {
    auto r = test::run_tkbench("gate --spec " + (dir / "ok.toml").string() + " -o " + (dir / "run.json").string());
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.output, Contains("no CUDA device found:"));
  }
  fs::remove_all(dir);
}

TEST_CASE("cli: gate --help teaches with examples", "[gate][cli]") {
  auto r = test::run_tkbench("gate --help");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("--baseline") && Contains("--spec") && Contains("--compare") && Contains("Examples:") &&
                           Contains("Exit codes: 0 pass, 1 regression or floor missed, 2 bad or incompatible input"));
  CHECK_THAT(test::run_tkbench("--help").output, Contains("tkbench gate"));
}

TEST_CASE("cli: gate --spec on the GPU - the same build twice passes - VEC=1 forced fails", "[gpu][gate]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  auto dir = test::temp_dir("gpu-gate");
  const std::string env = "XDG_CACHE_HOME=" + (dir / "cache").string();
  // The first run tunes (92 configs) and caches the best: the second measures the same config.
  std::ofstream(dir / "gate.toml") << "[[entry]]\ntemplate = \"rmsnorm_basic\"\nshapes = [\"4096x8192\"]\ndtype = \"bf16\"\n"
                                      "min_sol = 0.5\n";
  std::ofstream(dir / "slowed.toml") << "[[entry]]\ntemplate = \"rmsnorm_basic\"\nshapes = [\"4096x8192\"]\ndtype = \"bf16\"\n"
                                        "config = \"VEC=1,THREADS=256,ROWS=1\"\n";
  auto path = [&](const char* name) { return (dir / name).string(); };
  auto first = test::run_tkbench("gate --spec " + path("gate.toml") + " -o " + path("run1.json"), env);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  auto doc = nlohmann::json::parse(std::ifstream(dir / "run1.json"));
  REQUIRE(doc["results"].size() == 1);
  CHECK(doc["results"][0]["status"] == "ok");
  CHECK(doc["results"][0]["measurement"]["timing"]["samples_us"].size() >= 50);
  CHECK(fs::exists(dir / "run1.tuning.json"));
  auto second = test::run_tkbench("gate --spec " + path("gate.toml") + " --baseline " + path("run1.json") + " -o " +
                                      path("run2.json") + " --junit " + path("junit.xml"),
                                  env);
  INFO(second.output);
  CHECK(second.exit_code == 0);
  CHECK_THAT(second.output, Contains("gate: PASS"));
  std::ifstream xml_file(dir / "junit.xml");
  CHECK(xml_problem(std::string((std::istreambuf_iterator<char>(xml_file)), std::istreambuf_iterator<char>())).empty());
  auto slowed = test::run_tkbench("gate --spec " + path("slowed.toml") + " --baseline " + path("run1.json") + " -o " + path("slow.json"), env);
  INFO(slowed.output);
  CHECK(slowed.exit_code == 1);
  CHECK_THAT(slowed.output, Contains("regression"));
  fs::remove_all(dir);
}
