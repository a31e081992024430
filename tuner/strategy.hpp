#pragma once
// Search strategies behind one small interface: propose configs, observe
// results. exhaustive (every valid config, in order), random (a seeded
// sample), model (every valid config in the order of the template's [model],
// cheapest predicted first), anneal (simulated annealing over neighbouring
// parameter values), genetic (a population bred from the best) and bayes (a
// Gaussian-process surrogate with expected improvement). Adaptive ones decide
// their next proposals from what they have observed, so propose in small
// batches; with a template [model] they start from its best-ranked configs
// instead of random ones (model_ranking.hpp).
#include <cstdint>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "tuner/result.hpp"
#include "tuner/search_space.hpp"

namespace tkbench {

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Up to `count` configs not proposed before; empty when the strategy is done.
  virtual std::vector<Config> propose(std::size_t count) = 0;
  virtual void observe(const Result& result) { (void)result; }
  // A result from an earlier run of the same search (a resumed journal): it
  // counts as proposed and observed, so it is neither proposed again nor
  // lost to the model.
  virtual void already_evaluated(const Result& result) = 0;
  // Configs the strategy would likely propose next, not yet proposed and not
  // marked as such: the tune loop compiles them ahead while the GPU measures.
  virtual std::vector<Config> likely_next(std::size_t count) { (void)count; return {}; }
  // How many configs may be in flight (proposed, not yet observed) before the
  // strategy's next proposals stop benefiting from results: unlimited for
  // fixed lists; a few for adaptive strategies, or they search blind.
  virtual std::size_t lookahead() const { return SIZE_MAX; }
};

// Which search a tune runs at one shape and how many configs it evaluates at
// most: what the user asked for, else exhaustive for spaces of up to
// kExhaustiveUpTo valid configs and kDefaultStrategy with kDefaultBudget
// beyond, the pair bench/search_quality found best on the recorded spaces.
struct SearchPlan {
  std::string strategy;
  std::size_t budget = 0;
};
inline constexpr std::size_t kExhaustiveUpTo = 256;
inline constexpr const char* kDefaultStrategy = "bayes";
inline constexpr std::size_t kDefaultBudget = 150;
// `strategy` empty and `budget` 0 mean "not given".
SearchPlan plan_search(const std::string& strategy, std::size_t budget, std::size_t valid_configs);

// "exhaustive", "random", "model", "anneal", "genetic" or "bayes" ("model" needs a template [model]). `budget`: the most configs that will be asked for
// (random samples that many). Throws InputError for an unknown name.
std::unique_ptr<Strategy> make_strategy(const std::string& name, const SearchSpace& space, const ConfigFilter& filter,
                                        std::size_t budget, std::uint64_t seed);
const std::vector<std::string>& strategy_names();
// Hands out `configs` in order, skipping those already evaluated (a --shard's part of a fixed list).
std::unique_ptr<Strategy> make_list_strategy(std::vector<Config> configs);

}  // namespace tkbench
