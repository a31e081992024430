#pragma once
// Search strategies behind one small interface: propose configs, observe
// results. exhaustive (every valid config, in order), random (a seeded
// sample), anneal (simulated annealing over neighbouring parameter values) and
// genetic (a population bred from the best) and bayes (a Gaussian-process
// surrogate with expected improvement). Adaptive ones decide their next
// proposals from what they have observed, so propose in small batches.
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
  // How many configs may be in flight (proposed, not yet observed) before the
  // strategy's next proposals stop benefiting from results: unlimited for
  // fixed lists; a few for adaptive strategies, or they search blind.
  virtual std::size_t lookahead() const { return SIZE_MAX; }
};

// "exhaustive", "random", "anneal", "genetic" or "bayes". `budget`: the most configs that will be asked for
// (random samples that many). Throws InputError for an unknown name.
std::unique_ptr<Strategy> make_strategy(const std::string& name, const SearchSpace& space, const ConfigFilter& filter,
                                        std::size_t budget, std::uint64_t seed);
const std::vector<std::string>& strategy_names();

}  // namespace tkbench
