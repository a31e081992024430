#include "profiler/runtime_kernels.hpp"

#include <algorithm>

#include "profiler/cuda_check.hpp"
#include "tuner/embedded_files.hpp"

namespace tkbench {

TemplateSpec runtime_source() {
  TemplateSpec spec;
  spec.name = "tkbench-runtime";
  for (const auto& f : embedded_files())
    if (f.path == "runtime/runtime.cu") spec.source = {"runtime.cu", std::string(f.contents)};
  // Every tkbench header: common.cuh includes the others by their include names.
  constexpr std::string_view kShared = "include/";
  for (const auto& f : embedded_files())
    if (f.path.substr(0, kShared.size()) == kShared)
      spec.headers.push_back({std::string(f.path.substr(kShared.size())), std::string(f.contents)});
  return spec;
}

namespace {

std::string cpp(DType d) { return std::string(dtype_info(d).cpp_type); }

}  // namespace

RuntimeKernels::RuntimeKernels(const Compiler& compiler, std::string arch, int sm_count, long long l2_bytes)
    : compiler_(compiler), arch_(std::move(arch)), sm_count_(sm_count), source_(runtime_source()) {
  flush_bytes_ = std::max<long long>(2 * l2_bytes, 16 << 20);
  check_cuda(cudaMalloc(&scratch_, static_cast<std::size_t>(flush_bytes_)), "allocating the L2 flush buffer");
  check_cuda(cudaMemset(scratch_, 1, static_cast<std::size_t>(flush_bytes_)), "initialising the L2 flush buffer");
  check_cuda(cudaMalloc(&sums_, sizeof(Comparison)), "allocating comparison sums");
  check_cuda(cudaMalloc(reinterpret_cast<void**>(&sink_), sizeof(int)), "allocating the flush sink");
  const std::size_t probe_bytes = 2 * kClockProbeSlots * sizeof(ClockReading);
  check_cuda(cudaMalloc(reinterpret_cast<void**>(&probes_), probe_bytes), "allocating the clock probe's readings");
  check_cuda(cudaMemset(probes_, 0, probe_bytes), "clearing the clock probe's readings");
  check_cuda(cudaMallocHost(reinterpret_cast<void**>(&host_probes_), probe_bytes), "allocating the clock probe's readout");
}

RuntimeKernels::~RuntimeKernels() {
  cudaFree(scratch_);
  cudaFree(sums_);
  cudaFree(sink_);
  cudaFree(probes_);
  cudaFreeHost(host_probes_);
}

const LoadedKernel& RuntimeKernels::get(const std::string& name_expression) {
  auto it = loaded_.find(name_expression);
  if (it != loaded_.end()) return *it->second;
  CompileOutcome out = compiler_.compile(source_, name_expression, arch_);
  if (!out.ok) throw std::runtime_error("internal: tkbench's runtime kernel " + name_expression + " failed to compile: " + out.error);
  auto loaded = std::make_unique<LoadedKernel>(out.kernel);
  return *loaded_.emplace(name_expression, std::move(loaded)).first->second;
}

void RuntimeKernels::launch_grid_stride(const LoadedKernel& k, long long n, void** args, cudaStream_t stream) {
  LaunchGeometry g;
  g.block = {256, 1, 1};
  g.grid = {std::clamp<long long>((n + 255) / 256, 1, static_cast<long long>(sm_count_) * 16), 1, 1};
  k.launch(g, args, stream);
}

void RuntimeKernels::fill(void* p, DType dtype, long long n, std::uint64_t seed, const InitDistribution& dist,
                          cudaStream_t stream) {
  const auto& k = get("tkb_runtime::fill_random<" + cpp(dtype) + ">");
  unsigned long long s = seed;
  int kind = dist.kind == InitDistribution::Kind::normal ? 0 : 1;
  double a = dist.a, b = dist.b;
  void* args[] = {&p, &n, &s, &kind, &a, &b};
  launch_grid_stride(k, n, args, stream);
}

void RuntimeKernels::convert(const void* src, DType src_dtype, void* dst, DType dst_dtype, long long n,
                             cudaStream_t stream) {
  if (src_dtype == dst_dtype) {
    check_cuda(cudaMemcpyAsync(dst, src, static_cast<std::size_t>(n) * dtype_info(src_dtype).size,
                               cudaMemcpyDeviceToDevice, stream), "copying a buffer");
    return;
  }
  const auto& k = get("tkb_runtime::convert<" + cpp(src_dtype) + ", " + cpp(dst_dtype) + ">");
  void* args[] = {&src, &dst, &n};
  launch_grid_stride(k, n, args, stream);
}

Comparison RuntimeKernels::compare(const void* test, DType test_dtype, const void* ref, DType ref_dtype, long long n,
                                   double elem_tol, cudaStream_t stream) {
  const auto& k = get("tkb_runtime::compare<" + cpp(test_dtype) + ", " + cpp(ref_dtype) + ">");
  Comparison init;
  check_cuda(cudaMemcpyAsync(sums_, &init, sizeof init, cudaMemcpyHostToDevice, stream), "resetting comparison sums");
  void* args[] = {&test, &ref, &n, &elem_tol, &sums_};
  launch_grid_stride(k, n, args, stream);
  Comparison out;
  check_cuda(cudaMemcpyAsync(&out, sums_, sizeof out, cudaMemcpyDeviceToHost, stream), "reading comparison sums");
  check_cuda(cudaStreamSynchronize(stream), "comparing outputs");
  return out;
}

Comparison RuntimeKernels::compare_scaled(const void* test, DType test_dtype, const void* ref, DType ref_dtype,
                                          const Scales& scales, long long n, double elem_tol, cudaStream_t stream) {
  const auto& k = get("tkb_runtime::compare_scaled<" + cpp(test_dtype) + ", " + cpp(ref_dtype) + ", " +
                      cpp(scales.test_dtype) + ", " + cpp(scales.ref_dtype) + ">");
  Comparison init;
  check_cuda(cudaMemcpyAsync(sums_, &init, sizeof init, cudaMemcpyHostToDevice, stream), "resetting comparison sums");
  const void* test_scale = scales.test;
  const void* ref_scale = scales.ref;
  long long group = scales.group;
  void* args[] = {&test, &ref, &test_scale, &ref_scale, &group, &n, &elem_tol, &sums_};
  launch_grid_stride(k, n, args, stream);
  Comparison out;
  check_cuda(cudaMemcpyAsync(&out, sums_, sizeof out, cudaMemcpyDeviceToHost, stream), "reading comparison sums");
  check_cuda(cudaStreamSynchronize(stream), "comparing outputs");
  return out;
}

void RuntimeKernels::flush_l2(cudaStream_t stream) {
  const auto& k = get("tkb_runtime::flush_l2");
  long long n = flush_bytes_ / 16;
  void* args[] = {&scratch_, &n, &sink_};
  launch_grid_stride(k, n, args, stream);
}

void RuntimeKernels::probe_clock(int slot, unsigned long long seq, cudaStream_t stream) {
  const auto& k = get("tkb_runtime::clock_probe");
  unsigned long long* out = probes_ + 3 * kClockProbeSlots * slot;
  int slots = kClockProbeSlots;
  void* args[] = {&out, &seq, &slots};
  LaunchGeometry g;
  g.grid = {sm_count_, 1, 1};  // one block per SM, as the scheduler spreads them
  g.block = {32, 1, 1};
  k.launch(g, args, stream);
}

unsigned long long RuntimeKernels::probe_clock_before(cudaStream_t stream) {
  probe_seq_ += 2;
  probe_clock(0, probe_seq_, stream);
  return probe_seq_;
}

void RuntimeKernels::probe_clock_after(cudaStream_t stream) { probe_clock(1, probe_seq_ + 1, stream); }

void RuntimeKernels::enqueue_clock_readout(cudaStream_t stream) {
  static_assert(sizeof(ClockReading) == 3 * sizeof(unsigned long long), "the probe writes three words a reading");
  check_cuda(cudaMemcpyAsync(host_probes_, probes_, 2 * kClockProbeSlots * sizeof(ClockReading), cudaMemcpyDeviceToHost,
                             stream),
             "reading the clock probe");
}

std::pair<std::span<const ClockReading>, std::span<const ClockReading>> RuntimeKernels::clock_readings() const {
  return {{host_probes_, kClockProbeSlots}, {host_probes_ + kClockProbeSlots, kClockProbeSlots}};
}

}  // namespace tkbench
