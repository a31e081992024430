#include "cli/stdout_check.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tuner/errors.hpp"

namespace tkbench {
namespace {

// A pipe (or socket) whose reader has closed it polls as an error.
bool reader_gone() {
  pollfd out{STDOUT_FILENO, POLLOUT, 0};
  return ::poll(&out, 1, 0) == 1 && (out.revents & (POLLERR | POLLHUP)) != 0;
}

// The first failed flush's errno: a later flush may find nothing left to write.
int& first_error() {
  static int error = 0;
  return error;
}

// Why stdout refused a write that stdio did not report (a large write goes
// straight to the file): asked again with an empty write, which a full device
// answers (a full disk may not).
int probed_error() {
  errno = 0;
  return ::write(STDOUT_FILENO, "", 0) < 0 ? errno : 0;
}

}  // namespace

void flush_stdout() {
  errno = 0;
  if (std::fflush(stdout) != 0 && first_error() == 0) first_error() = errno ? errno : EIO;
}

int finish_stdout(int exit_code) {
  flush_stdout();
  if (!std::ferror(stdout)) return exit_code;
  const int error = first_error() ? first_error() : probed_error();
  if (error == EPIPE || reader_gone()) return exit_code;
  std::fprintf(stderr, "tkbench: cannot write to stdout: %s\n",
               error ? std::strerror(error) : "a write failed; the output is incomplete");
  return kExitEnvironment;
}

}  // namespace tkbench
