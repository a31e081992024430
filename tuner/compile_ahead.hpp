#pragma once
// Compiles the configs of one search from a thread pool, each at most once.
// A config wanted now goes ahead of the queue; configs the strategy will
// likely want next are compiled on speculation behind them, so that an
// adaptive search (a few configs in flight) still keeps every core busy and
// finds its next config compiled when the GPU is ready for it.
//
// Each config is its own NVRTC program. Several kernels in one program parse
// the headers once, but they are not the kernels a user builds alone: ptxas
// lays out a module's static shared memory across its kernels (rmsnorm
// VEC=2,THREADS=64 reported 128 bytes of static shared memory beside three
// others, 8 alone).
#include <cstddef>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tuner/compile_batch.hpp"
#include "tuner/thread_pool.hpp"

namespace tkbench {

class CompileAhead {
 public:
  using CompileFn = std::function<CompiledConfig(const Config&)>;

  // `threads` run `compile` at a lowered priority (`nice`), so the worker process timing kernels keeps its
  // CPU. In a tune they only wait on the compile servers, which are niced the same way (make_compile_servers).
  CompileAhead(unsigned threads, int nice, CompileFn compile) : compile_(std::move(compile)), pool_(threads, nice) {}
  // Drops queued compiles and waits for the running ones.
  ~CompileAhead() { pool_.cancel_pending(); }

  // The config's compile, started now unless it already ran or runs.
  std::shared_future<CompiledConfig> want(const Config& config);
  // Queues the compiles of configs not seen before, behind every wanted one,
  // while fewer than `limit` speculative compiles are queued or running.
  void speculate(const std::vector<Config>& configs, std::size_t limit);
  // Speculative compiles queued or running: callers keep this near the pool's size.
  std::size_t speculating() const;

  struct Counts {
    std::size_t wanted = 0;            // configs asked for by want()
    std::size_t wanted_ahead = 0;      // ... whose compile had begun on speculation before
    std::size_t speculated = 0;        // configs compiled (or begun) on speculation
  };
  Counts counts() const;

 private:
  struct Task {
    std::promise<CompiledConfig> promise;
    std::shared_future<CompiledConfig> future = promise.get_future().share();
    bool speculative = false;
    bool started = false;  // a job has claimed it
  };
  std::shared_ptr<Task> task_for(const Config& config, bool& created);
  // Compiles the config unless another job has claimed it.
  void run(const Config& config, const std::shared_ptr<Task>& task);

  CompileFn compile_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Task>> tasks_;
  std::size_t speculating_ = 0;
  Counts counts_;
  ThreadPool pool_;  // last: its threads stop before the members their jobs use
};

}  // namespace tkbench
