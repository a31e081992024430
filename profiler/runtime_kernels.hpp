#pragma once
// tkbench's own device kernels (templates/runtime/runtime.cu): random fills,
// type conversion, comparison, L2 flush. Compiled through the same NVRTC
// compiler and cache as templates, loaded lazily per dtype.
#include <cuda_runtime_api.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <span>
#include <utility>

#include "profiler/loaded_kernel.hpp"
#include "profiler/sample_clock.hpp"
#include "tuner/compiler.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

struct Comparison {
  double sum_sq_diff = 0, sum_sq_ref = 0, max_abs_diff = 0;
  unsigned long long nonfinite = 0;
  unsigned long long first_bad = ~0ull;  // ~0: none
};

// runtime.cu and the tkbench headers, as NVRTC compiles them (tested offline).
TemplateSpec runtime_source();

class RuntimeKernels {
 public:
  // `l2_bytes`: the device's L2 size; the flush reads twice that.
  RuntimeKernels(const Compiler& compiler, std::string arch, int sm_count, long long l2_bytes);
  ~RuntimeKernels();

  void fill(void* p, DType dtype, long long n, std::uint64_t seed, const InitDistribution& dist, cudaStream_t stream);
  void convert(const void* src, DType src_dtype, void* dst, DType dst_dtype, long long n, cudaStream_t stream);
  // Synchronises the stream and returns the sums; elements with |diff| > elem_tol count as bad.
  Comparison compare(const void* test, DType test_dtype, const void* ref, DType ref_dtype, long long n,
                     double elem_tol, cudaStream_t stream);
  // The scales of a quantized output: element i is compared as value * scale[i / group].
  struct Scales {
    const void* test;
    DType test_dtype;
    const void* ref;
    DType ref_dtype;
    long long group;
  };
  // compare, dequantized: each side's values times its own scales.
  Comparison compare_scaled(const void* test, DType test_dtype, const void* ref, DType ref_dtype, const Scales& scales,
                            long long n, double elem_tol, cudaStream_t stream);
  void flush_l2(cudaStream_t stream);
  // Enqueue the clock probe (one block per SM) just before and just after a
  // sample. The before-probe returns the stamp its readings carry; the
  // after-probe's are one more. Stamps never repeat, so no stale reading pairs.
  unsigned long long probe_clock_before(cudaStream_t stream);
  void probe_clock_after(cudaStream_t stream);
  // Enqueues the copy of both reading sets to pinned host memory; after the
  // caller has synchronised the stream, clock_readings() holds them, indexed
  // by SM (views of the pinned buffer, valid until the next readout). One
  // synchronisation per sample, as before the probe.
  void enqueue_clock_readout(cudaStream_t stream);
  std::pair<std::span<const ClockReading>, std::span<const ClockReading>> clock_readings() const;
  long long flush_bytes() const { return flush_bytes_; }

 private:
  const LoadedKernel& get(const std::string& name_expression);
  void launch_grid_stride(const LoadedKernel& k, long long n, void** args, cudaStream_t stream);

  const Compiler& compiler_;
  std::string arch_;
  int sm_count_;
  TemplateSpec source_;
  std::map<std::string, std::unique_ptr<LoadedKernel>> loaded_;
  void* scratch_ = nullptr;      // flush buffer
  long long flush_bytes_ = 0;
  void* sums_ = nullptr;         // device Comparison
  int* sink_ = nullptr;
  unsigned long long* probes_ = nullptr;  // two sets of kClockProbeSlots ClockReadings: before, after
  ClockReading* host_probes_ = nullptr;   // pinned: the readout's destination
  unsigned long long probe_seq_ = 0;      // the last stamp given

  void probe_clock(int slot, unsigned long long seq, cudaStream_t stream);
};

}  // namespace tkbench
