#include "tuner/cubin_info.hpp"

#include <cstdint>
#include <cstring>
#include <string>

namespace tkbench {
namespace {

// .nv.info records: format byte, attribute byte, then a 16-bit value
// (EIFMT_HVAL) or a 16-bit size and that many bytes (EIFMT_SVAL).
constexpr std::uint8_t kFormatSizedValue = 0x04;
constexpr std::uint8_t kAttrMaxThreads = 0x05;
constexpr std::uint8_t kAttrRequiredThreads = 0x10;

template <typename T>
bool read_at(std::string_view bytes, std::size_t offset, T& out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(&out, bytes.data() + offset, sizeof(T));
  return true;
}

std::array<long long, 3> three_dims(std::string_view value) {
  std::array<long long, 3> dims{1, 1, 1};
  for (std::size_t i = 0; i < 3 && (i + 1) * 4 <= value.size(); ++i) {
    std::uint32_t v = 0;
    std::memcpy(&v, value.data() + 4 * i, 4);
    dims[i] = v;
  }
  return dims;
}

}  // namespace

std::optional<KernelLaunchLimits> read_kernel_launch_limits(std::string_view cubin, std::string_view lowered_name) {
  // ELF64, little endian: the only form CUBINs take.
  if (cubin.size() < 64 || cubin.substr(0, 4) != "\x7f" "ELF" || cubin[4] != 2 || cubin[5] != 1) return std::nullopt;
  std::uint64_t section_table = 0;
  std::uint16_t entry_size = 0, count = 0, names_index = 0;
  if (!read_at(cubin, 0x28, section_table) || !read_at(cubin, 0x3a, entry_size) || !read_at(cubin, 0x3c, count) ||
      !read_at(cubin, 0x3e, names_index) || entry_size < 64 || names_index >= count)
    return std::nullopt;
  auto section = [&](std::size_t i, std::uint32_t& name, std::uint64_t& offset, std::uint64_t& size) {
    const std::size_t at = section_table + i * entry_size;
    return read_at(cubin, at, name) && read_at(cubin, at + 0x18, offset) && read_at(cubin, at + 0x20, size) &&
           offset <= cubin.size() && size <= cubin.size() - offset;
  };
  std::uint32_t unused_name = 0;
  std::uint64_t names_offset = 0, names_size = 0;
  if (!section(names_index, unused_name, names_offset, names_size)) return std::nullopt;
  const std::string_view names = cubin.substr(names_offset, names_size);
  const std::string wanted = ".nv.info." + std::string(lowered_name);

  for (std::size_t i = 0; i < count; ++i) {
    std::uint32_t name = 0;
    std::uint64_t offset = 0, size = 0;
    if (!section(i, name, offset, size) || name >= names.size()) continue;
    const std::string_view section_name = names.substr(name, names.substr(name).find('\0'));
    if (section_name != wanted) continue;
    const std::string_view info = cubin.substr(offset, size);
    KernelLaunchLimits limits;
    for (std::size_t at = 0; at + 4 <= info.size();) {
      const auto format = static_cast<std::uint8_t>(info[at]), attribute = static_cast<std::uint8_t>(info[at + 1]);
      std::uint16_t value_size = 0;
      read_at(info, at + 2, value_size);
      if (format != kFormatSizedValue) {
        at += 4;
        continue;
      }
      const std::string_view value = info.substr(at + 4, value_size);
      if (attribute == kAttrMaxThreads) limits.max_threads = three_dims(value);
      if (attribute == kAttrRequiredThreads) limits.required_threads = three_dims(value);
      at += 4 + value_size;
    }
    return limits;
  }
  return std::nullopt;
}

}  // namespace tkbench
