#pragma once
// SHA-256 (FIPS 180-4), for cache keys and template source hashes.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tkbench {

class Sha256 {
 public:
  Sha256();
  // Each update is length-prefixed, so ("ab","c") and ("a","bc") hash differently.
  Sha256& update(std::string_view data);
  Sha256& update_raw(const void* data, std::size_t size);
  std::string hex_digest();  // finishes the hash; call once

 private:
  void block(const std::uint8_t* p);
  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

// Plain SHA-256 of a byte string (no length prefix): matches sha256sum.
std::string sha256_hex(std::string_view data);

}  // namespace tkbench
