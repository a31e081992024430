#pragma once
// `tune --shard i/N`: one of N disjoint parts of a search, for running a
// large space as N jobs (a Slurm array) and merging their documents. A fixed
// list search (exhaustive, random) is a sequence known before anything is
// measured: the default config first, then the strategy's list, each config
// once, cut at the budget. Shard i takes the configs at positions i, i+N,
// i+2N, ... of it, so the shards are disjoint and together are the unsharded
// search, whatever N. Model-based searches (anneal, genetic, bayes) choose
// each config from the results before it: they cannot be split this way.
#include <cstddef>
#include <string>
#include <vector>

#include "tuner/config.hpp"

namespace tkbench {

struct Shard {
  std::size_t index = 0, count = 1;
  bool whole() const { return count == 1; }
  bool owns(std::size_t position) const { return position % count == index; }
  std::string str() const { return std::to_string(index) + "/" + std::to_string(count); }
};

// "i/N" with 0 <= i < N; InputError that shows the form otherwise.
Shard parse_shard(const std::string& text);

// Whether `strategy` proposes a fixed list that --shard can split.
bool shardable_strategy(const std::string& strategy);

// The configs of `sequence` (the unsharded search, in order) that `shard` owns.
std::vector<Config> configs_of_shard(const std::vector<Config>& sequence, const Shard& shard);

}  // namespace tkbench
