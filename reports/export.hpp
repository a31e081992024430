#pragma once
// `tkbench export`: the best config per shape from results documents, as a
// self-contained C++17 header (a constexpr table and a nearest-shape lookup)
// or as JSON for other tooling.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tkbench {

struct ExportedEntry {
  std::string template_name, dtype, shape;
  std::vector<std::string> dim_names;
  std::vector<long long> dims;
  std::vector<std::pair<std::string, long long>> config;
  double median_us = 0;
  nlohmann::ordered_json figures;
};

// The fastest ok result per (template, dtype, shape) over all documents.
// Throws InputError for a file that is not a results document.
std::vector<ExportedEntry> best_per_shape(const std::vector<std::string>& documents, nlohmann::ordered_json* device);

std::string export_header(const std::vector<ExportedEntry>& entries, const nlohmann::ordered_json& device,
                          const std::vector<std::string>& sources);
nlohmann::ordered_json export_json(const std::vector<ExportedEntry>& entries, const nlohmann::ordered_json& device);

}  // namespace tkbench
