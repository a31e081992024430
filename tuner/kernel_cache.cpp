#include "tuner/kernel_cache.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tuner/diagnostics.hpp"
#include "tuner/file_util.hpp"
#include "tuner/sha256.hpp"

namespace tkbench {
namespace fs = std::filesystem;
namespace {
constexpr std::string_view kMagic = "TKBC1\n";
constexpr std::string_view kExtension = ".tkbc";
}  // namespace

KernelCache::KernelCache(fs::path root) : dir_(std::move(root) / "kernels") {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) {
    disable(fmt::format("cannot create {}: {}", dir_.string(), ec.message()));
    return;
  }
  if (::access(dir_.c_str(), W_OK) != 0) disable(fmt::format("{} is not writable", dir_.string()));
}

void KernelCache::disable(const std::string& why) {
  enabled_ = false;
  diagnostics().warn_once("kernel-cache-disabled", fmt::format("kernel cache off: {}; compiling without caching", why));
}

fs::path KernelCache::entry_path(const std::string& key) const {
  return dir_ / key.substr(0, 2) / (key + std::string(kExtension));
}

// Layout: magic, payload length, payload sha256, then the payload: one line
// of JSON metadata and the CUBIN bytes.
std::string KernelCache::encode(const CompiledKernel& k) {
  nlohmann::json meta = {
      {"name_expression", k.name_expression}, {"lowered_name", k.lowered_name}, {"arch", k.arch},
      {"log", k.log}, {"compile_ms", k.compile_ms}, {"cache_key", k.cache_key},
      {"resources",
       {{"registers", k.resources.registers}, {"barriers", k.resources.barriers},
        {"shared_static_bytes", k.resources.shared_static_bytes}, {"stack_bytes", k.resources.stack_bytes},
        {"spill_store_bytes", k.resources.spill_store_bytes}, {"spill_load_bytes", k.resources.spill_load_bytes},
        {"const_bytes", k.resources.const_bytes}}}};
  std::string payload = meta.dump() + "\n" + k.cubin;
  return fmt::format("{}{}\n{}\n", kMagic, payload.size(), sha256_hex(payload)) + payload;
}

std::optional<CompiledKernel> KernelCache::decode(const std::string& bytes, std::string* why) {
  auto bad = [&](const char* reason) -> std::optional<CompiledKernel> {
    if (why) *why = reason;
    return std::nullopt;
  };
  if (bytes.compare(0, kMagic.size(), kMagic) != 0) return bad("bad header");
  std::size_t len_end = bytes.find('\n', kMagic.size());
  if (len_end == std::string::npos) return bad("truncated header");
  std::size_t hash_end = bytes.find('\n', len_end + 1);
  if (hash_end == std::string::npos) return bad("truncated header");
  std::size_t length = 0;
  try {
    length = std::stoull(bytes.substr(kMagic.size(), len_end - kMagic.size()));
  } catch (const std::exception&) {
    return bad("bad length");
  }
  std::string payload = bytes.substr(hash_end + 1);
  if (payload.size() != length) return bad("truncated");
  if (sha256_hex(payload) != bytes.substr(len_end + 1, hash_end - len_end - 1)) return bad("checksum mismatch");
  std::size_t meta_end = payload.find('\n');
  try {
    auto meta = nlohmann::json::parse(payload.substr(0, meta_end));
    CompiledKernel k;
    k.name_expression = meta.at("name_expression");
    k.lowered_name = meta.at("lowered_name");
    k.arch = meta.at("arch");
    k.log = meta.at("log");
    k.compile_ms = meta.at("compile_ms");
    k.cache_key = meta.at("cache_key");
    const auto& r = meta.at("resources");
    k.resources = {r.at("registers"), r.at("barriers"), r.at("shared_static_bytes"), r.at("stack_bytes"),
                   r.at("spill_store_bytes"), r.at("spill_load_bytes"), r.at("const_bytes")};
    k.cubin = payload.substr(meta_end + 1);
    return k;
  } catch (const std::exception&) {
    return bad("bad metadata");
  }
}

std::optional<CompiledKernel> KernelCache::load(const std::string& key) {
  if (!enabled_) return std::nullopt;
  fs::path path = entry_path(key);
  auto bytes = read_file(path);
  if (!bytes) return std::nullopt;  // a miss
  std::string why;
  auto kernel = decode(*bytes, &why);
  if (!kernel || kernel->cache_key != key) {
    if (why.empty()) why = "key mismatch";
    diagnostics().warn_once("corrupt:" + key, fmt::format("cache entry {} is corrupt ({}); rebuilding it", path.string(), why));
    std::error_code ec;
    fs::remove(path, ec);
    return std::nullopt;
  }
  kernel->cache_hit = true;
  return kernel;
}

void KernelCache::store(const CompiledKernel& kernel) {
  if (!enabled_) return;
  if (auto error = write_file_atomically(entry_path(kernel.cache_key), encode(kernel))) {
    std::lock_guard lock(mutex_);
    disable(*error);  // a full disk or a permission change: stop trying, keep compiling
  }
}

KernelCache::Info KernelCache::info() const {
  Info info;
  info.dir = dir_;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir_, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == kExtension) {
      ++info.entries;
      info.bytes += it->file_size();
    }
  }
  return info;
}

std::size_t KernelCache::clear() {
  std::size_t removed = info().entries;
  std::error_code ec;
  fs::remove_all(dir_, ec);
  fs::create_directories(dir_, ec);
  return removed;
}

}  // namespace tkbench
