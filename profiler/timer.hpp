#pragma once
// Timing with CUDA events until the median is known well enough.
//  - event mode: one launch per sample; with --l2 cold the L2 is flushed
//    (a 2x-L2 read) before each sample, outside the timed region.
//  - graph mode, for kernels under ~20 us: a CUDA graph of K launches is
//    replayed per sample and timed as a whole, divided by K, so launch gaps
//    and the ~0.5 us event resolution do not swamp the figure. With --l2 cold
//    the launches rotate over input sets whose total exceeds L2.
#include <cuda_runtime_api.h>

#include <functional>

#include "profiler/nvml_clock.hpp"
#include "profiler/runtime_kernels.hpp"
#include "profiler/sample_clock.hpp"
#include "profiler/statistics.hpp"
#include "profiler/throttle_guard.hpp"
#include "tuner/measurement.hpp"

namespace tkbench {

// Enqueues one launch of the kernel on input set `set`.
using LaunchFn = std::function<void(int set, cudaStream_t stream)>;

struct TimingOptions {
  bool cold_l2 = true;
  bool graph = false;
  int sets = 1;                        // input sets available to rotate over (graph mode, cold)
  double graph_sample_us = 1000;       // aim for graph replays this long
  StoppingRule rule;
  ThrottlePolicy throttle;             // samples taken under a throttled clock are dropped, the GPU rests
  std::function<void()> heartbeat;     // called every ~0.2 s, so a watchdog knows we are alive
};

// Median of a few back-to-back launches, in microseconds; also the warm-up.
double estimate_launch_us(const LaunchFn& launch, cudaStream_t stream);

TimingStats time_kernel(const LaunchFn& launch, RuntimeKernels& runtime, const SmClock& clock,
                        const TimingOptions& options, cudaStream_t stream);

}  // namespace tkbench
