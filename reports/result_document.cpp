#include "reports/result_document.hpp"

#include <fmt/format.h>

#include "tuner/errors.hpp"
#include "tuner/file_util.hpp"
#include "tuner/result_json.hpp"

namespace tkbench {
using json = nlohmann::ordered_json;

DevicePeaks device_peaks_from_json(const json& d) {
  DevicePeaks p;
  p.device.name = d.at("name");
  p.device.uuid = d.value("uuid", "");
  const std::string arch = d.at("arch");  // "sm_90"
  if (arch.size() >= 5 && arch.rfind("sm_", 0) == 0) {
    int number = std::stoi(arch.substr(3));
    p.device.cc_major = number / 10;
    p.device.cc_minor = number % 10;
  }
  p.device.sm_count = d.value("sm_count", 0);
  p.device.l2_bytes = d.value("l2_bytes", 0LL);
  p.device.sm_clock_khz = d.value("sm_clock_khz", 0);
  p.theoretical_bandwidth = d.at("theoretical_bandwidth");
  p.fp32_flops = d.value("fp32_flops", 0.0);
  p.tensor_bf16_flops = d.value("tensor_bf16_flops", 0.0);
  p.driver_version = d.value("driver_version", 0);
  p.runtime_version = d.value("runtime_version", 0);
  if (d.contains("calibration") && !d.at("calibration").is_null()) {
    const json& c = d.at("calibration");
    Calibration cal;
    cal.bandwidth = c.at("bandwidth");
    cal.source = c.value("source", "");
    if (c.contains("copy_kernel")) {
      cal.copy_kernel_bandwidth = c.at("copy_kernel").value("bandwidth", 0.0);
      cal.copy_kernel_config = c.at("copy_kernel").value("config", "");
      cal.configs_tried = c.at("copy_kernel").value("configs_tried", 0);
    }
    if (c.contains("driver_copy")) cal.driver_copy_bandwidth = c.at("driver_copy").value("bandwidth", 0.0);
    cal.bytes_per_buffer = c.value("bytes_per_buffer", 0LL);
    cal.measured_at = c.value("measured_at", "");
    p.calibration = cal;
  }
  return p;
}

ResultDocument load_result_document(const std::filesystem::path& path) {
  ResultDocument doc;
  doc.path = path.string();
  auto fail = [&](const std::string& why) { return InputError(fmt::format("{}: {}", path.string(), why)); };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw fail("no such file");
  auto text = read_file(path);
  if (!text) throw fail("cannot read it");
  json j;
  try {
    j = json::parse(*text);
  } catch (const json::parse_error& e) {
    throw fail(fmt::format("not valid JSON: {}", e.what()));
  }
  if (!j.is_object()) throw fail("not a tkbench results document (the top level is not an object)");
  const std::string schema = j.value("schema", "");
  if (schema != ResultSet::kSchema && schema != "tkbench.bench/1")
    throw fail(schema.empty() ? fmt::format("not a tkbench results document (no \"schema\"; expected \"{}\")", ResultSet::kSchema)
                              : fmt::format("schema \"{}\" is not one tkbench reads (expected \"{}\")", schema, ResultSet::kSchema));
  doc.set.tool_version = j.value("tool_version", "");
  doc.set.created_at = j.value("created_at", "");
  try {
    doc.set.device = j.at("device");
    doc.peaks = device_peaks_from_json(doc.set.device);
  } catch (const std::exception& e) {
    throw fail(fmt::format("malformed \"device\": {}", e.what()));
  }
  if (!j.contains("results") || !j.at("results").is_array()) throw fail("no \"results\" array");
  std::size_t index = 0;
  for (const auto& record : j.at("results")) {
    try {
      doc.set.results.push_back(result_from_json(record));
      const json& figures = record.at("figures");
      doc.workloads.push_back({figures.at("ideal_bytes").get<double>(), figures.at("flops").get<double>(),
                               figures.value("compute_pipe", "fp32")});
    } catch (const std::exception& e) {
      throw fail(fmt::format("result {} is malformed: {}", index, e.what()));
    }
    ++index;
  }
  return doc;
}

}  // namespace tkbench
