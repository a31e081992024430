#pragma once
// CUPTI's Profiler Host API: metric names, config images and pass counts for
// a chip ("GH100"). Needs no GPU, so metric lists are validated offline (and
// in CI) exactly as they will be on the device.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace tkbench {

// CUPTI parameter structs: zeroed, with their size set (CUPTI checks it).
template <typename Params>
Params cupti_params(std::size_t struct_size) {
  Params p{};
  p.structSize = struct_size;
  return p;
}

// A CUPTI failure, with CUPTI's own words and, where known, what to do.
struct CuptiError : std::runtime_error {
  int code;
  CuptiError(int c, const std::string& what) : std::runtime_error(what), code(c) {}
};
// "what: CUPTI_ERROR_...: explanation" with advice for the failures users meet.
std::string describe_cupti_error(int code, const std::string& what);

class MetricConfig {
 public:
  // Throws InputError for an unknown chip or metric (with the nearest valid
  // names), CuptiError for other failures. `availability` is the device's
  // counter availability image, when profiling a real device.
  MetricConfig(std::string chip, std::vector<std::string> metrics, const std::vector<std::uint8_t>& availability = {});
  ~MetricConfig();
  MetricConfig(const MetricConfig&) = delete;
  MetricConfig& operator=(const MetricConfig&) = delete;

  const std::string& chip() const { return chip_; }
  const std::vector<std::string>& metrics() const { return metrics_; }
  const std::vector<std::uint8_t>& config_image() const { return config_image_; }
  std::size_t passes() const { return passes_; }
  // The metrics' values for `range` of a decoded counter data image.
  std::vector<double> evaluate(const std::vector<std::uint8_t>& counter_data, std::size_t range) const;

  // Up to `count` valid names closest to `name` (edit distance), for messages.
  std::vector<std::string> nearest_metrics(const std::string& name, std::size_t count) const;
  static std::vector<std::string> supported_chips();

 private:
  std::string chip_;
  std::vector<std::string> metrics_;
  struct HostObject;
  std::unique_ptr<HostObject> host_;
  std::vector<std::uint8_t> config_image_;
  std::size_t passes_ = 0;
};

}  // namespace tkbench
