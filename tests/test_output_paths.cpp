// Files the user names (-o, --junit, --markdown, results documents) and
// stdout: what is written where, and the exit code and message when it cannot be.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "test_helpers.hpp"
#include "tuner/errors.hpp"
#include "tuner/output_file.hpp"

using namespace tkbench;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

std::string contents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Nothing but `expected` in `dir`: no temporary file left behind.
void check_only(const fs::path& dir, std::set<std::string> expected) {
  std::set<std::string> found;
  for (const auto& e : fs::directory_iterator(dir)) found.insert(e.path().filename().string());
  CHECK(found == expected);
}

std::string fixture(const std::string& name) { return test::fixtures() + "/" + name; }

// Runs tkbench with stdout on a pipe whose reader closed it before tkbench
// started, stderr into `errors`; returns its exit code.
int run_with_reader_gone(const std::string& args, const fs::path& errors) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::close(fds[0]);
  const std::string command = test::binary() + " " + args + " 2>" + errors.string();
  pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls until exec
    ::dup2(fds[1], STDOUT_FILENO);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST_CASE("output files: a bare name is written in the working folder - missing folders are created", "[output]") {
  auto dir = test::temp_dir("out-bare");
  {
    test::WorkingFolder here(dir);
    write_output_file("report.md", "first");
    write_output_file("report.md", "second");
    write_output_file("new/deeper/report.md", "nested");
  }
  CHECK(contents(dir / "report.md") == "second");
  CHECK(contents(dir / "new/deeper/report.md") == "nested");
  check_only(dir, {"report.md", "new"});
  fs::remove_all(dir);
}

TEST_CASE("output files: a symlink is followed - its target is replaced and the link kept", "[output]") {
  auto dir = test::temp_dir("out-link");
  fs::create_directories(dir / "real");
  std::ofstream(dir / "real/target.md") << "old";
  fs::create_symlink("real/target.md", dir / "link.md");
  write_output_file(dir / "link.md", "new");
  CHECK(fs::is_symlink(dir / "link.md"));
  CHECK(contents(dir / "real/target.md") == "new");
  check_only(dir / "real", {"target.md"});
  // A dangling link: the file is created where it points.
  fs::create_symlink("real/later.md", dir / "dangling.md");
  write_output_file(dir / "dangling.md", "created");
  CHECK(fs::is_symlink(dir / "dangling.md"));
  CHECK(contents(dir / "real/later.md") == "created");
  fs::remove_all(dir);
}

TEST_CASE("output files: a folder or a parent that is a file is refused as bad input", "[output][bad-input]") {
  auto dir = test::temp_dir("out-refused");
  std::ofstream(dir / "a-file") << "x";
  fs::create_symlink(dir / "loop", dir / "loop");
  struct Case { fs::path path; std::string message; };
  const Case cases[] = {
      {dir, "cannot write " + dir.string() + ": it is a folder; name a file in it"},
      {dir / "a-file/out.md", "cannot write " + (dir / "a-file/out.md").string() + ": " + (dir / "a-file").string() + " is not a folder"},
      {dir / "a-file/deeper/out.md", (dir / "a-file").string() + " is not a folder"},
      {dir / "loop", "Too many levels of symbolic links"},
      {"", "the path is empty"},
  };
  for (const auto& c : cases) {
    INFO(c.path);
    CHECK_THROWS_AS(check_output_path(c.path), InputError);
    CHECK_THROWS_AS(write_output_file(c.path, "x"), InputError);
    CHECK_THROWS_WITH(write_output_file(c.path, "x"), Contains(c.message));
  }
  CHECK(contents(dir / "a-file") == "x");
  fs::remove_all(dir);
}

TEST_CASE("output files: a device or a FIFO is written in place", "[output]") {
  write_output_file("/dev/null", "discarded");
  struct stat st {};
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));

  auto dir = test::temp_dir("out-fifo");
  const fs::path fifo = dir / "pipe.md";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string got;
  std::thread reader([&] { got = contents(fifo); });
  write_output_file(fifo, "through the pipe");
  reader.join();
  CHECK(got == "through the pipe");
  CHECK(fs::is_fifo(fifo));
  fs::remove_all(dir);
}

TEST_CASE("output files: a failed write is an environment error naming the user's path, never the temporary file", "[output]") {
  CHECK_THROWS_AS(write_output_file("/dev/full", "x"), EnvironmentError);
  CHECK_THROWS_WITH(write_output_file("/dev/full", "x"), "cannot write /dev/full: No space left on device");
  auto failure = try_write_output_file("/dev/full", "x");
  REQUIRE(failure);
  CHECK(failure->kind == WriteFailure::Kind::write_failed);
  if (::geteuid() != 0) {  // root writes anywhere
    auto dir = test::temp_dir("out-readonly");
    fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
    const std::string path = (dir / "out.md").string();
    CHECK_THROWS_AS(write_output_file(path, "x"), EnvironmentError);
    CHECK_THROWS_WITH(write_output_file(path, "x"), "cannot write " + path + ": Permission denied");
    fs::permissions(dir, fs::perms::owner_all);
    fs::remove_all(dir);
  }
}

TEST_CASE("output files: a replaced file keeps its permissions", "[output]") {
  auto dir = test::temp_dir("out-mode");
  std::ofstream(dir / "private.json") << "old";
  fs::permissions(dir / "private.json", fs::perms::owner_read | fs::perms::owner_write);
  write_output_file(dir / "private.json", "new");
  CHECK(contents(dir / "private.json") == "new");
  CHECK(fs::status(dir / "private.json").permissions() == (fs::perms::owner_read | fs::perms::owner_write));
  fs::remove_all(dir);
}

// ---- the binary ----

TEST_CASE("cli: bare output names work for report, export and gate - the gate keeps its verdict", "[output][cli]") {
  auto dir = test::temp_dir("cli-bare");
  const std::string in_dir = "cd " + dir.string() + " &&";
  auto report = test::run_tkbench("report " + fixture("report/h200.json") + " -o report.html", in_dir);
  INFO(report.output);
  CHECK(report.exit_code == 0);
  CHECK_THAT(report.output, Contains("wrote report.html"));
  auto exported = test::run_tkbench("export " + fixture("report/h200.json") + " -o tuned.hpp", in_dir);
  INFO(exported.output);
  CHECK(exported.exit_code == 0);
  // A real regression is exit 1 whatever the report files are called.
  auto gate = test::run_tkbench("gate --baseline " + fixture("gate/baseline.json") + " --current " + fixture("gate/slower.json") +
                                    " --junit gate.xml --markdown gate.md",
                                in_dir);
  INFO(gate.output);
  CHECK(gate.exit_code == 1);
  CHECK_THAT(gate.output, Contains("gate: FAIL: 3 regression"));
  check_only(dir, {"report.html", "tuned.hpp", "gate.xml", "gate.md"});
  CHECK_THAT(contents(dir / "gate.xml"), Contains("failures=\"3\""));
  CHECK_THAT(contents(dir / "tuned.hpp"), Contains("lookup"));
  fs::remove_all(dir);
}

TEST_CASE("cli: -o onto a folder exits 2 - onto /dev/full exits 3 - /dev/null and a FIFO are written in place", "[output][cli]") {
  auto dir = test::temp_dir("cli-special");
  const std::string report = "report " + fixture("report/h200.json") + " --format md -o ";
  auto folder = test::run_tkbench(report + dir.string());
  CHECK(folder.exit_code == 2);
  CHECK_THAT(folder.output, Contains("cannot write " + dir.string() + ": it is a folder"));
  auto junit_folder = test::run_tkbench("gate --baseline " + fixture("gate/baseline.json") + " --current " +
                                        fixture("gate/rerun.json") + " --junit " + dir.string());
  CHECK(junit_folder.exit_code == 2);
  CHECK_THAT(junit_folder.output, Contains("it is a folder"));

  for (const char* command : {"report", "export"}) {
    INFO(command);
    const std::string args = std::string(command) + " " + fixture("report/h200.json") +
                             (std::string(command) == "report" ? " --format md" : "") + " -o /dev/full";
    auto full = test::run_tkbench(args);
    CHECK(full.exit_code == 3);
    CHECK_THAT(full.output, Contains("cannot write /dev/full: No space left on device"));
    CHECK_FALSE(Contains(".tmp.").match(full.output));
  }
  auto gate_full = test::run_tkbench("gate --baseline " + fixture("gate/baseline.json") + " --current " +
                                     fixture("gate/slower.json") + " --markdown /dev/full");
  CHECK(gate_full.exit_code == 3);
  CHECK_THAT(gate_full.output, Contains("gate: FAIL: 3 regression") && Contains("cannot write /dev/full: No space left on device"));
  struct stat st {};
  REQUIRE(::stat("/dev/full", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));  // still the device

  auto null = test::run_tkbench(report + "/dev/null");
  CHECK(null.exit_code == 0);
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));

  REQUIRE(::mkfifo((dir / "pipe.md").c_str(), 0600) == 0);
  auto fifo = test::run_shell("cd " + dir.string() + " && { cat pipe.md > got.md & " + test::binary() + " " + report +
                              "pipe.md 2>&1; status=$?; wait; exit $status; }");
  INFO(fifo.output);
  CHECK(fifo.exit_code == 0);
  CHECK(fs::is_fifo(dir / "pipe.md"));
  CHECK_THAT(contents(dir / "got.md"), Contains("| shape"));
  fs::remove_all(dir);
}

TEST_CASE("cli: every command that writes files says in --help what happens at each kind of path", "[output][cli]") {
  for (const char* command : {"report", "export", "gate", "tune"}) {
    INFO(command);
    auto help = test::run_tkbench(std::string(command) + " --help");
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.output, Contains("written in place") && Contains("a folder is refused (exit 2)") &&
                                Contains("cannot write PATH: REASON"));
  }
}

TEST_CASE("cli: -o through a symlink updates its target and keeps the link", "[output][cli]") {
  auto dir = test::temp_dir("cli-link");
  std::ofstream(dir / "target.md") << "old";
  fs::create_symlink("target.md", dir / "link.md");
  auto r = test::run_tkbench("report " + fixture("report/h200.json") + " -o link.md", "cd " + dir.string() + " &&");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(fs::is_symlink(dir / "link.md"));
  CHECK_THAT(contents(dir / "target.md"), Contains("| shape"));
  check_only(dir, {"target.md", "link.md"});
  fs::remove_all(dir);
}

TEST_CASE("cli: stdout that cannot be written exits 3 with a message - a closed pipe ends quietly", "[output][cli]") {
  const std::string bin = test::binary();
  for (const std::string args : {"export " + fixture("report/h200.json"), "report " + fixture("report/h200.json"), std::string("list"),
                                 "gate --json --baseline " + fixture("gate/baseline.json") + " --current " + fixture("gate/slower.json"),
                                 std::string("show rmsnorm --shape 4096x8192")}) {
    INFO(args);
    // stderr into the pipe read here, stdout onto the full device.
    auto full = test::run_shell(bin + " " + args + " 2>&1 >/dev/full");
    CHECK(full.exit_code == 3);
    CHECK_THAT(full.output, Contains("tkbench: cannot write to stdout: No space left on device"));
  }
  auto dir = test::temp_dir("cli-epipe");
  const fs::path errors = dir / "stderr.txt";
  // `| head -c1`: the report of a whole space (130 KB) outgrows the pipe's buffer, so
  // tkbench is still writing when head has gone.
  const std::string space = fixture("../../bench/spaces/h200-rmsnorm_basic-4096x8192-bf16.json");
  auto head = test::run_shell("bash -c 'set -o pipefail; " + bin + " report " + space + " --format html 2>" + errors.string() +
                              " | head -c1 >/dev/null'");
  CHECK(head.exit_code == 0);
  CHECK(contents(errors).empty());
  // A reader gone before the first byte, for short output too; the gate keeps its verdict.
  const std::pair<std::string, int> short_outputs[] = {
      {"list", 0}, {"gate --baseline " + fixture("gate/baseline.json") + " --current " + fixture("gate/slower.json"), 1}};
  for (const auto& [args, exit_code] : short_outputs) {
    INFO(args);
    CHECK(run_with_reader_gone(args, errors) == exit_code);
    CHECK(contents(errors).empty());
  }
  fs::remove_all(dir);
}
