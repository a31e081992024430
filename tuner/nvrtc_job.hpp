#pragma once
// One NVRTC compile as plain data: the program (source, headers, options), the
// kernel asked for, and what NVRTC gave back. The Compiler runs a job in this
// process, or hands it to a compile server process (CompileServers), so the
// job and its output also have a JSON form.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tkbench {

struct NvrtcJob {
  std::string source_name, source_text;
  std::vector<std::string> header_names, header_texts;  // local headers, included by these names
  std::vector<std::string> options;
  std::string name_expression;                          // the kernel to instantiate and look up
  std::string arch;                                     // for messages; the options carry the target
};

struct NvrtcOutput {
  bool ok = false;
  std::string error;         // when not ok: what failed and NVRTC's log
  std::string lowered_name;  // when ok
  std::string cubin;         // when ok: the image, bytes
  std::string log;           // NVRTC's log (warnings, ptxas -v), also when ok
};

NvrtcOutput run_nvrtc(const NvrtcJob& job);

nlohmann::ordered_json to_json(const NvrtcJob& job);
NvrtcJob nvrtc_job_from_json(const nlohmann::ordered_json& j);  // throws nlohmann::json::exception
nlohmann::ordered_json to_json(const NvrtcOutput& output);
NvrtcOutput nvrtc_output_from_json(const nlohmann::ordered_json& j);

}  // namespace tkbench
