#include "profiler/timer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <thread>

#include "profiler/cuda_check.hpp"

namespace tkbench {
namespace {

// Two events, destroyed on every path out.
struct EventPair {
  cudaEvent_t start = nullptr, stop = nullptr;
  EventPair() {
    check_cuda(cudaEventCreate(&start), "creating a timing event");
    check_cuda(cudaEventCreate(&stop), "creating a timing event");
  }
  ~EventPair() {
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
  }
  double elapsed_us() const {
    check_cuda(cudaEventSynchronize(stop), "waiting for the timed launch");
    float ms = 0;
    check_cuda(cudaEventElapsedTime(&ms, start, stop), "reading a timing event");
    return static_cast<double>(ms) * 1000.0;
  }
};

struct GraphExec {
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  ~GraphExec() {
    if (exec) cudaGraphExecDestroy(exec);
    if (graph) cudaGraphDestroy(graph);
  }
};

}  // namespace

double estimate_launch_us(const LaunchFn& launch, cudaStream_t stream) {
  EventPair ev;
  launch(0, stream);  // warm-up: first-launch costs stay out of the figure
  check_cuda(cudaStreamSynchronize(stream), "warming up");
  std::vector<double> t;
  for (int i = 0; i < 5; ++i) {
    check_cuda(cudaEventRecord(ev.start, stream), "recording an event");
    launch(0, stream);
    check_cuda(cudaEventRecord(ev.stop, stream), "recording an event");
    t.push_back(ev.elapsed_us());
  }
  std::sort(t.begin(), t.end());
  return t[2];
}

TimingStats time_kernel(const LaunchFn& launch, RuntimeKernels& runtime, const SmClock& clock,
                        const TimingOptions& opt, cudaStream_t stream) {
  TimingStats stats;
  stats.l2 = opt.cold_l2 ? "cold" : "hot";
  stats.graph = opt.graph;
  stats.sm_clock_max_mhz = clock.max_mhz();

  GraphExec graph;
  int per_sample = 1;
  if (opt.graph) {
    double t1 = estimate_launch_us(launch, stream);
    int sets = opt.cold_l2 ? std::max(1, opt.sets) : 1;
    int target = static_cast<int>(std::clamp(opt.graph_sample_us / std::max(t1, 0.5), 20.0, 4000.0));
    // Whole rotations, so every set is touched equally often.
    per_sample = sets * std::max(1, (target + sets - 1) / sets);
    check_cuda(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "starting graph capture");
    try {
      for (int i = 0; i < per_sample; ++i) launch(i % sets, stream);
    } catch (...) {
      cudaStreamEndCapture(stream, &graph.graph);
      throw;
    }
    check_cuda(cudaStreamEndCapture(stream, &graph.graph), "ending graph capture");
    check_cuda(cudaGraphInstantiate(&graph.exec, graph.graph, 0), "instantiating the timing graph");
    check_cuda(cudaGraphLaunch(graph.exec, stream), "warming up the timing graph");
    check_cuda(cudaStreamSynchronize(stream), "warming up the timing graph");
    stats.buffer_sets = sets;
  } else {
    launch(0, stream);  // warm-up
    check_cuda(cudaStreamSynchronize(stream), "warming up");
  }
  stats.launches_per_sample = per_sample;

  EventPair ev;
  std::vector<double> samples;
  ThrottleGuard guard(opt.throttle, stats.sm_clock_max_mhz);
  int last_kept_mhz = 0;
  stats.sm_clock_start_mhz = clock.current_mhz();  // after warm-up: an idle GPU clocks down
  const auto start = std::chrono::steady_clock::now();
  auto last_beat = start;
  while (true) {
    if (!opt.graph && opt.cold_l2) runtime.flush_l2(stream);
    // The clock probe reads just outside the timed region: its two readings
    // bracket the sample, and their cycles over nanoseconds are its average clock.
    const unsigned long long seq = runtime.probe_clock_before(stream);
    check_cuda(cudaEventRecord(ev.start, stream), "recording an event");
    if (opt.graph) check_cuda(cudaGraphLaunch(graph.exec, stream), "replaying the timing graph");
    else launch(0, stream);
    check_cuda(cudaEventRecord(ev.stop, stream), "recording an event");
    runtime.probe_clock_after(stream);
    runtime.enqueue_clock_readout(stream);
    check_cuda(cudaStreamSynchronize(stream), "waiting for the timed sample");
    const double sample_us = ev.elapsed_us() / per_sample;
    const auto [before, after] = runtime.clock_readings();
    std::optional<int> in_stream = average_mhz(before, after, seq, stats.sm_clock_max_mhz);
    // Otherwise NVML, read right after the sample, before an idle GPU clocks down.
    const int sample_mhz = in_stream ? *in_stream : clock.current_mhz();
    if (in_stream) ++stats.samples_clocked_in_stream;
    if (guard.keep(sample_mhz)) {
      if (samples.empty()) stats.sm_clock_start_mhz = sample_mhz ? sample_mhz : stats.sm_clock_start_mhz;
      last_kept_mhz = sample_mhz;
      samples.push_back(sample_us);
    } else {
      // Rest, then one untimed launch so the clock is up again when sampling resumes.
      // The watchdog hears from us on both sides of a rest (up to 1 s).
      if (opt.heartbeat) opt.heartbeat();
      std::this_thread::sleep_for(std::chrono::duration<double>(guard.next_rest_s()));
      if (opt.heartbeat) opt.heartbeat();
      if (opt.graph) check_cuda(cudaGraphLaunch(graph.exec, stream), "warming up after a rest");
      else launch(0, stream);
      check_cuda(cudaStreamSynchronize(stream), "warming up after a rest");
    }

    auto now = std::chrono::steady_clock::now();
    if (opt.heartbeat && now - last_beat > std::chrono::milliseconds(200)) {
      opt.heartbeat();
      last_beat = now;
    }
    if (samples.empty()) continue;
    // Rests do not count against the sampling time.
    double elapsed = std::chrono::duration<double>(now - start).count() - guard.rested_s();
    // Summarising every sample is O(n log n); every 8th is plenty.
    if (samples.size() % 8 == 0 || samples.size() < 16) {
      SampleSummary s = summarize(samples);
      if (opt.rule.should_stop(s, elapsed)) break;
    }
  }
  SampleSummary s = summarize(samples);
  stats.samples = s.count;
  stats.samples_us = std::move(samples);
  stats.median_us = s.median;
  stats.min_us = s.min;
  stats.max_us = s.max;
  stats.mean_us = s.mean;
  stats.spread = s.spread;
  stats.rel_std_error = s.rel_std_error;
  stats.converged = opt.rule.converged(s);
  // The last kept sample's clock where the probe read it; NVML's otherwise.
  stats.sm_clock_end_mhz = stats.samples_clocked_in_stream > 0 && last_kept_mhz > 0 ? last_kept_mhz : clock.current_mhz();
  stats.throttled = guard.throttled(stats.sm_clock_start_mhz, stats.sm_clock_end_mhz);
  stats.throttle_dropped_samples = guard.dropped();
  stats.throttle_rest_s = guard.rested_s();
  return stats;
}

}  // namespace tkbench
