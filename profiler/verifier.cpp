#include "profiler/verifier.hpp"

#include <cmath>
#include <optional>

#include "profiler/cuda_check.hpp"

namespace tkbench {

Verification verify(const LoadedKernel& kernel, const LaunchGeometry& geometry, const LoadedKernel* reference,
                    const LaunchGeometry& reference_geometry, ProblemBuffers& buffers, RuntimeKernels& runtime,
                    double tolerance, cudaStream_t stream, bool reference_outputs_ready) {
  TestedCode tested{kernel.name(), [&](cudaStream_t s) {
                      ArgPack args = buffers.kernel_args(0);
                      kernel.launch(geometry, args.data(), s);
                    }};
  return verify(tested, reference, reference_geometry, buffers, runtime, tolerance, stream, reference_outputs_ready);
}

Verification verify(const TestedCode& tested, const LoadedKernel* reference, const LaunchGeometry& reference_geometry,
                    ProblemBuffers& buffers, RuntimeKernels& runtime, double tolerance, cudaStream_t stream,
                    bool reference_outputs_ready) {
  Verification v;
  const bool have_reference = reference != nullptr || reference_outputs_ready;
  v.verified = have_reference;
  v.tolerance = tolerance;
  if (reference) {
    buffers.copy_inouts_to_reference(runtime, stream);
    buffers.poison_reference_outputs(stream);
    ArgPack args = buffers.reference_args();
    reference->launch(reference_geometry, args.data(), stream);
    check_cuda(cudaStreamSynchronize(stream), "running the reference " + reference->name());
  }
  buffers.poison_outputs(stream);
  tested.run(stream);
  check_cuda(cudaStreamSynchronize(stream), "running " + tested.name);

  v.passed = true;
  double worst_share = -1;  // the named buffer's error over its tolerance
  const auto outputs = buffers.outputs();
  for (const auto& out : outputs) {
    // Without a reference, compare the output with itself: that still counts
    // NaN/Inf, which is what an unwritten (poisoned) element reads as.
    const DeviceBuffer& ref = have_reference ? out.reference : out.test;
    const double allowed = out.tolerance.value_or(tolerance);
    // A quantized output is compared dequantized: each side's codes times its own scales.
    std::optional<RuntimeKernels::Scales> scales;
    if (!out.scale.empty())
      for (const auto& s : outputs)
        if (s.name == out.scale) {
          const DeviceBuffer& s_ref = have_reference ? s.reference : s.test;
          scales = RuntimeKernels::Scales{s.test.ptr, s.test.dtype, s_ref.ptr, s_ref.dtype, out.scale_group};
        }
    auto compare = [&](double elem_tol) {
      return scales ? runtime.compare_scaled(out.test.ptr, out.test.dtype, ref.ptr, ref.dtype, *scales, out.test.count, elem_tol, stream)
                    : runtime.compare(out.test.ptr, out.test.dtype, ref.ptr, ref.dtype, out.test.count, elem_tol, stream);
    };
    // First pass: the norms. An element is "bad" when its error exceeds the
    // tolerance times the reference's RMS (or it is not finite).
    Comparison c = compare(INFINITY);
    double rms_ref = out.test.count ? std::sqrt(c.sum_sq_ref / static_cast<double>(out.test.count)) : 0;
    double rel = c.sum_sq_ref > 0 ? std::sqrt(c.sum_sq_diff / c.sum_sq_ref) : (c.sum_sq_diff > 0 ? INFINITY : 0);
    bool ok = c.nonfinite == 0 && rel <= allowed;
    if (!ok && c.nonfinite == 0) {  // find the first element off by more than the tolerance allows
      double elem_tol = allowed > 0 ? allowed * std::max(rms_ref, 1e-30) : 0;
      c.first_bad = compare(elem_tol).first_bad;
    }
    // The first failing buffer names the failure; while all pass, the one
    // nearest its tolerance is named. Its error and tolerance are reported.
    const double share = allowed > 0 ? rel / allowed : (rel > 0 ? INFINITY : 0);
    if (!ok && v.passed) {
      v.buffer = out.name;
      v.first_bad_index = c.first_bad == ~0ull ? -1 : static_cast<long long>(c.first_bad);
      v.rel_l2_error = rel;
      v.tolerance = allowed;
    } else if (v.passed && share >= worst_share) {
      worst_share = share;
      v.buffer = out.name;
      v.rel_l2_error = rel;
      v.tolerance = allowed;
    }
    v.max_abs_error = std::max(v.max_abs_error, c.max_abs_diff);
    v.nonfinite += static_cast<long long>(c.nonfinite);
    v.passed = v.passed && ok;
  }
  return v;
}

}  // namespace tkbench
