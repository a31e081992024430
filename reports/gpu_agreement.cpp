#include "reports/gpu_agreement.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace tkbench {

std::vector<GpuDisagreement> same_model_disagreements(const std::vector<Result>& results,
                                                      const std::map<std::string, std::string>& model_of_gpu) {
  // (model, template, shape, dtype, config) -> the ok measurements of it.
  std::map<std::string, std::vector<const Result*>> groups;
  for (const auto& r : results) {
    auto model = model_of_gpu.find(r.gpu);
    if (model == model_of_gpu.end() || r.status != Status::ok || !r.measurement || !r.measurement->timing) continue;
    groups[model->second + '\n' + r.template_name + '\n' + r.problem.shape_str() + '\n' +
           std::string(dtype_info(r.problem.dtype).name) + '\n' + r.config.str()].push_back(&r);
  }
  std::vector<GpuDisagreement> out;
  for (const auto& [key, measured] : groups) {
    if (measured.size() < 2) continue;
    auto by_time = [](const Result* a, const Result* b) {
      return a->measurement->timing->median_us < b->measurement->timing->median_us;
    };
    const Result* fast = *std::min_element(measured.begin(), measured.end(), by_time);
    const Result* slow = *std::max_element(measured.begin(), measured.end(), by_time);
    if (fast->gpu == slow->gpu) continue;
    const auto& ft = *fast->measurement->timing;
    const auto& st = *slow->measurement->timing;
    const double allowed = std::max(0.01, 3 * std::sqrt(ft.rel_std_error * ft.rel_std_error + st.rel_std_error * st.rel_std_error));
    if (st.median_us / ft.median_us - 1 <= allowed) continue;
    out.push_back({model_of_gpu.at(fast->gpu), fast->template_name, fast->problem.shape_str(),
                   std::string(dtype_info(fast->problem.dtype).name), fast->config.str(), fast->gpu, slow->gpu,
                   ft.median_us, st.median_us, allowed});
  }
  return out;
}

std::string describe(const GpuDisagreement& d) {
  return fmt::format("{}: {} measured {} {} {} {} {:.1f}% slower than {} ({:.2f} against {:.2f} µs; their noise allows {:.1f}%): "
                     "a slow or throttled card? `nvidia-smi -q -d PERFORMANCE` says why a GPU runs slow",
                     d.model, d.slow_gpu, d.template_name, d.shape, d.dtype, d.config, 100 * (d.slow_us / d.fast_us - 1),
                     d.fast_gpu, d.slow_us, d.fast_us, 100 * d.allowed);
}

}  // namespace tkbench
