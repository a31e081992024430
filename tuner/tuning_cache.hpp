#pragma once
// The best config found per (GPU, compute capability, driver major, CUDA
// version, template source, shape, dtype, and the --config filter the search
// was limited to), kept in the cache directory so
// `tune` answers at once for a key it has seen. A changed template source is
// a different key: stale answers are never served.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tkbench {

struct TuningKey {
  std::string gpu_name, arch;
  int driver_major = 0, cuda_version = 0;
  std::string template_name, source_hash, shape, dtype;
  // "VEC=1" when the search was limited by --config (or a gate spec's config):
  // a constrained best is never served as the shape's best. Empty: the whole space.
  std::string filter;
  std::string hash() const;
  nlohmann::ordered_json to_json() const;
};

struct TunedEntry {
  TuningKey key;
  nlohmann::ordered_json config;  // {"VEC": 8, ...}
  double median_us = 0;
  double bandwidth = 0;            // bytes/s from ideal bytes
  double pct_of_measured = 0;      // of the calibrated copy bandwidth
  int configs_evaluated = 0;
  std::string document;            // the results document of the run that found it
  std::string tuned_at;
};

class TuningCache {
 public:
  explicit TuningCache(std::string cache_dir) : dir_(std::move(cache_dir) + "/tuning") {}
  std::optional<TunedEntry> load(const TuningKey& key) const;
  std::optional<std::string> store(const TunedEntry& entry) const;  // an error message on failure
  std::vector<TunedEntry> list() const;
  std::size_t clear() const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace tkbench
