#include "tuner/shard.hpp"

#include <fmt/format.h>

#include "tuner/errors.hpp"

namespace tkbench {

Shard parse_shard(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return InputError(fmt::format("--shard '{}': {}; give i/N with 0 <= i < N, e.g. --shard 0/4 ... --shard 3/4 "
                                  "(a Slurm array: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)", text, why));
  };
  const auto slash = text.find('/');
  if (slash == std::string::npos) throw bad("no '/'");
  auto number = [&](const std::string& part) -> std::size_t {
    if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos)
      throw bad("'" + part + "' is not a whole number");
    return std::stoul(part);
  };
  Shard s{number(text.substr(0, slash)), number(text.substr(slash + 1))};
  if (s.count == 0) throw bad("N must be at least 1");
  if (s.index >= s.count) throw bad(fmt::format("i must be below N (shards are numbered 0 to {})", s.count - 1));
  return s;
}

bool shardable_strategy(const std::string& strategy) { return strategy == "exhaustive" || strategy == "random"; }

std::vector<Config> configs_of_shard(const std::vector<Config>& sequence, const Shard& shard) {
  std::vector<Config> mine;
  for (std::size_t i = 0; i < sequence.size(); ++i)
    if (shard.owns(i)) mine.push_back(sequence[i]);
  return mine;
}

}  // namespace tkbench
