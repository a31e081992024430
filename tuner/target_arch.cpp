#include "tuner/target_arch.hpp"

#include "tuner/occupancy.hpp"

#include <optional>
#include <regex>

#include <fmt/format.h>

namespace tkbench {
namespace {

struct ArchName {
  int compute_capability = 0;  // 90 for sm_90 and sm_90a
  bool arch_specific = false;  // the "a" suffix
};

std::optional<ArchName> parse_arch(const std::string& arch) {
  static const std::regex form(R"(sm_(\d+)(a?))");
  std::smatch m;
  if (!std::regex_match(arch, m, form)) return std::nullopt;
  return ArchName{std::stoi(m[1]), m[2] == "a"};
}

}  // namespace

std::string target_arch(const TemplateSpec& spec, const std::string& arch) {
  if (spec.arch.empty()) return arch;
  const auto required = parse_arch(spec.arch);
  const auto asked = parse_arch(arch);
  if (!required || !asked) return arch;  // the manifest's form is checked at load; NVRTC judges unusual names
  if (required->arch_specific) {
    if (asked->compute_capability == required->compute_capability) return spec.arch;
    throw InputError(fmt::format("template '{}' needs {} (its manifest's arch: instructions only that compute capability "
                                 "has); the target is {}",
                                 spec.name, spec.arch, arch));
  }
  if (asked->compute_capability < required->compute_capability)
    throw InputError(fmt::format("template '{}' needs {} or newer (its manifest's arch); the target is {}", spec.name,
                                 spec.arch, arch));
  return arch;
}

long long default_sm_count(const std::string& arch) {
  const auto a = parse_arch(arch);
  if (!a) return 132;
  switch (a->compute_capability) {
    case 80: return 108;  // A100
    case 86: return 84;   // A40
    case 89: return 142;  // L40S
    case 100: return 148; // B200
    default: return 132;  // H100 / H200 SXM
  }
}

long long max_shared_bytes_of(const std::string& arch) {
  const ArchLimits* limits = arch_limits(arch);
  return limits ? limits->max_shared_per_block : 232448;
}

}  // namespace tkbench
