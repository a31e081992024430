#include "tuner/compile_servers.hpp"

#include <fmt/format.h>

namespace tkbench {

CompileServers::CompileServers(std::vector<std::string> argv, unsigned count) : count_(std::max(1u, count)) {
  // WorkerClient starts its process on the first call.
  for (unsigned i = 0; i < count_; ++i) idle_.push_back(std::make_unique<WorkerClient>(argv, kWatchdogSeconds));
}

NvrtcOutput CompileServers::run(const NvrtcJob& job) {
  std::unique_ptr<WorkerClient> server;
  {
    std::unique_lock lock(mutex_);
    idle_changed_.wait(lock, [&] { return !idle_.empty(); });
    server = std::move(idle_.back());
    idle_.pop_back();
  }
  WorkerReply reply = server->call({{"op", "compile"}, {"job", to_json(job)}});
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(server));
  }
  idle_changed_.notify_one();

  NvrtcOutput out;
  if (reply.kind == WorkerReply::Kind::result) {
    try {
      return nvrtc_output_from_json(reply.payload.at("output"));
    } catch (const std::exception& e) {
      out.error = fmt::format("the compile server's answer for {} is malformed: {}", job.name_expression, e.what());
      return out;
    }
  }
  out.error = fmt::format("the compile server failed on {}: {}", job.name_expression, reply.reason);
  return out;
}

}  // namespace tkbench
