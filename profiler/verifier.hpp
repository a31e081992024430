#pragma once
// Correct before fast: run the reference and the config under test on the
// same inputs, outputs poisoned first, and compare every output buffer.
#include <cuda_runtime_api.h>

#include "profiler/loaded_kernel.hpp"
#include "profiler/problem_buffers.hpp"
#include "tuner/measurement.hpp"

namespace tkbench {

// `reference` runs first, on the same inputs, its outputs poisoned first.
// With `reference_outputs_ready` it is null and the buffers already hold its
// outputs for these inputs (an earlier config of the same problem). With
// neither, the result is `verified = false` ("unverified"), though outputs
// are still checked for NaN/Inf and unwritten (poisoned) elements.
Verification verify(const LoadedKernel& kernel, const LaunchGeometry& geometry, const LoadedKernel* reference,
                    const LaunchGeometry& reference_geometry, ProblemBuffers& buffers, RuntimeKernels& runtime,
                    double tolerance, cudaStream_t stream, bool reference_outputs_ready = false);

}  // namespace tkbench
