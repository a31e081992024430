#pragma once
// The three ways a command can fail, each with its exit code (design.md):
// bad input or usage -> 2, environment (no GPU, no permission) -> 3,
// a check that ran and failed (verification, gate) -> 1.
#include <stdexcept>
#include <string>

namespace tkbench {

enum ExitCode : int { kExitOk = 0, kExitCheckFailed = 1, kExitBadInput = 2, kExitEnvironment = 3, kExitInterrupted = 130 };

// Bad input: a malformed manifest, an impossible shape, an unknown option value.
// The message says what was wrong and, where it can, where (file:line:column).
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The machine cannot do what was asked: no CUDA device, no driver, no permission.
struct EnvironmentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Where in a file something was written, for messages like "a.toml:12:5: ...".
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string str() const;
};

}  // namespace tkbench
