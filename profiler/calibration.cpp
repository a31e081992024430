#include "profiler/calibration.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "tuner/time_util.hpp"

#include "profiler/remote_evaluation.hpp"
#include "profiler/size_calibration.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/interrupt.hpp"
#include "tuner/result_json.hpp"
#include "tuner/search_space.hpp"

namespace tkbench {
namespace {

StoppingRule calibration_rule() {
  StoppingRule rule;
  rule.max_seconds = 0.3;  // 96 configs: about half a minute in all
  rule.max_samples = 500;
  return rule;
}

// The dense bf16 tensor roof as a library reaches it: the built-in gemm's
// [baseline] (cuBLAS) at 8192^3, where it runs at its best (H200: 750-756
// TFLOP/s through torch.matmul). Left at 0, with a note, when it cannot run.
void measure_tensor_roof(WorkerClient& worker, const TemplateRegistry& registry, Calibration& c) {
  if (interrupted()) return;
  auto found = std::find_if(registry.all().begin(), registry.all().end(), [](const TemplateSpec& s) { return s.name == "gemm"; });
  if (found == registry.all().end() || !found->baseline) return;
  const TemplateSpec& gemm = *found;
  const long long n = 8192;
  Problem problem = make_problem(gemm, {n, n, n}, DType::bf16);
  auto config = SearchSpace(gemm, problem).default_config();
  if (!config) return;
  EvaluationRequest req = EvaluationRequest::for_config(gemm, problem, *config);
  req.rule.max_seconds = 1.0;
  Result r = evaluate_library_baseline(worker, gemm, problem, req);
  if (r.status != Status::ok || !r.measurement || !r.measurement->timing) {
    diagnostics().warn(fmt::format("the tensor roof was not measured: {} ({})", status_name(r.status), r.reason));
    return;
  }
  c.tensor_bf16_flops = 2.0 * n * n * n / (r.measurement->timing->median_us * 1e-6);
  c.tensor_source = fmt::format("{} {}x{}x{} bf16", gemm.baseline->display_name(), n, n, n);
}

}  // namespace

Calibration calibrate_bandwidth(WorkerClient& worker, const TemplateRegistry& registry, const DeviceInfo& device,
                                const CalibrationProgress& progress) {
  Calibration c;
  // Each buffer at least 1 GiB and 4x L2: read + write >= 8x L2.
  c.bytes_per_buffer = std::max<long long>(1LL << 30, 4 * device.l2_bytes);
  const TemplateSpec& copy = registry.get("copy");
  Problem problem = make_problem(copy, {c.bytes_per_buffer / 2}, DType::bf16);
  auto configs = SearchSpace(copy, problem).enumerate();
  const double moved = 2.0 * static_cast<double>(c.bytes_per_buffer);

  int done = 0;
  for (const auto& config : configs) {
    if (interrupted()) break;
    EvaluationRequest req = EvaluationRequest::for_config(copy, problem, config);
    req.rule = calibration_rule();
    Result r = Result::for_config(copy, problem, config);
    evaluate_remotely(worker, req, r);
    if (r.status == Status::ok && r.measurement->timing) {
      double bw = moved / (r.measurement->timing->median_us * 1e-6);
      if (bw > c.copy_kernel_bandwidth) {
        c.copy_kernel_bandwidth = bw;
        c.copy_kernel_config = config.str();
      }
    }
    ++c.configs_tried;
    if (progress)
      progress(fmt::format("{}/{} copy configs, best {:.2f} TB/s", ++done, configs.size(), c.copy_kernel_bandwidth / 1e12), false);
  }

  nlohmann::ordered_json request = {{"op", "driver_copy"}, {"bytes", c.bytes_per_buffer},
                                    {"rule", {{"max_seconds", 1.0}, {"max_samples", 500}}}};
  WorkerReply reply = worker.call(request);
  if (reply.kind == WorkerReply::Kind::result)
    c.driver_copy_bandwidth = moved / (timing_from_json(reply.payload.at("timing")).median_us * 1e-6);
  else
    throw std::runtime_error("timing the driver's copy failed: " + reply.reason);

  measure_tensor_roof(worker, registry, c);
  if (!interrupted()) {
    BandwidthCurve curve = calibrate_size_curve(worker, registry, device, default_size_plan(), c.copy_kernel_config,
                                                [&](int done_here, int total) {
                                                  if (progress) progress(fmt::format("size curve: {}/{} copies", done_here, total), false);
                                                });
    if (curve.usable()) c.size_curve = std::move(curve);
    else if (!interrupted()) diagnostics().warn("the copy bandwidth over footprints was not measured: results are judged against the large copy alone");
  }
  if (progress) progress("", true);
  c.source = c.copy_kernel_bandwidth >= c.driver_copy_bandwidth ? "copy kernel" : "driver copy";
  c.bandwidth = std::max(c.copy_kernel_bandwidth, c.driver_copy_bandwidth);
  c.measured_at = utc_timestamp();
  c.tool_version = TKBENCH_VERSION;
  c.driver_version = probe_devices().driver_version;
  return c;
}

}  // namespace tkbench
