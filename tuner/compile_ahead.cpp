#include "tuner/compile_ahead.hpp"

namespace tkbench {

std::shared_ptr<CompileAhead::Task> CompileAhead::task_for(const Config& config, bool& created) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = tasks_.try_emplace(config.str());
  if (inserted) it->second = std::make_shared<Task>();
  created = inserted;
  return it->second;
}

void CompileAhead::run(const std::shared_ptr<Task>& task, const Config& config) {
  // Whichever job gets here first compiles; a second one (the urgent copy of
  // a queued speculation) waits for it or finds it done.
  std::call_once(task->once, [&] {
    {
      std::lock_guard lock(mutex_);
      task->started = true;
    }
    try {
      task->promise.set_value(compile_(config));
    } catch (...) {
      task->promise.set_exception(std::current_exception());
    }
    std::lock_guard lock(mutex_);
    if (task->speculative) --speculating_;
    task->speculative = false;
  });
}

std::shared_future<CompiledConfig> CompileAhead::want(const Config& config) {
  bool created = false;
  auto task = task_for(config, created);
  bool started = false;
  {
    std::lock_guard lock(mutex_);
    started = task->started;
  }
  // Not begun (new, or a speculation still queued): an urgent job ahead of the queue.
  if (!started) pool_.submit([this, task, config] { run(task, config); }, /*urgent=*/true);
  return task->future;
}

void CompileAhead::speculate(const Config& config) {
  bool created = false;
  auto task = task_for(config, created);
  if (!created) return;
  {
    std::lock_guard lock(mutex_);
    task->speculative = true;
    ++speculating_;
  }
  pool_.submit([this, task, config] { run(task, config); });
}

std::size_t CompileAhead::speculating() const {
  std::lock_guard lock(mutex_);
  return speculating_;
}

}  // namespace tkbench
