#include "tuner/worker_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace tkbench {

WorkerClient::WorkerClient(std::vector<std::string> argv, double watchdog_seconds)
    : argv_(std::move(argv)), watchdog_seconds_(watchdog_seconds) {
  std::signal(SIGPIPE, SIG_IGN);  // a dead worker must not kill the coordinator on write
}

WorkerClient::~WorkerClient() { stop(true); }

void WorkerClient::start() {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
    throw std::runtime_error(fmt::format("cannot create pipes for the worker: {}", std::strerror(errno)));
  // Everything the child needs is prepared before fork: between fork and exec
  // only async-signal-safe calls are allowed (other threads may hold malloc's lock).
  std::vector<char*> args;
  for (auto& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);
  static const char kExecFailed[] = "tkbench: cannot run the worker binary\n";
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(fmt::format("cannot start the worker: {}", std::strerror(errno)));
  if (pid == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    // Ctrl-C and a SIGTERM sent to the whole process group (`timeout`, a CI
    // job's cancel) are the coordinator's to handle: it finishes the config in
    // hand, then closes the pipe, and the worker exits. Killed mid-config, the
    // worker would leave that config recorded as a fault.
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGTERM, SIG_IGN);
    ::execv(args[0], args.data());
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, kExecFailed, sizeof kExecFailed - 1);
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  pid_ = pid;
  to_worker_ = in[1];
  from_worker_ = out[0];
  pending_.clear();
  ++starts_;
}

std::string WorkerClient::stop(bool kill) {
  if (pid_ < 0) return "not running";
  if (to_worker_ >= 0) ::close(to_worker_);
  if (kill) ::kill(pid_, SIGKILL);
  int status = 0;
  // A worker asked to end on its own gets 10 s (tearing down a faulted CUDA
  // context can take a moment), then SIGKILL: the coordinator never hangs on it.
  bool reaped = false;
  if (!kill) {
    for (int waited_ms = 0; waited_ms < 10000 && !reaped; waited_ms += 20) {
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || r < 0) reaped = true;
      else ::usleep(20000);
    }
    if (!reaped) ::kill(pid_, SIGKILL);
  }
  if (!reaped) ::waitpid(pid_, &status, 0);
  if (from_worker_ >= 0) ::close(from_worker_);
  pid_ = -1;
  to_worker_ = from_worker_ = -1;
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  return "ended";
}

WorkerReply WorkerClient::call(const nlohmann::ordered_json& request) {
  // A worker that died after its last answer (it exits after a fault) is restarted here.
  if (pid_ >= 0 && ::waitpid(pid_, nullptr, WNOHANG) == pid_) {
    pid_ = -1;
    ::close(to_worker_);
    ::close(from_worker_);
    to_worker_ = from_worker_ = -1;
  }
  if (pid_ < 0) start();

  WorkerReply reply;
  std::string line = request.dump() + "\n";
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(to_worker_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      reply.kind = WorkerReply::Kind::crashed;
      reply.reason = "the worker " + stop(true) + " before taking the request";
      return reply;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }

  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(watchdog_seconds_));
  while (true) {
    // Handle every complete line already read.
    std::size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
      std::string text = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      nlohmann::ordered_json msg;
      try {
        msg = nlohmann::ordered_json::parse(text);
      } catch (const std::exception&) {
        reply.kind = WorkerReply::Kind::garbage;
        reply.reason = fmt::format("the worker answered something that is not JSON: '{}'; it was {}", text.substr(0, 200), stop(true));
        return reply;
      }
      std::string type = msg.value("type", "");
      deadline = clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(watchdog_seconds_));
      if (type == "heartbeat") continue;
      if (type == "result" || type == "error") {
        reply.kind = type == "result" ? WorkerReply::Kind::result : WorkerReply::Kind::error;
        reply.payload = std::move(msg);
        reply.reason = reply.payload.value("reason", "");
        // A worker that says it is exiting (fatal: a broken context; retire:
        // CUPTI set up, launches slowed) is waited for, so the next request
        // goes to a fresh one instead of into a dying process's pipe.
        if (reply.payload.value("fatal", false) || reply.payload.value("retire", false)) stop(false);
        return reply;
      }
      reply.kind = WorkerReply::Kind::garbage;
      reply.reason = fmt::format("the worker sent an unknown message: '{}'; it was {}", text.substr(0, 200), stop(true));
      return reply;
    }
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (remaining <= 0) {
      reply.kind = WorkerReply::Kind::timed_out;
      reply.reason = fmt::format("no progress for {:.0f} s (a hung kernel?); the worker was {}", watchdog_seconds_, stop(true));
      return reply;
    }
    pollfd fd{from_worker_, POLLIN, 0};
    int ready = ::poll(&fd, 1, static_cast<int>(std::min<long long>(remaining, 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buf[65536];
    ssize_t n = ::read(from_worker_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      reply.kind = WorkerReply::Kind::crashed;
      reply.reason = "the worker " + stop(false) + " without an answer";
      return reply;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace tkbench
