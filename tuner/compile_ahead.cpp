#include "tuner/compile_ahead.hpp"

namespace tkbench {

std::shared_ptr<CompileAhead::Task> CompileAhead::task_for(const Config& config, bool& created) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = tasks_.try_emplace(config.str());
  if (inserted) it->second = std::make_shared<Task>();
  created = inserted;
  return it->second;
}

void CompileAhead::run(const Config& config, const std::shared_ptr<Task>& task) {
  bool speculative = false;
  {
    std::lock_guard lock(mutex_);
    if (task->started) return;  // a wanted copy of a queued speculation took it first
    task->started = true;
    speculative = task->speculative;
    if (speculative) ++counts_.speculated;
  }
  try {
    task->promise.set_value(compile_(config));
  } catch (...) {
    task->promise.set_exception(std::current_exception());
  }
  if (!speculative) return;
  std::lock_guard lock(mutex_);
  --speculating_;
}

std::shared_future<CompiledConfig> CompileAhead::want(const Config& config) {
  bool created = false;
  auto task = task_for(config, created);
  bool started = false;
  {
    std::lock_guard lock(mutex_);
    started = task->started;
    ++counts_.wanted;
    if (started && task->speculative) ++counts_.wanted_ahead;
    if (!started && task->speculative) {  // queued on speculation, wanted before it began: no longer a speculation
      task->speculative = false;
      --speculating_;
    }
  }
  // Not begun (new, or a speculation still queued): alone, ahead of the queue.
  if (!started) pool_.submit([this, task, config] { run(config, task); }, /*urgent=*/true);
  return task->future;
}

void CompileAhead::speculate(const std::vector<Config>& configs, std::size_t limit) {
  for (const auto& config : configs) {
    if (speculating() >= limit) return;
    bool created = false;
    auto task = task_for(config, created);
    if (!created) continue;
    {
      std::lock_guard lock(mutex_);
      task->speculative = true;
      ++speculating_;
    }
    pool_.submit([this, task, config] { run(config, task); });
  }
}

std::size_t CompileAhead::speculating() const {
  std::lock_guard lock(mutex_);
  return speculating_;
}

CompileAhead::Counts CompileAhead::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace tkbench
