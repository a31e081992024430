#pragma once
// A CompiledKernel loaded into the current device's context, ready to launch.
#include <cuda_runtime_api.h>

#include <vector>

#include "tuner/compiled_kernel.hpp"
#include "tuner/kernel_instance.hpp"

namespace tkbench {

class LoadedKernel {
 public:
  explicit LoadedKernel(const CompiledKernel& kernel);  // throws CudaError
  ~LoadedKernel();
  LoadedKernel(const LoadedKernel&) = delete;
  LoadedKernel& operator=(const LoadedKernel&) = delete;

  // A cudaKernel_t stands in for a function pointer in the runtime's function APIs.
  const void* function() const { return reinterpret_cast<const void*>(kernel_); }
  // Raises the dynamic shared-memory limit when a launch needs more than 48 KB.
  void allow_dynamic_shared(long long bytes);
  void launch(const LaunchGeometry& geometry, void** args, cudaStream_t stream) const;
  const std::string& name() const { return name_; }

 private:
  cudaLibrary_t library_ = nullptr;
  cudaKernel_t kernel_ = nullptr;
  std::string name_;
  long long shared_limit_ = 0;  // dynamic bytes known to launch: opted in, or fitting in 48 KB without
};

}  // namespace tkbench
