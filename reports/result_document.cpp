#include "reports/result_document.hpp"

#include <fmt/format.h>

#include "tuner/errors.hpp"
#include "tuner/file_util.hpp"
#include "tuner/result_json.hpp"

namespace tkbench {
using json = nlohmann::ordered_json;

ResultDocument load_result_document(const std::filesystem::path& path) {
  ResultDocument doc;
  doc.path = path.string();
  auto fail = [&](const std::string& why) { return InputError(fmt::format("{}: {}", path.string(), why)); };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw fail("no such file");
  if (std::filesystem::is_directory(path, ec))
    throw fail("is a folder; give a results document in it, the .json file that tune -o, gate --spec -o or bench --json "
               "wrote (e.g. tkbench-results/rmsnorm-TIME.json)");
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
  index = 0;
  for (const auto& record : j.value("baselines", json::array())) {
    try {
      doc.set.baselines.push_back(result_from_json(record));
    } catch (const std::exception& e) {
      throw fail(fmt::format("baseline {} is malformed: {}", index, e.what()));
    }
    ++index;
  }
  return doc;
}

}  // namespace tkbench
