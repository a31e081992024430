#pragma once
// A results document read back from disk: what `report` and `gate` start
// from. Reading needs no GPU and no manifest: each record carries the ideal
// bytes and flops its template declared, and the document carries the GPU's peaks.
#include <filesystem>
#include <string>
#include <vector>

#include "profiler/device_peaks.hpp"
#include "reports/roofline.hpp"
#include "tuner/result_set.hpp"

namespace tkbench {

struct ResultDocument {
  std::string path;                // as given on the command line
  ResultSet set;
  DevicePeaks peaks;               // rebuilt from set.device
  std::vector<Workload> workloads; // one per set.results entry
};

// Reads a tkbench.results/1 document (or a tkbench.bench/1 one, same record
// shape). Throws InputError naming the file and what is wrong: unreadable,
// not JSON, another schema, a malformed record (with its index).
ResultDocument load_result_document(const std::filesystem::path& path);

}  // namespace tkbench
