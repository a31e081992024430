#include "profiler/cupti_host.hpp"

#include <cupti_profiler_host.h>
#include <cupti_result.h>

#include <algorithm>

#include <fmt/format.h>

#include "tuner/errors.hpp"

namespace tkbench {
namespace {

std::string result_name(CUptiResult rc) {
  const char* s = nullptr;
  cuptiGetResultString(rc, &s);
  return s ? s : fmt::format("CUPTI error {}", static_cast<int>(rc));
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string describe_cupti_error(int code, const std::string& what) {
  std::string text = fmt::format("{}: {}", what, result_name(static_cast<CUptiResult>(code)));
  switch (static_cast<CUptiResult>(code)) {
    case CUPTI_ERROR_INSUFFICIENT_PRIVILEGES:
      return text + ". GPU performance counters are restricted to administrators (ERR_NVGPUCTRPERM): run as root or "
                    "with CAP_SYS_ADMIN, or load the driver with NVreg_RestrictProfilingToAdminUsers=0";
    case CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED:
      return text + ". Another profiler holds the counters (is tkbench running under ncu or nsys?)";
    case CUPTI_ERROR_VIRTUALIZED_DEVICE_NOT_SUPPORTED:
      return text + ". Counters are not available on this virtualized (vGPU) device";
    case CUPTI_ERROR_CMP_DEVICE_NOT_SUPPORTED:
    case CUPTI_ERROR_NOT_SUPPORTED:
      return text + ". This device or configuration (MIG, confidential computing) does not expose the counters";
    default:
      return text;
  }
}

struct MetricConfig::HostObject {
  CUpti_Profiler_Host_Object* object = nullptr;
  ~HostObject() {
    if (!object) return;
    auto p = cupti_params<CUpti_Profiler_Host_Deinitialize_Params>(CUpti_Profiler_Host_Deinitialize_Params_STRUCT_SIZE);
    p.pHostObject = object;
    cuptiProfilerHostDeinitialize(&p);
  }
};

std::vector<std::string> MetricConfig::supported_chips() {
  auto p = cupti_params<CUpti_Profiler_Host_GetSupportedChips_Params>(CUpti_Profiler_Host_GetSupportedChips_Params_STRUCT_SIZE);
  std::vector<std::string> out;
  if (cuptiProfilerHostGetSupportedChips(&p) == CUPTI_SUCCESS)
    for (std::size_t i = 0; i < p.numChips; ++i) out.emplace_back(p.ppChipNames[i]);
  return out;
}

MetricConfig::MetricConfig(std::string chip, std::vector<std::string> metrics, const std::vector<std::uint8_t>& availability)
    : chip_(std::move(chip)), metrics_(std::move(metrics)), host_(std::make_unique<HostObject>()) {
  if (metrics_.empty()) throw InputError("--metrics: no metric names given");
  auto init = cupti_params<CUpti_Profiler_Host_Initialize_Params>(CUpti_Profiler_Host_Initialize_Params_STRUCT_SIZE);
  init.profilerType = CUPTI_PROFILER_TYPE_RANGE_PROFILER;
  init.pChipName = chip_.c_str();
  init.pCounterAvailabilityImage = availability.empty() ? nullptr : availability.data();
  CUptiResult rc = cuptiProfilerHostInitialize(&init);
  if (rc == CUPTI_ERROR_INVALID_CHIP_NAME) {
    std::string chips;
    for (const auto& c : supported_chips()) chips += (chips.empty() ? "" : ", ") + c;
    throw InputError(fmt::format("--chip '{}' is not a chip CUPTI knows; supported: {}", chip_, chips));
  }
  if (rc != CUPTI_SUCCESS) throw CuptiError(rc, describe_cupti_error(rc, "initialising the CUPTI profiler host"));
  host_->object = init.pHostObject;

  std::vector<const char*> names;
  for (const auto& m : metrics_) names.push_back(m.c_str());
  auto add = cupti_params<CUpti_Profiler_Host_ConfigAddMetrics_Params>(CUpti_Profiler_Host_ConfigAddMetrics_Params_STRUCT_SIZE);
  add.pHostObject = host_->object;
  add.ppMetricNames = names.data();
  add.numMetrics = names.size();
  if ((rc = cuptiProfilerHostConfigAddMetrics(&add)) != CUPTI_SUCCESS) {
    // Only now try each metric alone, on a scratch host object, to name the bad one.
    for (const char* name : names) {
      HostObject scratch;
      auto scratch_init = init;
      scratch_init.pHostObject = nullptr;
      if (cuptiProfilerHostInitialize(&scratch_init) != CUPTI_SUCCESS) break;
      scratch.object = scratch_init.pHostObject;
      auto probe = cupti_params<CUpti_Profiler_Host_ConfigAddMetrics_Params>(CUpti_Profiler_Host_ConfigAddMetrics_Params_STRUCT_SIZE);
      probe.pHostObject = scratch.object;
      probe.ppMetricNames = &name;
      probe.numMetrics = 1;
      if (cuptiProfilerHostConfigAddMetrics(&probe) != CUPTI_SUCCESS) {
        std::string near;
        for (const auto& n : nearest_metrics(name, 3)) near += (near.empty() ? "" : ", ") + n;
        throw InputError(fmt::format("metric '{}' is not a CUPTI metric on {}; nearest: {}", name, chip_, near));
      }
    }
    throw CuptiError(rc, describe_cupti_error(rc, "adding metrics to the CUPTI config"));
  }
  auto size = cupti_params<CUpti_Profiler_Host_GetConfigImageSize_Params>(CUpti_Profiler_Host_GetConfigImageSize_Params_STRUCT_SIZE);
  size.pHostObject = host_->object;
  if ((rc = cuptiProfilerHostGetConfigImageSize(&size)) != CUPTI_SUCCESS)
    throw CuptiError(rc, describe_cupti_error(rc, "sizing the CUPTI config image"));
  config_image_.resize(size.configImageSize);
  auto image = cupti_params<CUpti_Profiler_Host_GetConfigImage_Params>(CUpti_Profiler_Host_GetConfigImage_Params_STRUCT_SIZE);
  image.pHostObject = host_->object;
  image.configImageSize = config_image_.size();
  image.pConfigImage = config_image_.data();
  if ((rc = cuptiProfilerHostGetConfigImage(&image)) != CUPTI_SUCCESS)
    throw CuptiError(rc, describe_cupti_error(rc, "building the CUPTI config image"));
  auto passes = cupti_params<CUpti_Profiler_Host_GetNumOfPasses_Params>(CUpti_Profiler_Host_GetNumOfPasses_Params_STRUCT_SIZE);
  passes.configImageSize = config_image_.size();
  passes.pConfigImage = config_image_.data();
  if ((rc = cuptiProfilerHostGetNumOfPasses(&passes)) != CUPTI_SUCCESS)
    throw CuptiError(rc, describe_cupti_error(rc, "counting CUPTI passes"));
  passes_ = passes.numOfPasses;
}

MetricConfig::~MetricConfig() = default;

std::vector<double> MetricConfig::evaluate(const std::vector<std::uint8_t>& counter_data, std::size_t range) const {
  std::vector<const char*> names;
  for (const auto& m : metrics_) names.push_back(m.c_str());
  std::vector<double> values(names.size(), 0.0);
  auto p = cupti_params<CUpti_Profiler_Host_EvaluateToGpuValues_Params>(CUpti_Profiler_Host_EvaluateToGpuValues_Params_STRUCT_SIZE);
  p.pHostObject = host_->object;
  p.pCounterDataImage = counter_data.data();
  p.counterDataImageSize = counter_data.size();
  p.rangeIndex = range;
  p.ppMetricNames = names.data();
  p.numMetrics = names.size();
  p.pMetricValues = values.data();
  CUptiResult rc = cuptiProfilerHostEvaluateToGpuValues(&p);
  if (rc != CUPTI_SUCCESS) throw CuptiError(rc, describe_cupti_error(rc, "evaluating CUPTI metrics"));
  return values;
}

std::vector<std::string> MetricConfig::nearest_metrics(const std::string& name, std::size_t count) const {
  // Compare base names (before the first '.'), then keep the asked-for suffix.
  std::string base = name.substr(0, name.find('.'));
  std::string suffix = name.find('.') == std::string::npos ? "" : name.substr(name.find('.'));
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (auto type : {CUPTI_METRIC_TYPE_COUNTER, CUPTI_METRIC_TYPE_RATIO, CUPTI_METRIC_TYPE_THROUGHPUT}) {
    auto p = cupti_params<CUpti_Profiler_Host_GetBaseMetrics_Params>(CUpti_Profiler_Host_GetBaseMetrics_Params_STRUCT_SIZE);
    p.pHostObject = host_->object;
    p.metricType = type;
    if (cuptiProfilerHostGetBaseMetrics(&p) != CUPTI_SUCCESS) continue;
    for (std::size_t i = 0; i < p.numMetrics; ++i) scored.emplace_back(edit_distance(base, p.ppMetricNames[i]), p.ppMetricNames[i]);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && out.size() < count; ++i) out.push_back(scored[i].second + suffix);
  return out;
}

}  // namespace tkbench
