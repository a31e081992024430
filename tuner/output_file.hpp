#pragma once
// Writing a file the user named: -o, --junit, --markdown, a results document
// and its journal (the caches write through file_util's wrapper of the same).
//
// What is at the path decides how it is written:
//   nothing yet, or a regular file  written to a temporary file beside it, fsynced and renamed
//                                   over it: readers see the old file or the whole new one.
//                                   Missing parent folders are created.
//   a symbolic link                 followed: its target is replaced the same way, the link kept.
//   a character device or a FIFO    written in place, as the shell's `>` does (/dev/null,
//                                   /dev/stdout, a named pipe: waits for its reader).
//   a folder, a block device,       refused: bad input.
//   a socket, or a parent that is
//   not a folder
//
// Two kinds of failure, each with one message form that names the user's path
// (never the temporary file), e.g. "cannot write out.md: No space left on device":
// what the path is (bad input, exit 2) and the write itself (environment, exit 3).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tkbench {

struct WriteFailure {
  enum class Kind {
    bad_path,      // the path cannot name a file: InputError, exit 2
    write_failed,  // ENOSPC, EACCES, EROFS, EIO...: EnvironmentError, exit 3
  };
  Kind kind;
  std::string message;  // "cannot write PATH: REASON"
  // Throws the error of this kind, with `addendum` after the message.
  [[noreturn]] void raise(std::string_view addendum = {}) const;
};

std::optional<WriteFailure> try_write_output_file(const std::filesystem::path& path, std::string_view data);

// try_write_output_file, throwing InputError or EnvironmentError on failure.
void write_output_file(const std::filesystem::path& path, std::string_view data);

// Refuses, before any work is done, a path no file can be written to (a
// folder, a parent that is a file...): throws InputError. Permissions and
// free space are left to the write itself.
void check_output_path(const std::filesystem::path& path);

// The help text that says the rules above, for commands that take output paths.
inline constexpr const char* kOutputPathHelp =
    "Output files are replaced atomically (a symlink's target is replaced, the link\n"
    "kept) and missing folders are created. A device or FIFO (/dev/null, /dev/stdout,\n"
    "a named pipe) is written in place; a folder is refused (exit 2). A write that\n"
    "fails (disk full, no permission) exits 3: cannot write PATH: REASON.";

}  // namespace tkbench
