#include "profiler/default_metrics.hpp"

namespace tkbench {

const std::vector<std::string>& default_metrics(std::string_view compute_pipe) {
  static const std::vector<std::string> memory = {metric::kDuration, metric::kDramRead, metric::kDramWrite,
                                                  metric::kDramThroughput, metric::kWarpsActive};
  static const std::vector<std::string> tensor = [] {
    std::vector<std::string> m = memory;
    m.insert(m.end(), {metric::kTensorPipeElapsed, metric::kTensorPipeActive, metric::kL2RequestHitRate});
    return m;
  }();
  return compute_pipe == "tensor" ? tensor : memory;
}

}  // namespace tkbench
