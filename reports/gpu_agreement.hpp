#pragma once
// GPUs of one model should time one kernel alike. When the same config was
// measured on several of them (a --devices run measures each shape's best
// on every GPU of its model; merged shard documents may hold it twice) and
// their medians differ by more than the noise allows, one card is slow:
// throttled, in a lower power mode, or sharing its host's bandwidth.
#include <map>
#include <string>
#include <vector>

#include "tuner/result.hpp"

namespace tkbench {

struct GpuDisagreement {
  std::string model, template_name, shape, dtype, config;
  std::string fast_gpu, slow_gpu;  // UUIDs
  double fast_us = 0, slow_us = 0;
  double allowed = 0;              // the difference the noise allows, as a fraction
};

// Differences above max(1%, 3 combined relative standard errors of the
// medians) between the fastest and slowest GPU of a model, per config.
// `model_of_gpu`: UUID -> model name; results whose GPU is not in it are skipped.
std::vector<GpuDisagreement> same_model_disagreements(const std::vector<Result>& results,
                                                      const std::map<std::string, std::string>& model_of_gpu);

// "NVIDIA H200: GPU-… measured rmsnorm 4096x8192 bf16 VEC=8,… 4.1% slower than GPU-… (noise allows 1.0%): a slow or throttled card?"
std::string describe(const GpuDisagreement& d);

}  // namespace tkbench
