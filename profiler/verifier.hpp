#pragma once
// Correct before fast: run the reference and the config under test on the
// same inputs, outputs poisoned first, and compare every output buffer.
#include <cuda_runtime_api.h>

#include <functional>
#include <string>

#include "profiler/loaded_kernel.hpp"
#include "profiler/problem_buffers.hpp"
#include "tuner/measurement.hpp"

namespace tkbench {

// `reference` runs first, on the same inputs, its outputs poisoned first.
// With `reference_outputs_ready` it is null and the buffers already hold its
// outputs for these inputs (an earlier config of the same problem). With
// neither, the result is `verified = false` ("unverified"), though outputs
// are still checked for NaN/Inf and unwritten (poisoned) elements.
// What is checked: enqueues one run of the code under test on set 0's buffers
// (a kernel of the template, or a library baseline).
struct TestedCode {
  std::string name;
  std::function<void(cudaStream_t)> run;
};
Verification verify(const TestedCode& tested, const LoadedKernel* reference, const LaunchGeometry& reference_geometry,
                    ProblemBuffers& buffers, RuntimeKernels& runtime, double tolerance, cudaStream_t stream,
                    bool reference_outputs_ready = false);
// The template's kernel, launched with `geometry` on set 0's arguments.
Verification verify(const LoadedKernel& kernel, const LaunchGeometry& geometry, const LoadedKernel* reference,
                    const LaunchGeometry& reference_geometry, ProblemBuffers& buffers, RuntimeKernels& runtime,
                    double tolerance, cudaStream_t stream, bool reference_outputs_ready = false);

}  // namespace tkbench
