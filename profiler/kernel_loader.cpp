#include "profiler/kernel_loader.hpp"

#include <cuda_runtime_api.h>

#include <fmt/format.h>

#include "tuner/errors.hpp"

namespace tkbench {
namespace {

void check(cudaError_t rc, const char* what, const CompiledKernel& kernel) {
  if (rc == cudaSuccess) return;
  cudaGetLastError();
  throw EnvironmentError(fmt::format("{} failed for {}: {} ({})", what, kernel.name_expression, cudaGetErrorString(rc),
                                     cudaGetErrorName(rc)));
}

// Unloads the library on every path out.
struct LibraryGuard {
  cudaLibrary_t library = nullptr;
  ~LibraryGuard() {
    if (library) cudaLibraryUnload(library);
  }
};

}  // namespace

DriverKernelReport inspect_on_device(const DeviceInfo& device, const CompiledKernel& kernel,
                                     const LaunchGeometry& geometry) {
  check(cudaSetDevice(device.index), "cudaSetDevice", kernel);
  LibraryGuard guard;
  check(cudaLibraryLoadData(&guard.library, kernel.cubin.data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
        "cudaLibraryLoadData", kernel);
  cudaKernel_t handle = nullptr;
  check(cudaLibraryGetKernel(&handle, guard.library, kernel.lowered_name.c_str()), "cudaLibraryGetKernel", kernel);
  // A cudaKernel_t stands in for a function pointer in the runtime's function APIs.
  const void* func = reinterpret_cast<const void*>(handle);
  if (geometry.dynamic_shared_bytes > 48 * 1024)
    check(cudaFuncSetAttribute(func, cudaFuncAttributeMaxDynamicSharedMemorySize,
                               static_cast<int>(geometry.dynamic_shared_bytes)),
          "cudaFuncSetAttribute(MaxDynamicSharedMemorySize)", kernel);
  cudaFuncAttributes attr{};
  check(cudaFuncGetAttributes(&attr, func), "cudaFuncGetAttributes", kernel);
  DriverKernelReport report;
  report.registers = attr.numRegs;
  report.shared_static_bytes = static_cast<long long>(attr.sharedSizeBytes);
  report.local_bytes = static_cast<long long>(attr.localSizeBytes);
  check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&report.blocks_per_sm, func,
                                                      static_cast<int>(geometry.threads_per_block()),
                                                      static_cast<std::size_t>(geometry.dynamic_shared_bytes)),
        "cudaOccupancyMaxActiveBlocksPerMultiprocessor", kernel);
  return report;
}

}  // namespace tkbench
