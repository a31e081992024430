// Search quality, on the CPU: replays recorded exhaustive tuning runs
// (bench/spaces/*.json, results documents) through each strategy over 50 seeds
// and reports how many evaluations each needs to get within 2% of the
// exhaustive optimum. Usage: search_quality [DOCUMENT.json ...]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tuner/result_json.hpp"
#include "tuner/strategy.hpp"
#include "tuner/template_registry.hpp"

using namespace tkbench;

int main(int argc, char** argv) {
  std::vector<std::string> files(argv + 1, argv + argc);
  if (files.empty())
    for (const auto& f : std::filesystem::directory_iterator("bench/spaces"))
      if (f.path().extension() == ".json") files.push_back(f.path().string());
  std::sort(files.begin(), files.end());
  auto registry = TemplateRegistry::load({});
  const int kSeeds = 50;
  std::printf("%-44s %6s  %-8s %12s %10s %12s\n", "recorded space", "size", "strategy", "median evals", "% of space", "worst (p90)");
  for (const auto& file : files) {
    auto doc = nlohmann::ordered_json::parse(std::ifstream(file));
    std::map<std::string, double> cost;
    std::optional<Problem> problem;
    std::string template_name;
    for (const auto& j : doc.at("results")) {
      Result r = result_from_json(j);
      template_name = r.template_name;
      problem = r.problem;
      cost[r.config.str()] = r.status == Status::ok && r.measurement && r.measurement->timing ? r.measurement->timing->median_us
                                                                                               : INFINITY;
    }
    const TemplateSpec& spec = registry.get(template_name);
    SearchSpace space(spec, *problem);
    double optimum = INFINITY;
    for (const auto& [k, v] : cost) optimum = std::min(optimum, v);
    const std::size_t size = space.enumerate().size();
    for (const std::string name : {"random", "anneal", "genetic", "bayes"}) {
      std::vector<int> needed;
      for (int seed = 1; seed <= kSeeds; ++seed) {
        auto strategy = make_strategy(name, space, {}, size, static_cast<std::uint64_t>(seed));
        int evaluations = 0;
        bool found = false;
        // As the tune loop: up to lookahead() configs in flight, the oldest
        // evaluated and observed first, then the queue refilled.
        std::deque<Config> inflight;
        bool exhausted = false;
        while (!found) {
          while (!exhausted && inflight.size() < std::min<std::size_t>(strategy->lookahead(), 32)) {
            auto batch = strategy->propose(std::min<std::size_t>(strategy->lookahead(), 32) - inflight.size());
            if (batch.empty()) exhausted = true;
            for (auto& c : batch) inflight.push_back(c);
          }
          if (inflight.empty()) break;
          Config c = inflight.front();
          inflight.pop_front();
          Result r = Result::for_config(spec, *problem, c);
          auto it = cost.find(c.str());
          double us = it == cost.end() ? INFINITY : it->second;
          if (std::isfinite(us)) {
            r.status = Status::ok;
            Measurement m;
            m.verification.passed = true;
            TimingStats t;
            t.median_us = us;
            m.timing = t;
            r.measurement = m;
          } else {
            r.status = Status::fault;
          }
          strategy->observe(r);
          ++evaluations;
          if (us <= 1.02 * optimum) found = true;
        }
        needed.push_back(found ? evaluations : static_cast<int>(size));
      }
      std::sort(needed.begin(), needed.end());
      double median = needed[needed.size() / 2];
      std::printf("%-44s %6zu  %-8s %12.0f %9.1f%% %12d\n", std::filesystem::path(file).filename().c_str(), size, name.c_str(),
                  median, 100.0 * median / static_cast<double>(size), needed[needed.size() * 9 / 10]);
    }
  }
  return 0;
}
