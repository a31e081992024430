#pragma once
// On-disk cache of CompiledKernels, keyed by a hash of everything that
// determines the CUBIN (Compiler::cache_key). Entries are written atomically
// and carry a checksum: a corrupt or truncated one is reported once, removed
// and rebuilt. A cache that cannot be written is reported once and bypassed.
#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "tuner/compiled_kernel.hpp"

namespace tkbench {

class KernelCache {
 public:
  explicit KernelCache(std::filesystem::path root);  // root: the tkbench cache dir

  std::optional<CompiledKernel> load(const std::string& key);
  void store(const CompiledKernel& kernel);
  bool enabled() const { return enabled_; }

  struct Info {
    std::filesystem::path dir;
    std::size_t entries = 0;
    std::uintmax_t bytes = 0;
  };
  Info info() const;
  std::size_t clear();  // removes every entry; returns how many

  // Serialisation, exposed for tests.
  static std::string encode(const CompiledKernel& kernel);
  static std::optional<CompiledKernel> decode(const std::string& bytes, std::string* why);

 private:
  std::filesystem::path entry_path(const std::string& key) const;
  void disable(const std::string& why);

  std::filesystem::path dir_;
  std::atomic<bool> enabled_{true};  // read by compile threads
  std::mutex mutex_;
};

}  // namespace tkbench
