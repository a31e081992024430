#pragma once
// Correct before fast: run the reference and the config under test on the
// same inputs, outputs poisoned first, and compare every output buffer.
#include <cuda_runtime_api.h>

#include "profiler/loaded_kernel.hpp"
#include "profiler/measurement.hpp"
#include "profiler/problem_buffers.hpp"

namespace tkbench {

// `reference` may be null: the result is then `verified = false` ("unverified"),
// though outputs are still checked for NaN/Inf and unwritten (poisoned) elements.
Verification verify(const LoadedKernel& kernel, const LaunchGeometry& geometry, const LoadedKernel* reference,
                    const LaunchGeometry& reference_geometry, ProblemBuffers& buffers, RuntimeKernels& runtime,
                    double tolerance, cudaStream_t stream);

}  // namespace tkbench
