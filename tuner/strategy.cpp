#include "tuner/strategy.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <limits>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>

#include "tuner/model_ranking.hpp"

namespace tkbench {
namespace {

// Hands out a fixed list in order: exhaustive (odometer order) and random
// (a seeded sample) differ only in the list.
class ListStrategy : public Strategy {
 public:
  explicit ListStrategy(std::vector<Config> configs) : configs_(std::move(configs)) {}
  std::vector<Config> propose(std::size_t count) override {
    std::vector<Config> out;
    while (next_ < configs_.size() && out.size() < count) {
      const Config& c = configs_[next_++];
      if (!done_.count(c.str())) out.push_back(c);
    }
    return out;
  }
  void already_evaluated(const Result& result) override { done_.insert(result.config.str()); }

 private:
  std::vector<Config> configs_;
  std::size_t next_ = 0;
  std::set<std::string> done_;  // evaluated by an earlier run: skipped
};

// Lower is better; configs that failed cost infinity.
double cost_of(const Result& r) {
  if (r.status != Status::ok || !r.measurement || !r.measurement->timing) return std::numeric_limits<double>::infinity();
  return r.measurement->timing->median_us;
}

// Shared by the adaptive strategies: the valid configs, what was proposed and
// what each cost, and moves in parameter space.
class AdaptiveBase : public Strategy {
 public:
  AdaptiveBase(const SearchSpace& space, const ConfigFilter& filter, std::uint64_t seed)
      : valid_(space.enumerate(filter)), rng_(seed) {
    for (std::size_t i = 0; i < valid_.size(); ++i) index_[valid_[i].str()] = i;
    for (const auto& p : space.spec().params) values_.push_back(p.values);
    if (space.spec().model) {
      for (const auto& c : valid_) model_log_cost_.push_back(std::log(*predicted_cost(space.spec(), space.problem(), c)));
      model_order_.resize(valid_.size());
      std::iota(model_order_.begin(), model_order_.end(), 0);
      std::stable_sort(model_order_.begin(), model_order_.end(),
                       [&](std::size_t a, std::size_t b) { return model_log_cost_[a] < model_log_cost_[b]; });
    }
  }
  void observe(const Result& r) override { costs_[r.config.str()] = cost_of(r); }
  void already_evaluated(const Result& r) override {
    if (!is_valid(r.config)) return;  // a config of another --config filter or space version
    mark(r.config);
    observe(r);
  }
  std::size_t lookahead() const override { return 4; }

 protected:
  bool is_valid(const Config& c) const { return index_.count(c.str()) > 0; }
  bool proposed(const Config& c) const { return proposed_.count(c.str()) > 0; }
  bool exhausted() const { return proposed_.size() >= valid_.size(); }
  void mark(const Config& c) { proposed_.insert(c.str()); }
  double cost(const Config& c) const {
    auto it = costs_.find(c.str());
    return it == costs_.end() ? std::numeric_limits<double>::infinity() : it->second;
  }
  // Where a search starts: the [model]'s best-ranked unproposed config that
  // differs from every config proposed so far in at least two parameters
  // (a start set spread over the space, not one tile with four GROUP_M
  // values); the best unproposed when none does; a random one without a model.
  Config start_config() {
    if (model_order_.empty()) return random_unproposed();
    std::optional<std::size_t> fallback;
    for (std::size_t i : model_order_) {
      if (proposed(valid_[i])) continue;
      if (!fallback) fallback = i;
      bool spread = std::all_of(proposed_.begin(), proposed_.end(), [&](const std::string& key) {
        return differing_params(valid_[i], valid_[index_.at(key)]) >= 2;
      });
      if (spread) return valid_[i];
    }
    return valid_[*fallback];
  }
  static std::size_t differing_params(const Config& a, const Config& b) {
    std::size_t n = 0;
    for (std::size_t p = 0; p < a.values.size(); ++p) n += a.values[p].second != b.values[p].second;
    return n;
  }
  Config random_unproposed() {
    std::vector<std::size_t> left;
    for (std::size_t i = 0; i < valid_.size(); ++i)
      if (!proposed(valid_[i])) left.push_back(i);
    return valid_[left[std::uniform_int_distribution<std::size_t>(0, left.size() - 1)(rng_)]];
  }
  // Valid configs one step away: one parameter moved to a neighbouring value in its list.
  std::vector<Config> neighbours(const Config& c) const {
    std::vector<Config> out;
    for (std::size_t p = 0; p < c.values.size(); ++p) {
      const auto& list = values_[p];
      auto at = std::find(list.begin(), list.end(), c.values[p].second) - list.begin();
      for (long step : {-1L, 1L}) {
        long j = at + step;
        if (j < 0 || j >= static_cast<long>(list.size())) continue;
        Config n = c;
        n.values[p].second = list[static_cast<std::size_t>(j)];
        if (is_valid(n)) out.push_back(n);
      }
    }
    return out;
  }

  std::vector<Config> valid_;
  std::map<std::string, std::size_t> index_;
  std::vector<std::vector<long long>> values_;
  std::set<std::string> proposed_;
  std::map<std::string, double> costs_;
  std::mt19937_64 rng_;
  std::vector<std::size_t> model_order_;  // indices into valid_, the [model]'s best first; empty without one
  std::vector<double> model_log_cost_;    // per valid_ config: log of the predicted cost
};

// Simulated annealing: walk to neighbours, accept worse ones with a
// probability that shrinks as the temperature falls; restart at random when
// every neighbour has been seen.
class AnnealStrategy : public AdaptiveBase {
 public:
  using AdaptiveBase::AdaptiveBase;
  std::vector<Config> likely_next(std::size_t count) override {  // the walker's unseen neighbours
    std::vector<Config> out;
    if (current_)
      for (const auto& n : neighbours(*current_))
        if (!proposed(n) && out.size() < count) out.push_back(n);
    return out;
  }
  std::vector<Config> propose(std::size_t count) override {
    std::vector<Config> out;
    // Move the walker using what has been observed since the last call.
    if (current_ && candidate_) {
      double now = cost(*current_), next = cost(*candidate_);
      double t = std::max(0.02, std::pow(0.93, static_cast<double>(steps_++)));  // relative temperature
      bool accept = next < now ||
                    (std::isfinite(next) && std::uniform_real_distribution<double>(0, 1)(rng_) < std::exp(-(next / now - 1) / t));
      if (accept) current_ = candidate_;
      candidate_.reset();
    }
    while (out.size() < count && !exhausted()) {
      if (!current_) {
        current_ = start_config();
        mark(*current_);
        out.push_back(*current_);
        continue;
      }
      std::vector<Config> fresh;
      for (const auto& n : neighbours(*current_))
        if (!proposed(n)) fresh.push_back(n);
      if (fresh.empty()) {  // a local optimum fully explored: restart elsewhere
        current_ = random_unproposed();
        mark(*current_);
        out.push_back(*current_);
        continue;
      }
      Config pick = fresh[std::uniform_int_distribution<std::size_t>(0, fresh.size() - 1)(rng_)];
      mark(pick);
      out.push_back(pick);
      if (!candidate_) candidate_ = pick;  // the walker's next step; extra picks widen the batch
    }
    return out;
  }

 private:
  std::optional<Config> current_, candidate_;
  int steps_ = 0;
};

// Genetic search: a population of valid configs; each generation keeps the
// better half, breeds children by uniform crossover plus one mutation, and
// fills gaps with random configs.
class GeneticStrategy : public AdaptiveBase {
 public:
  GeneticStrategy(const SearchSpace& space, const ConfigFilter& filter, std::uint64_t seed)
      : AdaptiveBase(space, filter, seed) {
    population_size_ = std::clamp<std::size_t>(valid_.size() / 12, 6, 16);
  }
  std::vector<Config> likely_next(std::size_t count) override {  // the rest of the generation bred
    return {pending_.rbegin(), pending_.rbegin() + static_cast<long>(std::min(count, pending_.size()))};
  }
  std::vector<Config> propose(std::size_t count) override {
    std::vector<Config> out;
    while (out.size() < count && !exhausted()) {
      if (pending_.empty()) breed();
      if (pending_.empty()) break;
      out.push_back(pending_.back());
      pending_.pop_back();
    }
    return out;
  }

 private:
  void breed() {
    std::vector<Config> parents;
    for (const auto& [key, c] : costs_) {
      (void)c;
      parents.push_back(valid_[index_.at(key)]);
    }
    std::sort(parents.begin(), parents.end(), [&](const Config& a, const Config& b) { return cost(a) < cost(b); });
    while (!parents.empty() && !std::isfinite(cost(parents.back()))) parents.pop_back();
    parents.resize(std::min(parents.size(), population_size_ / 2));
    std::vector<Config> children;
    int attempts = 0;
    while (children.size() < population_size_ && attempts++ < 200 && !exhausted()) {
      Config child;
      if (parents.size() >= 2) {
        const Config& a = parents[std::uniform_int_distribution<std::size_t>(0, parents.size() - 1)(rng_)];
        const Config& b = parents[std::uniform_int_distribution<std::size_t>(0, parents.size() - 1)(rng_)];
        child = a;
        for (std::size_t p = 0; p < child.values.size(); ++p)
          if (rng_() & 1) child.values[p].second = b.values[p].second;
        auto near = neighbours(child);
        if (!near.empty() && (rng_() % 3 == 0 || !is_valid(child) || proposed(child)))
          child = near[std::uniform_int_distribution<std::size_t>(0, near.size() - 1)(rng_)];
      } else {
        child = start_config();  // the first generation: the model's best, spread out
      }
      if (!is_valid(child) || proposed(child)) continue;
      mark(child);
      children.push_back(child);
    }
    while (children.size() < population_size_ && !exhausted()) {
      Config c = random_unproposed();
      mark(c);
      children.push_back(c);
    }
    std::reverse(children.begin(), children.end());  // proposed from the back: the first bred goes first
    pending_ = std::move(children);
  }

  std::size_t population_size_;
  std::vector<Config> pending_;
};

// Bayesian optimisation: a Gaussian process over the parameters' positions in
// their value lists (RBF kernel) models log(time); the next configs are those
// with the highest expected improvement over the best seen. Failed configs
// count as 1.5x the slowest working one, so the model learns to avoid them.
// With a template [model], the first configs are its best ranked, and the
// process models what the [model] leaves unexplained: its prior mean is
// a + b * log(predicted cost), a and b fitted to the observations.
//
// The model grows by one observation at a time, so it is kept factored
// instead of refitted: the Cholesky factor L of the observations' kernel
// matrix gains a row, and each candidate's v = L^-1 k(X, x) gains one
// element. A proposal then costs O(n) per candidate instead of O(n^2).
class BayesStrategy : public AdaptiveBase {
 public:
  BayesStrategy(const SearchSpace& space, const ConfigFilter& filter, std::uint64_t seed)
      : AdaptiveBase(space, filter, seed), v_(valid_.size()), v_norm2_(valid_.size(), 0.0) {
    for (const auto& c : valid_) positions_.push_back(position(c));
  }
  void observe(const Result& r) override {
    auto it = index_.find(r.config.str());
    if (it == index_.end()) return;  // not in this space: nothing to learn
    const bool known = costs_.count(r.config.str()) > 0;
    AdaptiveBase::observe(r);
    if (!known) add_to_model(it->second);
  }
  std::vector<Config> propose(std::size_t count) override {
    std::vector<Config> out;
    while (out.size() < count && !exhausted()) {
      ranking_.clear();
      if (costs_.size() >= kInitial) ranking_ = ranked_by_expected_improvement();
      Config next = ranking_.empty() ? start_config() : valid_[ranking_.front()];
      mark(next);
      out.push_back(next);
    }
    return out;
  }
  // The runners-up of the last proposal's ranking: what the next proposals
  // will most likely be once the results in flight are in.
  std::vector<Config> likely_next(std::size_t count) override {
    std::vector<Config> out;
    for (std::size_t c : ranking_) {
      if (out.size() >= count) break;
      if (!proposed(valid_[c])) out.push_back(valid_[c]);
    }
    return out;
  }

 private:
  static constexpr std::size_t kInitial = 6;
  static constexpr double kLengthScale = 0.3, kNoise = 1e-3, kExploration = 0.01;

  std::vector<double> position(const Config& c) const {
    std::vector<double> x;
    for (std::size_t p = 0; p < c.values.size(); ++p) {
      const auto& list = values_[p];
      auto at = std::find(list.begin(), list.end(), c.values[p].second) - list.begin();
      x.push_back(list.size() > 1 ? static_cast<double>(at) / static_cast<double>(list.size() - 1) : 0.0);
    }
    return x;
  }
  double kernel(std::size_t a, std::size_t b) const {
    const auto& x = positions_[a];
    const auto& y = positions_[b];
    double d2 = 0;
    for (std::size_t i = 0; i < x.size(); ++i) d2 += (x[i] - y[i]) * (x[i] - y[i]);
    return std::exp(-d2 / (2 * kLengthScale * kLengthScale));
  }

  // Valid config `o` joins the observations: L's new row is v_[o] (already
  // L^-1 k(X, x_o)) with the diagonal that completes K + noise I, and every
  // candidate's v gains the element for x_o.
  void add_to_model(std::size_t o) {
    const std::size_t n = observed_.size();
    std::vector<double> row = v_[o];
    const double diagonal = std::sqrt(std::max(1.0 + kNoise - v_norm2_[o], 1e-12));
    row.push_back(diagonal);
    for (std::size_t c = 0; c < valid_.size(); ++c) {
      double sum = kernel(c, o);
      const std::vector<double>& v = v_[c];
      for (std::size_t i = 0; i < n; ++i) sum -= row[i] * v[i];
      const double element = sum / diagonal;
      v_[c].push_back(element);
      v_norm2_[c] += element * element;
    }
    L_.push_back(std::move(row));
    observed_.push_back(o);
  }

  // Indices into valid_ of the unproposed configs, highest expected improvement first.
  std::vector<std::size_t> ranked_by_expected_improvement() const {
    // Training data: standardised log times; failures penalised.
    const std::size_t n = observed_.size();
    std::vector<double> ys(n);
    double worst = -INFINITY;
    for (const auto& [key, c] : costs_)
      if (std::isfinite(c)) worst = std::max(worst, std::log(c));
    for (std::size_t i = 0; i < n; ++i) {
      const double c = costs_.at(valid_[observed_[i]].str());
      ys[i] = std::isfinite(c) ? std::log(c) : (std::isfinite(worst) ? worst + std::log(1.5) : 0.0);
    }
    double mean = 0, var = 0;
    for (double y : ys) mean += y / static_cast<double>(n);
    for (double y : ys) var += (y - mean) * (y - mean) / static_cast<double>(n);
    const double scale = var > 0 ? std::sqrt(var) : 1.0;
    for (double& y : ys) y = (y - mean) / scale;
    const double best = *std::min_element(ys.begin(), ys.end());
    const auto [prior_a, prior_b] = fitted_prior(ys);
    auto prior = [&](std::size_t c) { return model_log_cost_.empty() ? 0.0 : prior_a + prior_b * model_log_cost_[c]; };
    for (std::size_t i = 0; i < n; ++i) ys[i] -= prior(observed_[i]);
    // z = L^-1 y; then each candidate's mean is v . z and its variance 1 - |v|^2.
    std::vector<double> z(n);
    for (std::size_t i = 0; i < n; ++i) {
      double sum = ys[i];
      for (std::size_t k = 0; k < i; ++k) sum -= L_[i][k] * z[k];
      z[i] = sum / L_[i][i];
    }
    std::vector<std::pair<double, std::size_t>> scored;  // (-EI, index): ascending is best first
    for (std::size_t c = 0; c < valid_.size(); ++c) {
      if (proposed(valid_[c])) continue;
      double mu = prior(c);
      for (std::size_t i = 0; i < n; ++i) mu += v_[c][i] * z[i];
      const double sigma = std::sqrt(std::max(1.0 - v_norm2_[c], 1e-12));
      const double gain = best - mu - kExploration;
      const double t = gain / sigma;
      const double ei = gain * 0.5 * std::erfc(-t / std::sqrt(2.0)) + sigma * std::exp(-0.5 * t * t) / std::sqrt(2 * M_PI);
      scored.emplace_back(-ei, c);
    }
    std::sort(scored.begin(), scored.end());  // ties keep valid_'s order
    std::vector<std::size_t> out;
    for (const auto& [score, c] : scored) out.push_back(c);
    return out;
  }

  // Least squares y ~ a + b * log(predicted cost) over the observations,
  // b kept in [0, 2 / spread] so a model that disagrees with the measurements
  // fades to a flat prior instead of steering away from good configs.
  std::pair<double, double> fitted_prior(const std::vector<double>& ys) const {
    const std::size_t n = ys.size();
    if (model_log_cost_.empty() || n < 3) return {0.0, 0.0};
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < n; ++i) {
      mx += model_log_cost_[observed_[i]] / static_cast<double>(n);
      my += ys[i] / static_cast<double>(n);
    }
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double dx = model_log_cost_[observed_[i]] - mx;
      sxx += dx * dx;
      sxy += dx * (ys[i] - my);
    }
    if (sxx <= 1e-12) return {0.0, 0.0};
    const double b = std::clamp(sxy / sxx, 0.0, 2.0 / std::sqrt(sxx / static_cast<double>(n)));
    return {my - b * mx, b};
  }

  std::vector<std::vector<double>> positions_;  // of valid_[i]
  std::vector<std::size_t> observed_;           // indices into valid_, in the order observed
  std::vector<std::vector<double>> L_;          // Cholesky factor of K(observed) + noise I, row by row
  std::vector<std::vector<double>> v_;          // per valid config: L^-1 k(observed, x)
  std::vector<double> v_norm2_;                 // |v|^2
  std::vector<std::size_t> ranking_;            // of the last proposal
};

}  // namespace

SearchPlan plan_search(const std::string& strategy, std::size_t budget, std::size_t valid) {
  SearchPlan plan;
  plan.strategy = !strategy.empty() ? strategy : valid <= kExhaustiveUpTo ? "exhaustive" : kDefaultStrategy;
  plan.budget = budget ? budget : plan.strategy == "exhaustive" ? valid : std::min(kDefaultBudget, valid);
  return plan;
}

const std::vector<std::string>& strategy_names() {
  static const std::vector<std::string> names = {"exhaustive", "random", "model", "anneal", "genetic", "bayes"};
  return names;
}

std::unique_ptr<Strategy> make_list_strategy(std::vector<Config> configs) {
  return std::make_unique<ListStrategy>(std::move(configs));
}

std::unique_ptr<Strategy> make_strategy(const std::string& name, const SearchSpace& space, const ConfigFilter& filter,
                                        std::size_t budget, std::uint64_t seed) {
  if (name == "exhaustive") return std::make_unique<ListStrategy>(space.enumerate(filter));
  if (name == "random") return std::make_unique<ListStrategy>(space.sample(budget, seed, filter));
  if (name == "model") {
    if (!space.spec().model)
      throw InputError(fmt::format("--strategy model ranks configs by the template's [model], and {} has none; add a "
                                   "[model] section (docs/templates.md) or choose another strategy",
                                   space.spec().name));
    return std::make_unique<ListStrategy>(rank_by_model(space.spec(), space.problem(), space.enumerate(filter)));
  }
  if (name == "anneal") return std::make_unique<AnnealStrategy>(space, filter, seed);
  if (name == "genetic") return std::make_unique<GeneticStrategy>(space, filter, seed);
  if (name == "bayes") return std::make_unique<BayesStrategy>(space, filter, seed);
  std::string names;
  for (const auto& n : strategy_names()) names += (names.empty() ? "" : ", ") + n;
  throw InputError(fmt::format("--strategy '{}' is not one tkbench has; available: {}", name, names));
}

}  // namespace tkbench
