#include "profiler/range_profiler.hpp"

#include <cuda.h>
#include <cuda_runtime_api.h>
#include <cupti_profiler_target.h>
#include <cupti_range_profiler.h>
#include <cupti_target.h>

#include <chrono>

#include "profiler/cuda_check.hpp"

namespace tkbench {
namespace {

void check_cupti(CUptiResult rc, const char* what) {
  if (rc != CUPTI_SUCCESS) throw CuptiError(rc, describe_cupti_error(rc, what));
}

// The current CUDA context, through the runtime's driver entry points: tkbench
// never links libcuda.
CUcontext current_context() {
  using GetCurrent = CUresult (*)(CUcontext*);
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult status{};
  check_cuda(cudaGetDriverEntryPointByVersion("cuCtxGetCurrent", &fn, 12000, cudaEnableDefault, &status),
             "finding cuCtxGetCurrent");
  if (!fn || status != cudaDriverEntryPointSuccess) throw CuptiError(0, "cuCtxGetCurrent is not available in this driver");
  CUcontext ctx = nullptr;
  reinterpret_cast<GetCurrent>(fn)(&ctx);
  return ctx;
}

}  // namespace

struct RangeProfiler::State {
  CUcontext ctx = nullptr;
  CUpti_RangeProfiler_Object* object = nullptr;
  std::vector<std::uint8_t> counter_data;
  ~State() {
    if (object) {
      auto p = cupti_params<CUpti_RangeProfiler_Disable_Params>(CUpti_RangeProfiler_Disable_Params_STRUCT_SIZE);
      p.pRangeProfilerObject = object;
      cuptiRangeProfilerDisable(&p);
    }
  }
};

std::string device_chip_name(const DeviceInfo& device) {
  auto init = cupti_params<CUpti_Profiler_Initialize_Params>(CUpti_Profiler_Initialize_Params_STRUCT_SIZE);
  check_cupti(cuptiProfilerInitialize(&init), "initialising the CUPTI profiler");
  auto chip = cupti_params<CUpti_Device_GetChipName_Params>(CUpti_Device_GetChipName_Params_STRUCT_SIZE);
  chip.deviceIndex = static_cast<std::size_t>(device.index);
  check_cupti(cuptiDeviceGetChipName(&chip), "reading the chip name");
  return chip.pChipName;
}

RangeProfiler::RangeProfiler(const DeviceInfo& device, const std::vector<std::string>& metrics)
    : state_(std::make_unique<State>()) {
  auto init = cupti_params<CUpti_Profiler_Initialize_Params>(CUpti_Profiler_Initialize_Params_STRUCT_SIZE);
  check_cupti(cuptiProfilerInitialize(&init), "initialising the CUPTI profiler");

  auto supported = cupti_params<CUpti_Profiler_DeviceSupported_Params>(CUpti_Profiler_DeviceSupported_Params_STRUCT_SIZE);
  supported.cuDevice = device.index;
  supported.api = CUPTI_PROFILER_RANGE_PROFILING;
  check_cupti(cuptiProfilerDeviceSupported(&supported), "asking whether the device supports profiling");
  if (supported.isSupported != CUPTI_PROFILER_CONFIGURATION_SUPPORTED) {
    const char* why = supported.architecture != CUPTI_PROFILER_CONFIGURATION_SUPPORTED ? "its architecture has no profiler support"
                      : supported.vGpu != CUPTI_PROFILER_CONFIGURATION_SUPPORTED          ? "it is a virtual GPU with profiling off"
                      : supported.confidentialCompute != CUPTI_PROFILER_CONFIGURATION_SUPPORTED ? "confidential computing is on"
                      : supported.cmp != CUPTI_PROFILER_CONFIGURATION_SUPPORTED                 ? "it is a mining processor"
                                                                                                : "the driver reports it unsupported";
    throw CuptiError(CUPTI_ERROR_NOT_SUPPORTED, std::string("hardware counters are unavailable on this device: ") + why);
  }

  auto chip = cupti_params<CUpti_Device_GetChipName_Params>(CUpti_Device_GetChipName_Params_STRUCT_SIZE);
  chip.deviceIndex = static_cast<std::size_t>(device.index);
  check_cupti(cuptiDeviceGetChipName(&chip), "reading the chip name");

  check_cuda(cudaSetDevice(device.index), "selecting the device");
  check_cuda(cudaFree(nullptr), "creating the CUDA context");
  state_->ctx = current_context();

  auto avail = cupti_params<CUpti_Profiler_GetCounterAvailability_Params>(CUpti_Profiler_GetCounterAvailability_Params_STRUCT_SIZE);
  avail.ctx = state_->ctx;
  check_cupti(cuptiProfilerGetCounterAvailability(&avail), "sizing the counter availability image");
  std::vector<std::uint8_t> availability(avail.counterAvailabilityImageSize);
  avail.pCounterAvailabilityImage = availability.data();
  check_cupti(cuptiProfilerGetCounterAvailability(&avail), "reading counter availability");

  config_ = std::make_unique<MetricConfig>(chip.pChipName, metrics, availability);

  auto enable = cupti_params<CUpti_RangeProfiler_Enable_Params>(CUpti_RangeProfiler_Enable_Params_STRUCT_SIZE);
  enable.ctx = state_->ctx;
  check_cupti(cuptiRangeProfilerEnable(&enable), "enabling the range profiler");
  state_->object = enable.pRangeProfilerObject;

  std::vector<const char*> names;
  for (const auto& m : config_->metrics()) names.push_back(m.c_str());
  auto size = cupti_params<CUpti_RangeProfiler_GetCounterDataSize_Params>(CUpti_RangeProfiler_GetCounterDataSize_Params_STRUCT_SIZE);
  size.pRangeProfilerObject = state_->object;
  size.pMetricNames = names.data();
  size.numMetrics = names.size();
  size.maxNumOfRanges = 1;
  size.maxNumRangeTreeNodes = 1;
  check_cupti(cuptiRangeProfilerGetCounterDataSize(&size), "sizing the counter data image");
  state_->counter_data.resize(size.counterDataSize);
}

RangeProfiler::~RangeProfiler() = default;

Counters RangeProfiler::profile(const std::function<void()>& launch) {
  auto start = std::chrono::steady_clock::now();
  auto init = cupti_params<CUpti_RangeProfiler_CounterDataImage_Initialize_Params>(CUpti_RangeProfiler_CounterDataImage_Initialize_Params_STRUCT_SIZE);
  init.pRangeProfilerObject = state_->object;
  init.counterDataSize = state_->counter_data.size();
  init.pCounterData = state_->counter_data.data();
  check_cupti(cuptiRangeProfilerCounterDataImageInitialize(&init), "initialising the counter data image");

  const auto& image = config_->config_image();
  auto set = cupti_params<CUpti_RangeProfiler_SetConfig_Params>(CUpti_RangeProfiler_SetConfig_Params_STRUCT_SIZE);
  set.pRangeProfilerObject = state_->object;
  set.configSize = image.size();
  set.pConfig = image.data();
  set.counterDataImageSize = state_->counter_data.size();
  set.pCounterDataImage = state_->counter_data.data();
  set.range = CUPTI_AutoRange;
  set.replayMode = CUPTI_KernelReplay;
  set.maxRangesPerPass = 1;
  set.numNestingLevels = 1;
  set.minNestingLevel = 1;
  set.passIndex = 0;
  set.targetNestingLevel = 1;
  check_cupti(cuptiRangeProfilerSetConfig(&set), "configuring the range profiler");

  auto begin = cupti_params<CUpti_RangeProfiler_Start_Params>(CUpti_RangeProfiler_Start_Params_STRUCT_SIZE);
  begin.pRangeProfilerObject = state_->object;
  check_cupti(cuptiRangeProfilerStart(&begin), "starting the range profiler");
  launch();
  check_cuda(cudaDeviceSynchronize(), "running the profiled launch");
  auto stop = cupti_params<CUpti_RangeProfiler_Stop_Params>(CUpti_RangeProfiler_Stop_Params_STRUCT_SIZE);
  stop.pRangeProfilerObject = state_->object;
  check_cupti(cuptiRangeProfilerStop(&stop), "stopping the range profiler");
  auto decode = cupti_params<CUpti_RangeProfiler_DecodeData_Params>(CUpti_RangeProfiler_DecodeData_Params_STRUCT_SIZE);
  decode.pRangeProfilerObject = state_->object;
  check_cupti(cuptiRangeProfilerDecodeData(&decode), "decoding counter data");

  Counters out;
  out.passes = config_->passes();
  std::vector<double> values = config_->evaluate(state_->counter_data, 0);
  for (std::size_t i = 0; i < values.size(); ++i) out.values.emplace_back(config_->metrics()[i], values[i]);
  out.overhead_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace tkbench
