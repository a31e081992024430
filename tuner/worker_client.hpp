#pragma once
// The coordinator's side of the worker process: it starts `tkbench worker`,
// sends one JSON request per line and reads JSON lines back. A worker that
// dies (a faulting kernel), says nothing for `watchdog_seconds` (a hung
// kernel) or answers garbage is killed; the next call starts a fresh one.
#include <sys/types.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tkbench {

struct WorkerReply {
  enum class Kind { result, error, crashed, timed_out, garbage } kind = Kind::crashed;
  nlohmann::ordered_json payload;  // the result or error line
  std::string reason;              // for error, crashed, timed_out, garbage
};

class WorkerClient {
 public:
  WorkerClient(std::vector<std::string> argv, double watchdog_seconds);
  ~WorkerClient();
  WorkerClient(const WorkerClient&) = delete;
  WorkerClient& operator=(const WorkerClient&) = delete;

  // Every line the worker sends ({"type": "heartbeat"} too) resets the watchdog.
  // An error marked "fatal" means the worker exits after it: it is waited for.
  WorkerReply call(const nlohmann::ordered_json& request);
  int starts() const { return starts_; }

 private:
  void start();
  std::string stop(bool kill);  // returns how the process ended

  std::vector<std::string> argv_;
  double watchdog_seconds_;
  pid_t pid_ = -1;
  int to_worker_ = -1, from_worker_ = -1;
  std::string pending_;  // bytes read past the last newline
  int starts_ = 0;
};

}  // namespace tkbench
