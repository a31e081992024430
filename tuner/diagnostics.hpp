#pragma once
// Warnings and notices for the user, written to stderr at once, safe from
// any thread. warn_once() prints a given key only the first time.
#include <cstdio>
#include <mutex>
#include <set>
#include <string>

namespace tkbench {

class Diagnostics {
 public:
  void warn(const std::string& message) {
    std::lock_guard lock(mutex_);
    std::fprintf(stderr, "warning: %s\n", message.c_str());
    ++count_;
  }
  void warn_once(const std::string& key, const std::string& message) {
    {
      std::lock_guard lock(mutex_);
      if (!seen_.insert(key).second) return;
    }
    warn(message);
  }
  void note(const std::string& message) {
    std::lock_guard lock(mutex_);
    if (!quiet_) std::fprintf(stderr, "%s\n", message.c_str());
  }
  void set_quiet(bool quiet) { quiet_ = quiet; }
  int warning_count() const { return count_; }

 private:
  std::mutex mutex_;
  std::set<std::string> seen_;
  int count_ = 0;
  bool quiet_ = false;
};

// The process-wide sink the CLI prints through.
inline Diagnostics& diagnostics() {
  static Diagnostics d;
  return d;
}

}  // namespace tkbench
