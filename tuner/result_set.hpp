#pragma once
// ResultSet: everything one run learned, the document reports and gates read
// ("schema": "tkbench.results/1"; fields in docs/results.md). Written as a
// JSON-lines journal while the run goes, finalised atomically at the end.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuner/result.hpp"

namespace tkbench {

struct ResultSet {
  static constexpr const char* kSchema = "tkbench.results/1";
  std::string tool_version;
  std::string created_at;          // ISO 8601, UTC
  // The GPU and its peaks as the GPU stage wrote them (to_json(DevicePeaks)):
  // the tuner carries them through without reading them.
  nlohmann::ordered_json device;
  // Every GPU of a --devices run, `device` first (the same JSON form); empty
  // when one GPU ran it. A result's `gpu` (UUID) names its entry here.
  std::vector<nlohmann::ordered_json> devices;
  std::string shard;          // "i/N" for a --shard run; empty: the whole search
  std::string config_filter;  // the --config the search was limited to ("VEC=4"); empty: none
  std::vector<Result> results;
  // The templates' library baselines ([baseline], e.g. cuBLAS), one per
  // template, shape and dtype, timed in the same run: "% of cuBLAS".
  std::vector<Result> baselines;
  const Result* baseline_for(const std::string& template_name, const Problem& problem) const {
    for (const auto& b : baselines)
      if (b.template_name == template_name && b.problem.dims == problem.dims && b.problem.dtype == problem.dtype) return &b;
    return nullptr;
  }
};

}  // namespace tkbench
