#pragma once
// The Evaluator runs one config on the GPU: compile (through the cache), load,
// allocate and fill buffers, verify against the reference, then time. It runs
// inside the worker process (cli/command_worker.cpp), so a kernel that faults
// or hangs takes down only the worker.
#include <cuda_runtime_api.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "profiler/cublaslt_gemm.hpp"
#include "profiler/device.hpp"
#include "profiler/loaded_kernel.hpp"
#include "profiler/nvml_clock.hpp"
#include "profiler/problem_buffers.hpp"
#include "profiler/range_profiler.hpp"
#include "profiler/runtime_kernels.hpp"
#include "profiler/statistics.hpp"
#include "profiler/timer.hpp"
#include "profiler/verifier.hpp"
#include "tuner/compiler.hpp"
#include "tuner/config.hpp"
#include "tuner/kernel_instance.hpp"
#include "tuner/measurement.hpp"
#include "tuner/template_registry.hpp"
#include "tuner/time_util.hpp"

namespace tkbench {

// Graph timing rotates over at most this many input sets (each launch finding
// its inputs out of L2 needs sets x footprint > 2 x L2): a problem too small
// for that is timed partly from L2.
constexpr int kMaxRotationSets = 4096;

struct EvaluationRequest {
  std::string template_name;
  std::vector<long long> dims;
  DType dtype = DType::fp32;
  Config config;
  bool cold_l2 = true;
  StoppingRule rule;
  ThrottlePolicy throttle;           // samples under a throttled clock: dropped, the GPU rests (profiler/throttle_guard.hpp)
  std::uint64_t seed = 1;
  double graph_below_us = 20;  // kernels faster than this are timed as CUDA graphs
  bool baseline = false;             // time the template's [baseline] library instead of `config` (config binds tensor maps only)
  std::vector<std::string> metrics;  // CUPTI metrics, collected right after verification instead of timing; empty: time

  // A request for `config` of `problem`, with the default timing rule.
  static EvaluationRequest for_config(const TemplateSpec& spec, const Problem& problem, const Config& config) {
    EvaluationRequest r;
    r.template_name = spec.name;
    r.dims = problem.dims;
    r.dtype = problem.dtype;
    r.config = config;
    return r;
  }
};

// A config that did not compile: the coordinator records compile_error.
struct CompileFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Evaluator {
 public:
  Evaluator(const TemplateRegistry& registry, const Compiler& compiler, const DeviceInfo& device);
  ~Evaluator();

  // Verifies, then times, or with request.metrics collects counters instead.
  // Throws CompileFailure, InputError (buffers do not fit), CudaError (a fault).
  Measurement evaluate(const EvaluationRequest& request, const std::function<void()>& heartbeat);
  // The template's library baseline ([baseline], e.g. cuBLAS) on this
  // problem's buffers: checked against the template's reference, then timed
  // exactly as evaluate() times a kernel. Throws InputError without a
  // baseline, EnvironmentError when its library cannot be loaded.
  Measurement evaluate_baseline(const EvaluationRequest& request, const std::function<void()>& heartbeat);
  // The driver's device-to-device copy of `bytes`, timed like a kernel (calibration).
  TimingStats time_driver_copy(long long bytes, const StoppingRule& rule, const std::function<void()>& heartbeat);
  // Whether CUPTI's profiler has been set up in this process. From then on
  // every launch here is slower (0.2-0.6 us a launch on an H200, even with
  // the profiler disabled or de-initialised): nothing may be timed here again.
  bool profiler_touched() const { return profiler_touched_; }
  // Where the last evaluate() spent its time.
  const EvaluationCost& last_cost() const { return last_cost_; }

 private:
  const TemplateRegistry& registry_;
  const Compiler& compiler_;
  DeviceInfo device_;
  // Counters for `metrics`, or why they cannot be had (then not retried).
  void collect_counters(const std::vector<std::string>& metrics, const std::function<void()>& launch, Measurement& m);
  // The buffers of this problem, kept from the last config of the same
  // problem (inputs refilled) or allocated and filled now. `sets` 0: one set
  // with the reference's outputs, for verification; else that many input
  // sets to rotate through while timing.
  ProblemBuffers& buffers_for(const TemplateSpec& spec, const Problem& problem, std::uint64_t seed, int sets);
  // Verifies against the reference, run once per problem; outputs kept from
  // an earlier config never fail a config: a failure is checked again
  // against a fresh reference run.
  Verification verify_config(const TemplateSpec& spec, const Problem& problem, const EvaluationRequest& req,
                             const TestedCode& tested, ProblemBuffers& buffers);
  // Times launches made by `make_launch` for a buffer set: graphs for short
  // launches, input sets rotated past L2 when cold (kernels and baselines alike).
  TimingStats time_launches(const TemplateSpec& spec, const Problem& problem, const EvaluationRequest& req,
                            ProblemBuffers& buffers, const std::function<LaunchFn(ProblemBuffers&)>& make_launch,
                            const std::function<void()>& heartbeat, Stopwatch& watch);

  cudaStream_t stream_ = nullptr;
  std::unique_ptr<RuntimeKernels> runtime_;
  SmClock clock_;
  std::unique_ptr<RangeProfiler> profiler_;
  std::string profiler_unavailable_;
  bool profiler_touched_ = false;
  EvaluationCost last_cost_;
  std::unique_ptr<CublasLtGemm> baseline_;     // kept for the next request of the same GEMM
  std::string baseline_key_;
  // Kept between configs of one problem (template, shape, dtype, seed).
  std::string problem_key_;
  std::unique_ptr<ProblemBuffers> checked_;   // one input set + the reference's outputs
  std::unique_ptr<ProblemBuffers> rotation_;  // input sets rotated through in graph timing
  std::string reference_key_;                 // whose outputs checked_ holds; empty: none yet
};

}  // namespace tkbench
