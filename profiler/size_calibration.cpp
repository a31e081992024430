#include "profiler/size_calibration.hpp"

#include <algorithm>
#include <bit>
#include <optional>

#include "profiler/evaluator.hpp"
#include "profiler/remote_evaluation.hpp"
#include "tuner/config.hpp"
#include "tuner/interrupt.hpp"
#include "tuner/search_space.hpp"

namespace tkbench {
namespace {

// Powers of two from 1 MiB to 2 GiB and 1.5x between them: 23 footprints.
// Two per octave because the copy's bandwidth climbs steeply from 1 to 256 MiB
// (launch ramp, the last partial wave); one per octave would put the knee up
// to an octave off. 2 GiB is the large-copy roof's own footprint on an H200.
constexpr long long kSmallestFootprint = 1LL << 20;
constexpr long long kLargestFootprint = 1LL << 31;

// The copy configs tried at every footprint: 16-byte accesses with each block
// size and unroll. Small footprints want few bytes per block (enough blocks
// for every SM), large ones many bytes in flight, so the set spans both ends;
// the large copy's winner is tried beside them. 16 configs x 23 footprints.
constexpr const char* kCurveConfigs[] = {
    "VEC_BYTES=16,THREADS=128,UNROLL=1,STREAMING=0",  "VEC_BYTES=16,THREADS=128,UNROLL=2,STREAMING=0",
    "VEC_BYTES=16,THREADS=128,UNROLL=4,STREAMING=0",  "VEC_BYTES=16,THREADS=128,UNROLL=8,STREAMING=0",
    "VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=0",  "VEC_BYTES=16,THREADS=256,UNROLL=2,STREAMING=0",
    "VEC_BYTES=16,THREADS=256,UNROLL=4,STREAMING=0",  "VEC_BYTES=16,THREADS=256,UNROLL=8,STREAMING=0",
    "VEC_BYTES=16,THREADS=512,UNROLL=1,STREAMING=0",  "VEC_BYTES=16,THREADS=512,UNROLL=2,STREAMING=0",
    "VEC_BYTES=16,THREADS=512,UNROLL=4,STREAMING=0",  "VEC_BYTES=16,THREADS=512,UNROLL=8,STREAMING=0",
    "VEC_BYTES=16,THREADS=1024,UNROLL=1,STREAMING=0", "VEC_BYTES=16,THREADS=1024,UNROLL=2,STREAMING=0",
    "VEC_BYTES=16,THREADS=1024,UNROLL=4,STREAMING=0", "VEC_BYTES=16,THREADS=1024,UNROLL=8,STREAMING=0"};

// The floor's copy is a handful of vectors per thread at most: only the block
// size can matter.
constexpr const char* kFloorConfigs[] = {
    "VEC_BYTES=16,THREADS=128,UNROLL=1,STREAMING=0", "VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=0",
    "VEC_BYTES=16,THREADS=512,UNROLL=1,STREAMING=0", "VEC_BYTES=16,THREADS=1024,UNROLL=1,STREAMING=0"};

// Per config at most 0.15 s of samples. Copies reach the stopping rule's 0.5%
// in a few dozen samples (an H200 tuned all 96 copy configs in 1.5 s of GPU
// time), so the cap binds on noise only; even then the ~400 evaluations of
// the default plan stay near a minute.
StoppingRule curve_rule() {
  StoppingRule rule;
  rule.max_seconds = 0.15;
  rule.max_samples = 300;
  return rule;
}

// The config a filter names in full, if it is valid for the problem.
std::optional<Config> named_config(const TemplateSpec& copy, const Problem& problem, const std::string& text) {
  try {
    auto configs = SearchSpace(copy, problem).enumerate(parse_config_filter(text, copy));
    if (configs.size() == 1) return configs.front();
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

struct BestCopy {
  double median_us = 0;  // 0: nothing timed
  std::string config;
};

// The fastest of `configs` copying `bytes`, each timed as any result is.
BestCopy best_copy(WorkerClient& worker, const TemplateSpec& copy, long long bytes, const std::vector<std::string>& configs,
                   const StoppingRule& rule, int& done, int total, const SizeCalibrationProgress& progress) {
  const long long elements = bytes / (2 * static_cast<long long>(dtype_info(DType::bf16).size));
  Problem problem = make_problem(copy, {elements}, DType::bf16);
  BestCopy best;
  for (const auto& text : configs) {
    if (interrupted()) break;
    if (auto config = named_config(copy, problem, text)) {
      EvaluationRequest req = EvaluationRequest::for_config(copy, problem, *config);
      req.rule = rule;
      Result r = Result::for_config(copy, problem, *config);
      evaluate_remotely(worker, req, r);
      if (r.status == Status::ok && r.measurement && r.measurement->timing && r.measurement->timing->median_us > 0 &&
          (best.median_us == 0 || r.measurement->timing->median_us < best.median_us))
        best = {r.measurement->timing->median_us, config->str()};
    }
    if (progress) progress(++done, total);
  }
  return best;
}

}  // namespace

SizeCalibrationPlan default_size_plan() {
  SizeCalibrationPlan plan;
  for (long long f = kSmallestFootprint; f <= kLargestFootprint; f *= 2) {
    plan.footprints.push_back(f);
    if (f < kLargestFootprint) plan.footprints.push_back(f + f / 2);
  }
  plan.configs.assign(std::begin(kCurveConfigs), std::end(kCurveConfigs));
  plan.floor_configs.assign(std::begin(kFloorConfigs), std::end(kFloorConfigs));
  plan.rule = curve_rule();
  return plan;
}

long long latency_floor_footprint(long long l2_bytes) {
  const long long needed = (2 * std::max<long long>(l2_bytes, 0) + kMaxRotationSets - 1) / kMaxRotationSets;
  return std::max<long long>(16, static_cast<long long>(std::bit_ceil(static_cast<unsigned long long>(std::max<long long>(needed, 1)))));
}

BandwidthCurve calibrate_size_curve(WorkerClient& worker, const TemplateRegistry& registry, const DeviceInfo& device,
                                    const SizeCalibrationPlan& plan, const std::string& extra_config,
                                    const SizeCalibrationProgress& progress) {
  const TemplateSpec& copy = registry.get("copy");
  std::vector<std::string> configs = plan.configs;
  if (!extra_config.empty() && std::find(configs.begin(), configs.end(), extra_config) == configs.end())
    configs.push_back(extra_config);
  const int total = static_cast<int>(plan.footprints.size() * configs.size() + plan.floor_configs.size());
  int done = 0;
  BandwidthCurve curve;
  for (long long bytes : plan.footprints) {
    BestCopy best = best_copy(worker, copy, bytes, configs, plan.rule, done, total, progress);
    curve.configs_tried += static_cast<int>(configs.size());
    if (best.median_us > 0) curve.points.push_back({static_cast<double>(bytes), bytes / (best.median_us * 1e-6), best.config});
  }
  const long long floor_bytes = latency_floor_footprint(device.l2_bytes);
  BestCopy floor = best_copy(worker, copy, floor_bytes, plan.floor_configs, plan.rule, done, total, progress);
  curve.configs_tried += static_cast<int>(plan.floor_configs.size());
  curve.latency_floor_us = floor.median_us;
  curve.latency_floor_bytes = static_cast<double>(floor_bytes);
  curve.latency_floor_config = floor.config;
  return curve;
}

}  // namespace tkbench
