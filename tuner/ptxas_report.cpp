#include "tuner/ptxas_report.hpp"

#include <regex>
#include <sstream>
#include <string>

namespace tkbench {
namespace {

long long number_before(const std::string& line, const std::string& suffix) {
  std::smatch m;
  if (std::regex_search(line, m, std::regex("(\\d+) " + suffix))) return std::stoll(m[1]);
  return 0;
}

}  // namespace

// The report comes as, per function:
//   ptxas info    : Compiling entry function '_Z3fooPf' for 'sm_90'
//   ptxas info    : Function properties for _Z3fooPf
//       16 bytes stack frame, 8 bytes spill stores, 8 bytes spill loads
//   ptxas info    : Used 40 registers, used 1 barriers, 1024 bytes smem, 368 bytes cmem[0]
// "Used" follows the entry it describes; device functions get their own
// "Function properties" block without a "Used" line.
std::optional<ResourceUsage> parse_ptxas_report(std::string_view log, std::string_view lowered_name) {
  std::istringstream in{std::string(log)};
  std::string line, current_entry, properties_of;
  ResourceUsage usage;
  bool found = false;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, std::regex(R"(Compiling entry function '([^']+)')"))) {
      current_entry = m[1];
      continue;
    }
    if (std::regex_search(line, m, std::regex(R"(Function properties for (\S+))"))) {
      properties_of = m[1];
      continue;
    }
    if (line.find("bytes stack frame") != std::string::npos) {
      if (properties_of == lowered_name) {
        usage.stack_bytes = number_before(line, "bytes stack frame");
        usage.spill_store_bytes = number_before(line, "bytes spill stores");
        usage.spill_load_bytes = number_before(line, "bytes spill loads");
      }
      continue;
    }
    if (line.find("Used ") != std::string::npos && line.find("registers") != std::string::npos &&
        current_entry == lowered_name) {
      usage.registers = static_cast<int>(number_before(line, "registers"));
      usage.barriers = static_cast<int>(number_before(line, "barriers"));
      usage.shared_static_bytes = number_before(line, "bytes smem");
      usage.const_bytes = number_before(line, R"(bytes cmem\[0\])");
      found = true;
    }
  }
  if (!found) return std::nullopt;
  return usage;
}

}  // namespace tkbench
