// Search quality, on the CPU: replays recorded exhaustive tuning runs
// (bench/spaces/*.json, results documents) through each strategy over 50 seeds
// and reports how many evaluations each needs to get within 2% and 3% of the
// exhaustive optimum. For a template with a [model]: how well the model's
// ranking agrees with the measured one (Spearman's rho, where the measured
// best lands in the model's order), the model strategy, and each adaptive
// strategy with the model (started from its best-ranked configs) and without
// it ("-nomodel": random starts, as before the model).
// Usage: search_quality [--model-only] [DOCUMENT.json ...]
// --model-only: the model's agreement alone, for documents that hold only part
// of a space (a bayes tune's results), where replaying strategies means little.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tuner/model_ranking.hpp"
#include "tuner/result_json.hpp"
#include "tuner/strategy.hpp"
#include "tuner/template_registry.hpp"

using namespace tkbench;

namespace {

struct Needed {
  int within2 = 0, within3 = 0;  // evaluations until a config within 2% (3%) of the optimum was seen
};

// As the tune loop: up to lookahead() configs in flight, the oldest evaluated
// and observed first, then the queue refilled. Unrecorded configs count as failed.
Needed replay(Strategy& strategy, const TemplateSpec& spec, const Problem& problem,
              const std::map<std::string, double>& cost, double optimum, std::size_t size) {
  Needed out{static_cast<int>(size), static_cast<int>(size)};
  int evaluations = 0;
  bool found3 = false;
  std::deque<Config> inflight;
  bool exhausted = false;
  const std::size_t window = std::min<std::size_t>(strategy.lookahead(), 32);
  while (true) {
    while (!exhausted && inflight.size() < window) {
      auto batch = strategy.propose(window - inflight.size());
      if (batch.empty()) exhausted = true;
      for (auto& c : batch) inflight.push_back(c);
    }
    if (inflight.empty()) break;
    Config c = inflight.front();
    inflight.pop_front();
    Result r = Result::for_config(spec, problem, c);
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
    strategy.observe(r);
    ++evaluations;
    if (!found3 && us <= 1.03 * optimum) {
      found3 = true;
      out.within3 = evaluations;
    }
    if (us <= 1.02 * optimum) {
      out.within2 = evaluations;
      break;
    }
  }
  return out;
}

// Ranks with ties averaged, for Spearman's rho.
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = (static_cast<double>(i) + static_cast<double>(j)) / 2.0;
    i = j + 1;
  }
  return r;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  auto rx = ranks(x), ry = ranks(y);
  const double n = static_cast<double>(x.size());
  const double mean = (n - 1) / 2;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

// How well the [model] ranks the measured configs.
void print_model_agreement(const TemplateSpec& spec, const Problem& problem, const std::vector<Config>& valid,
                           const std::map<std::string, double>& cost, double optimum) {
  std::vector<double> predicted, measured;
  std::vector<Config> measured_configs;
  for (const auto& c : valid) {
    auto it = cost.find(c.str());
    if (it == cost.end() || !std::isfinite(it->second)) continue;
    predicted.push_back(*predicted_cost(spec, problem, c));
    measured.push_back(it->second);
    measured_configs.push_back(c);
  }
  if (measured.size() < 3) return;
  const auto order = rank_by_model(spec, problem, measured_configs);
  std::size_t best_at = 0, within3_at = order.size();
  for (std::size_t i = 0; i < order.size(); ++i) {
    const double us = cost.at(order[i].str());
    if (us == optimum) best_at = i + 1;
    if (us <= 1.03 * optimum && within3_at == order.size()) within3_at = i + 1;
  }
  std::printf("  model: Spearman rho %.3f over %zu measured configs; the measured best is the model's #%zu, the first "
              "within 3%% its #%zu; the model's #1 measures %.1f%% over the best\n",
              spearman(predicted, measured), measured.size(), best_at, within3_at,
              100.0 * (cost.at(order.front().str()) / optimum - 1));
  // Which configs those are, so a mis-ranking can be traced to a term of the model.
  std::printf("    model's #1  %9.2f us  %s\n", cost.at(order.front().str()), order.front().str().c_str());
  if (best_at > 0) std::printf("    best        %9.2f us  %s\n", optimum, order[best_at - 1].str().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files(argv + 1, argv + argc);
  const bool model_only = !files.empty() && files.front() == "--model-only";
  if (model_only) files.erase(files.begin());
  if (files.empty())
    for (const auto& f : std::filesystem::directory_iterator("bench/spaces"))
      if (f.path().extension() == ".json") files.push_back(f.path().string());
  std::sort(files.begin(), files.end());
  // TKBENCH_TEMPLATE_PATH as the CLI reads it: a copy of a manifest there (its
  // [model] changed, say) shadows the built-in one, so a variant is scored without rebuilding.
  auto registry = TemplateRegistry::load(TemplateRegistry::user_template_dirs({}));
  const int kSeeds = 50;
  std::printf("%-44s %6s  %-16s %14s %10s %12s %14s\n", "recorded space", "size", "strategy", "median to 2%",
              "% of space", "worst (p90)", "median to 3%");
  // One recorded space per template, shape and dtype: a document of several
  // shapes (a tune of many) holds several, and a config's time at one shape
  // says nothing of it at another.
  struct Recorded {
    std::string name, template_name;
    Problem problem;
    std::map<std::string, double> cost;
  };
  std::vector<Recorded> recorded;
  for (const auto& file : files) {
    auto doc = nlohmann::ordered_json::parse(std::ifstream(file));
    std::map<std::string, std::size_t> index;  // template, shape, dtype -> its place in `recorded`
    const std::size_t first = recorded.size();
    for (const auto& j : doc.at("results")) {
      Result r = result_from_json(j);
      const std::string key = r.template_name + " " + r.problem.shape_str() + " " + std::string(dtype_info(r.problem.dtype).name);
      auto [it, fresh] = index.try_emplace(key, recorded.size());
      if (fresh) recorded.push_back({std::filesystem::path(file).filename().string(), r.template_name, r.problem, {}});
      recorded[it->second].cost[r.config.str()] =
          r.status == Status::ok && r.measurement && r.measurement->timing ? r.measurement->timing->median_us : INFINITY;
    }
    if (recorded.size() - first > 1)
      for (std::size_t i = first; i < recorded.size(); ++i) recorded[i].name += " " + recorded[i].problem.shape_str();
  }
  for (const Recorded& rec : recorded) {
    const std::string& template_name = rec.template_name;
    const std::map<std::string, double>& cost = rec.cost;
    const Problem& problem = rec.problem;
    const TemplateSpec& spec = registry.get(template_name);
    TemplateSpec without_model = spec;
    without_model.model.reset();
    SearchSpace space(spec, problem), plain_space(without_model, problem);
    const auto valid = space.enumerate();
    double optimum = INFINITY;  // of the space as the manifest now prunes it
    for (const auto& c : valid)
      if (auto it = cost.find(c.str()); it != cost.end()) optimum = std::min(optimum, it->second);
    const std::size_t size = valid.size();
    const std::string& name_of_space = rec.name;
    std::vector<std::string> names = {"random"};
    if (spec.model) names.push_back("model");
    for (const std::string adaptive : {"anneal", "genetic", "bayes"}) {
      names.push_back(adaptive);
      if (spec.model) names.push_back(adaptive + "-nomodel");
    }
    if (model_only) {
      std::printf("%s (%zu of %zu valid configs recorded)\n", name_of_space.c_str(), cost.size(), size);
      names.clear();
    }
    for (const auto& name : names) {
      const bool nomodel = name.size() > 8 && name.substr(name.size() - 8) == "-nomodel";
      const std::string strategy = nomodel ? name.substr(0, name.size() - 8) : name;
      const SearchSpace& in = nomodel ? plain_space : space;
      const int seeds = strategy == "model" ? 1 : kSeeds;  // the model's order has no seed
      std::vector<int> to2, to3;
      for (int seed = 1; seed <= seeds; ++seed) {
        auto s = make_strategy(strategy, in, {}, size, static_cast<std::uint64_t>(seed));
        Needed n = replay(*s, in.spec(), problem, cost, optimum, size);
        to2.push_back(n.within2);
        to3.push_back(n.within3);
      }
      std::sort(to2.begin(), to2.end());
      std::sort(to3.begin(), to3.end());
      const double median = to2[to2.size() / 2];
      std::printf("%-44s %6zu  %-16s %14.0f %9.1f%% %12d %14d\n", name_of_space.c_str(), size, name.c_str(), median,
                  100.0 * median / static_cast<double>(size), to2[to2.size() * 9 / 10], to3[to3.size() / 2]);
    }
    if (spec.model) print_model_agreement(spec, problem, valid, cost, optimum);
  }
  return 0;
}
