#pragma once
// A fixed set of worker threads running submitted jobs in FIFO order; urgent
// jobs go ahead of the queue.
#include <sys/resource.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace tkbench {

class ThreadPool {
 public:
  // `nice` > 0 lowers the threads' scheduling priority, so that work beside
  // the pool (a worker process timing kernels) keeps its CPU.
  explicit ThreadPool(unsigned threads, int nice = 0) {
    if (threads == 0) threads = 1;
    for (unsigned i = 0; i < threads; ++i)
      workers_.emplace_back([this, nice] {
        if (nice > 0) ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice);  // per thread on Linux
        work();
      });
  }
  ~ThreadPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  template <typename F>
  auto submit(F&& f, bool urgent = false) -> std::future<decltype(f())> {
    auto task = std::make_shared<std::packaged_task<decltype(f())()>>(std::forward<F>(f));
    auto future = task->get_future();
    {
      std::lock_guard lock(mutex_);
      if (urgent) jobs_.emplace_front([task] { (*task)(); });
      else jobs_.emplace_back([task] { (*task)(); });
    }
    wake_.notify_one();
    return future;
  }

  // Drops jobs that have not started; their futures report broken_promise.
  void cancel_pending() {
    std::lock_guard lock(mutex_);
    jobs_.clear();
  }

  static unsigned default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

 private:
  void work() {
    while (true) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping and drained
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  std::vector<std::thread> workers_;
  std::deque<std::function<void()>> jobs_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace tkbench
