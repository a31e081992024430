#include "tuner/strategy.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tkbench {
namespace {

// Hands out a fixed list in order: exhaustive (odometer order) and random
// (a seeded sample) differ only in the list.
class ListStrategy : public Strategy {
 public:
  explicit ListStrategy(std::vector<Config> configs) : configs_(std::move(configs)) {}
  std::vector<Config> propose(std::size_t count) override {
    std::vector<Config> out;
    while (next_ < configs_.size() && out.size() < count) out.push_back(configs_[next_++]);
    return out;
  }

 private:
  std::vector<Config> configs_;
  std::size_t next_ = 0;
};

}  // namespace

const std::vector<std::string>& strategy_names() {
  static const std::vector<std::string> names = {"exhaustive", "random"};
  return names;
}

std::unique_ptr<Strategy> make_strategy(const std::string& name, const SearchSpace& space, const ConfigFilter& filter,
                                        std::size_t budget, std::uint64_t seed) {
  if (name == "exhaustive") return std::make_unique<ListStrategy>(space.enumerate(filter));
  if (name == "random") return std::make_unique<ListStrategy>(space.sample(budget, seed, filter));
  std::string names;
  for (const auto& n : strategy_names()) names += (names.empty() ? "" : ", ") + n;
  throw InputError(fmt::format("--strategy '{}' is not one tkbench has; available: {}", name, names));
}

}  // namespace tkbench
