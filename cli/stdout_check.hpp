#pragma once
// What a command prints on stdout (a table, a document, a header) is its
// result: a write that failed (a full disk, a closed terminal) must fail the
// command, or a truncated file in CI looks like success. main() runs every
// command's exit code through here.
namespace tkbench {

// Flushes stdout and returns `exit_code` when everything written reached it.
// A reader that went away (`| head`, EPIPE) ends the command quietly with its
// own exit code: it read what it wanted. Any other failed write prints
// "tkbench: cannot write to stdout: REASON" and returns exit 3.
int finish_stdout(int exit_code);

// Flushes stdout before a slower step (what was printed is seen first), and
// keeps a failure for finish_stdout.
void flush_stdout();

}  // namespace tkbench
