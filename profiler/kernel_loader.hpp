#pragma once
// Loads a CompiledKernel's CUBIN into the device and asks the driver what it
// thinks of it: registers, local memory and occupancy. Used by
// `compile --on-device` to check the CPU-side figures against the hardware.
#include "profiler/device.hpp"
#include "tuner/compiled_kernel.hpp"
#include "tuner/kernel_instance.hpp"

namespace tkbench {

struct DriverKernelReport {
  int registers = 0;                  // cudaFuncAttributes::numRegs
  long long shared_static_bytes = 0;  // sharedSizeBytes
  long long local_bytes = 0;          // localSizeBytes (stack frame)
  int blocks_per_sm = 0;              // cudaOccupancyMaxActiveBlocksPerMultiprocessor
};

// Throws EnvironmentError when the device cannot load or inspect the kernel.
DriverKernelReport inspect_on_device(const DeviceInfo& device, const CompiledKernel& kernel,
                                     const LaunchGeometry& geometry);

}  // namespace tkbench
