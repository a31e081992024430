#pragma once
// NVRTC in child processes (`tkbench compile-server`), one job at a time each.
// NVRTC compiles on threads of one process stop scaling at about four cores;
// processes scale with the cores (rmsnorm on the 16-core H200 host: 19
// kernels/s from 16 threads, 50/s from 14 processes). A server also keeps
// NVRTC's automatic precompiled header of the headers every job shares, which
// halves a compile there (98 against 197 ms); the CUBINs are byte-identical.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tuner/nvrtc_job.hpp"
#include "tuner/worker_client.hpp"

namespace tkbench {

class CompileServers {
 public:
  // `argv` starts one server; `count` servers are started as jobs need them.
  CompileServers(std::vector<std::string> argv, unsigned count);

  // Thread-safe: waits for an idle server. A server that crashes or hangs
  // costs its job (an error output naming why) and is replaced on next use.
  NvrtcOutput run(const NvrtcJob& job);
  unsigned count() const { return count_; }

  // A compile of the heaviest template is seconds; one that says nothing for
  // this long is taken for hung.
  static constexpr double kWatchdogSeconds = 600;

 private:
  unsigned count_;
  std::mutex mutex_;
  std::condition_variable idle_changed_;
  std::vector<std::unique_ptr<WorkerClient>> idle_;
};

}  // namespace tkbench
