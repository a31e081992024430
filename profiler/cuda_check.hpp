#pragma once
// Every CUDA call is checked. A failure becomes a CudaError that says which
// call failed and how; `sticky` errors (a kernel faulted) leave the context
// unusable, so the worker reports them and exits.
#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace tkbench {

struct CudaError : std::runtime_error {
  cudaError_t code;
  bool sticky;
  CudaError(cudaError_t c, const std::string& what)
      : std::runtime_error(what), code(c), sticky(is_sticky(c)) {}

  static bool is_sticky(cudaError_t c) {
    switch (c) {
      case cudaErrorIllegalAddress: case cudaErrorLaunchFailure: case cudaErrorMisalignedAddress:
      case cudaErrorIllegalInstruction: case cudaErrorInvalidAddressSpace: case cudaErrorInvalidPc:
      case cudaErrorHardwareStackError: case cudaErrorAssert: case cudaErrorLaunchTimeout:
      case cudaErrorECCUncorrectable: case cudaErrorUnknown:
        return true;
      default:
        return false;
    }
  }
};

inline void check_cuda(cudaError_t rc, const std::string& what) {
  if (rc == cudaSuccess) return;
  if (!CudaError::is_sticky(rc)) cudaGetLastError();  // clear a non-sticky error so the context stays usable
  throw CudaError(rc, fmt::format("{}: {} ({})", what, cudaGetErrorString(rc), cudaGetErrorName(rc)));
}

}  // namespace tkbench
