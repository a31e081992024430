#pragma once
// Compiles the configs of one search on a thread pool, each at most once.
// A config wanted now goes ahead of the queue; configs the strategy will
// likely want next are compiled on speculation behind them, so that an
// adaptive search (a few configs in flight) still keeps every core busy and
// finds its next config compiled when the GPU is ready for it.
#include <cstddef>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "tuner/compile_batch.hpp"
#include "tuner/thread_pool.hpp"

namespace tkbench {

class CompileAhead {
 public:
  using CompileFn = std::function<CompiledConfig(const Config&)>;
  // `threads` compile at a lowered priority (`nice`), so the worker process timing kernels keeps its CPU.
  CompileAhead(unsigned threads, int nice, CompileFn compile) : compile_(std::move(compile)), pool_(threads, nice) {}
  // Drops queued compiles and waits for the running ones.
  ~CompileAhead() { pool_.cancel_pending(); }

  // The config's compile, started now unless it already ran or runs.
  std::shared_future<CompiledConfig> want(const Config& config);
  // Queues the config's compile behind every wanted one, unless already known.
  void speculate(const Config& config);
  // Speculative compiles queued or running: callers keep this near the pool's size.
  std::size_t speculating() const;

 private:
  struct Task {
    std::once_flag once;
    std::promise<CompiledConfig> promise;
    std::shared_future<CompiledConfig> future = promise.get_future().share();
    bool speculative = false;
    bool started = false;  // a job has begun compiling it
  };
  std::shared_ptr<Task> task_for(const Config& config, bool& created);
  void run(const std::shared_ptr<Task>& task, const Config& config);

  CompileFn compile_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Task>> tasks_;
  std::size_t speculating_ = 0;
  ThreadPool pool_;  // last: its threads stop before the members their jobs use
};

}  // namespace tkbench
