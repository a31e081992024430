#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "test_helpers.hpp"
#include "tuner/kernel_cache.hpp"

using namespace tkbench;
namespace fs = std::filesystem;

namespace {
CompiledKernel sample_kernel(const std::string& key) {
  CompiledKernel k;
  k.name_expression = "f<1>";
  k.lowered_name = "_Z1fILi1EEvv";
  k.arch = "sm_90";
  k.cubin = std::string("\x7f" "ELF\0\1\2binary", 14);
  k.resources.registers = 40;
  k.resources.spill_store_bytes = 8;
  k.log = "ptxas info : Used 40 registers";
  k.compile_ms = 123;
  k.cache_key = key;
  return k;
}
const std::string kKey = std::string(64, 'a');
}  // namespace

TEST_CASE("cache entries round-trip / binary bytes included", "[cache]") {
  auto k = sample_kernel(kKey);
  std::string why;
  auto back = KernelCache::decode(KernelCache::encode(k), &why);
  REQUIRE(back);
  CHECK(back->cubin == k.cubin);
  CHECK(back->lowered_name == k.lowered_name);
  CHECK(back->resources.registers == 40);
  CHECK(back->resources.spill_store_bytes == 8);
}

TEST_CASE("truncated and altered entries are detected", "[cache]") {
  std::string bytes = KernelCache::encode(sample_kernel(kKey));
  std::string why;
  CHECK_FALSE(KernelCache::decode(bytes.substr(0, bytes.size() - 3), &why));
  CHECK(why == "truncated");
  std::string flipped = bytes;
  flipped[flipped.size() - 2] ^= 0x01;
  CHECK_FALSE(KernelCache::decode(flipped, &why));
  CHECK(why == "checksum mismatch");
  CHECK_FALSE(KernelCache::decode("garbage", &why));
}

TEST_CASE("store then load hits - a corrupt entry is a miss and is removed", "[cache]") {
  auto dir = test::temp_dir("cache");
  KernelCache cache(dir);
  REQUIRE(cache.enabled());
  CHECK_FALSE(cache.load(kKey));
  cache.store(sample_kernel(kKey));
  auto hit = cache.load(kKey);
  REQUIRE(hit);
  CHECK(hit->cache_hit);
  CHECK(cache.info().entries == 1);

  fs::path entry = dir / "kernels" / kKey.substr(0, 2) / (kKey + ".tkbc");
  REQUIRE(fs::exists(entry));
  fs::resize_file(entry, fs::file_size(entry) - 5);  // a crash mid-write by another tool, a bad disk
  CHECK_FALSE(cache.load(kKey));
  CHECK_FALSE(fs::exists(entry));  // removed, so the next compile rewrites it
  CHECK(cache.clear() == 0);
  fs::remove_all(dir);
}

TEST_CASE("a cache directory that cannot be created turns caching off", "[cache]") {
  // A path below a regular file fails even for root, unlike permission bits.
  auto dir = test::temp_dir("cache-file");
  std::ofstream(dir / "file") << "x";
  KernelCache cache(dir / "file" / "cache");
  CHECK_FALSE(cache.enabled());
  cache.store(sample_kernel(kKey));  // ignored, no throw
  CHECK_FALSE(cache.load(kKey));
  fs::remove_all(dir);
}
