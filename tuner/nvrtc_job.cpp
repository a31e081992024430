#include "tuner/nvrtc_job.hpp"

#include <nvrtc.h>

#include <stdexcept>

#include <fmt/format.h>

namespace tkbench {
namespace {

std::string program_log(nvrtcProgram program) {
  std::size_t size = 0;
  if (nvrtcGetProgramLogSize(program, &size) != NVRTC_SUCCESS || size <= 1) return "";
  std::string log(size, '\0');
  nvrtcGetProgramLog(program, log.data());
  log.resize(size - 1);
  return log;
}

// Releases an NVRTC program on every path out of run_nvrtc().
struct ProgramGuard {
  nvrtcProgram program = nullptr;
  ~ProgramGuard() {
    if (program) nvrtcDestroyProgram(&program);
  }
};

// CUBINs cross the pipe as hex: twice the bytes of base64, and a few tens of
// KB per kernel against a compile of a tenth of a second.
std::string to_hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    hex.push_back(digits[b >> 4]);
    hex.push_back(digits[b & 15]);
  }
  return hex;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  throw std::invalid_argument(fmt::format("'{}' is not a hex digit", c));
}

std::string from_hex(const std::string& hex) {
  if (hex.size() % 2) throw std::invalid_argument("odd number of hex digits");
  std::string bytes(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<char>(hex_digit(hex[2 * i]) * 16 + hex_digit(hex[2 * i + 1]));
  return bytes;
}

}  // namespace

NvrtcOutput run_nvrtc(const NvrtcJob& job) {
  NvrtcOutput out;
  std::vector<const char*> texts, names;
  for (std::size_t i = 0; i < job.header_names.size(); ++i) {
    texts.push_back(job.header_texts.at(i).c_str());
    names.push_back(job.header_names[i].c_str());
  }
  ProgramGuard guard;
  nvrtcResult rc = nvrtcCreateProgram(&guard.program, job.source_text.c_str(), job.source_name.c_str(),
                                      static_cast<int>(texts.size()), texts.data(), names.data());
  if (rc != NVRTC_SUCCESS) {
    out.error = fmt::format("nvrtcCreateProgram: {}", nvrtcGetErrorString(rc));
    return out;
  }
  rc = nvrtcAddNameExpression(guard.program, job.name_expression.c_str());
  if (rc != NVRTC_SUCCESS) {
    out.error = fmt::format("nvrtcAddNameExpression('{}'): {}", job.name_expression, nvrtcGetErrorString(rc));
    return out;
  }
  std::vector<const char*> argv;
  for (const auto& o : job.options) argv.push_back(o.c_str());
  rc = nvrtcCompileProgram(guard.program, static_cast<int>(argv.size()), argv.data());
  out.log = program_log(guard.program);
  if (rc != NVRTC_SUCCESS) {
    out.error = fmt::format("{} for {}:\n{}", nvrtcGetErrorString(rc), job.name_expression, out.log);
    return out;
  }
  const char* lowered = nullptr;
  rc = nvrtcGetLoweredName(guard.program, job.name_expression.c_str(), &lowered);
  if (rc != NVRTC_SUCCESS || !lowered) {
    out.error = fmt::format("'{}' names no __global__ function in {}: {}", job.name_expression, job.source_name,
                            nvrtcGetErrorString(rc));
    return out;
  }
  out.lowered_name = lowered;
  std::size_t cubin_size = 0;
  rc = nvrtcGetCUBINSize(guard.program, &cubin_size);
  if (rc != NVRTC_SUCCESS || cubin_size == 0) {
    out.error = fmt::format("no CUBIN for {} (is '{}' a real sm_ arch?): {}", job.name_expression, job.arch,
                            nvrtcGetErrorString(rc));
    return out;
  }
  out.cubin.resize(cubin_size);
  nvrtcGetCUBIN(guard.program, out.cubin.data());
  out.ok = true;
  return out;
}

nlohmann::ordered_json to_json(const NvrtcJob& job) {
  return {{"source_name", job.source_name}, {"source_text", job.source_text}, {"header_names", job.header_names},
          {"header_texts", job.header_texts}, {"options", job.options},          {"name_expression", job.name_expression},
          {"arch", job.arch}};
}

NvrtcJob nvrtc_job_from_json(const nlohmann::ordered_json& j) {
  NvrtcJob job;
  job.source_name = j.at("source_name");
  job.source_text = j.at("source_text");
  job.header_names = j.at("header_names").get<std::vector<std::string>>();
  job.header_texts = j.at("header_texts").get<std::vector<std::string>>();
  if (job.header_names.size() != job.header_texts.size())
    throw std::invalid_argument("header_names and header_texts differ in length");
  job.options = j.at("options").get<std::vector<std::string>>();
  job.name_expression = j.at("name_expression");
  job.arch = j.at("arch");
  return job;
}

nlohmann::ordered_json to_json(const NvrtcOutput& output) {
  return {{"ok", output.ok},   {"error", output.error}, {"lowered_name", output.lowered_name},
          {"cubin_hex", to_hex(output.cubin)}, {"log", output.log}};
}

NvrtcOutput nvrtc_output_from_json(const nlohmann::ordered_json& j) {
  NvrtcOutput out;
  out.ok = j.at("ok");
  out.error = j.at("error");
  out.lowered_name = j.at("lowered_name");
  out.cubin = from_hex(j.at("cubin_hex").get<std::string>());
  out.log = j.at("log");
  return out;
}

}  // namespace tkbench
