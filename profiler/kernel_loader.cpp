#include "profiler/kernel_loader.hpp"

#include <cuda_runtime_api.h>

#include "profiler/cuda_check.hpp"
#include "profiler/loaded_kernel.hpp"
#include "tuner/errors.hpp"

namespace tkbench {

DriverKernelReport inspect_on_device(const DeviceInfo& device, const CompiledKernel& kernel,
                                     const LaunchGeometry& geometry) {
  try {
    check_cuda(cudaSetDevice(device.index), "selecting the device");
    LoadedKernel loaded(kernel);
    loaded.allow_dynamic_shared(geometry.dynamic_shared_bytes);
    cudaFuncAttributes attr{};
    check_cuda(cudaFuncGetAttributes(&attr, loaded.function()), "cudaFuncGetAttributes");
    DriverKernelReport report;
    report.registers = attr.numRegs;
    report.shared_static_bytes = static_cast<long long>(attr.sharedSizeBytes);
    report.local_bytes = static_cast<long long>(attr.localSizeBytes);
    check_cuda(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&report.blocks_per_sm, loaded.function(),
                                                             static_cast<int>(geometry.threads_per_block()),
                                                             static_cast<std::size_t>(geometry.dynamic_shared_bytes)),
               "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
    return report;
  } catch (const CudaError& e) {
    throw EnvironmentError(e.what());
  }
}

}  // namespace tkbench
