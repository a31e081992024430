// `tkbench compile-server`: runs NVRTC for another tkbench process, one job
// at a time (CompileServers, tuner/compile_servers.hpp). It reads one JSON
// request per line on stdin and answers one JSON line on stdout. Not meant to
// be run by hand.
#include <sys/resource.h>

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/json_lines.hpp"
#include "tuner/nvrtc_job.hpp"

namespace tkbench {
using json = nlohmann::ordered_json;

namespace {
// NVRTC notes each use of the precompiled header in the log ("x.cu": using
// precompiled header file "/tmp/..."); the user asked for no such thing and a
// compile's log must read the same in a server as in the process.
std::string without_pch_notes(const std::string& log) {
  std::string out;
  std::size_t start = 0;
  while (start < log.size()) {
    std::size_t end = log.find('\n', start);
    end = end == std::string::npos ? log.size() : end + 1;
    const std::string_view line(log.data() + start, end - start);
    if (line.find("precompiled header file") == std::string_view::npos) out.append(line);
    start = end;
  }
  return out;
}
}  // namespace

CommandRunner add_compile_server_command(CLI::App& app, const GlobalOptions&) {
  auto* cmd = app.add_subcommand("compile-server", "Internal: runs NVRTC for another tkbench process, one JSON request per line");
  cmd->group("");  // hidden from --help
  auto nice = std::make_shared<int>(0);
  cmd->add_option("--nice", *nice, "Lower this process's priority by N");
  return [nice]() -> int {
    // A tune's servers compile ahead while the worker times kernels: they yield the CPU to it.
    if (*nice > 0) ::setpriority(PRIO_PROCESS, 0, *nice);
    for (std::string line; std::getline(std::cin, line);) {
      if (line.empty()) continue;
      try {
        json request = json::parse(line);
        const std::string op = request.at("op");
        if (op != "compile") {
          send_json_line({{"type", "error"}, {"reason", "unknown op '" + op + "'"}});
          continue;
        }
        NvrtcJob job = nvrtc_job_from_json(request.at("job"));
        // Every job of a server shares the template's headers: NVRTC's
        // automatic precompiled header parses them once per server. It changes
        // the compile's speed, not its CUBIN, so it is not in the cache key.
        job.options.push_back("-pch");
        NvrtcOutput output = run_nvrtc(job);
        output.log = without_pch_notes(output.log);
        output.error = without_pch_notes(output.error);
        send_json_line({{"type", "result"}, {"output", to_json(output)}});
      } catch (const std::exception& e) {
        send_json_line({{"type", "error"}, {"reason", std::string("bad compile request: ") + e.what()}});
      }
    }
    return 0;
  };
}

}  // namespace tkbench
