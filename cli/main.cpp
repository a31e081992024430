// tkbench: JIT-compile, verify, time and tune GPU kernel templates.
// This file only parses arguments and dispatches; each command is in cli/command_*.cpp.
#include <csignal>
#include <cstdio>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/stdout_check.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/errors.hpp"
#include "tuner/interrupt.hpp"

using namespace tkbench;

namespace {
constexpr const char* kFooter = R"(
Examples:
  tkbench list                                       templates you can use
  tkbench show rmsnorm --shape 4096x8192             its parameters and how many configs are valid
  tkbench check --template-dir my_templates          check your templates offline: what would fail only on a GPU
  tkbench compile rmsnorm --shape 4096x8192          compile every valid config: registers, spills, occupancy
  tkbench compile rmsnorm --shape 4096x8192 --config VEC=8 --arch sm_90 --json
  tkbench devices                                    GPUs on this machine and their peaks (needs a GPU)
  tkbench calibrate                                  measure this GPU's DRAM bandwidth once (needs a GPU)
  tkbench bench rmsnorm --shape 16384x8192 --config VEC=8,THREADS=256,ROWS=1,ITEMS=4,HINT=0   verify + time one config
  tkbench profile rmsnorm --shape 16384x8192         hardware counters: DRAM bytes, efficiency, occupancy
  tkbench profile gemm --shape 4096x4096x4096        ... and for tensor-core kernels tensor-pipe activity, L2 hit rate
  tkbench tune rmsnorm --shape 4096x8192             search the space; best config remembered per GPU
  tkbench tune rmsnorm --shape 4096x8192 --devices all   on every GPU of this host at once
  tkbench tune rmsnorm --shape 4096x8192 --strategy random --budget 400 --shard 0/4 -o p0.json   one part of four (a Slurm array task)
  tkbench merge p0.json p1.json p2.json p3.json -o all.json   the parts as one results document; fills the tuning cache
  tkbench export results.json -o tuned.hpp           best configs as a C++ dispatch header (or --format json)
  tkbench gate --baseline main.json --current pr.json   CI verdict: exit 1 on a significant regression, never on noise
  tkbench gate --spec gate.toml --baseline main.json    measure a spec's entries on the GPU, then judge them
  tkbench profile rmsnorm --shape 4096x8192 --chip GH100 --metrics ...   check metric names offline

Shapes bind the template's dims in order: --shape 4096x8192 is M=4096, N=8192.
Exit codes: 0 ok, 1 a check failed, 2 bad input or usage, 3 no GPU, no permission or a failed write, 130 interrupted.
Run `tkbench COMMAND --help` for a command's options. Docs: docs/templates.md, docs/ci.md, docs/cluster.md, docs/ARCHITECTURE.md.)";
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tkbench: JIT-compile, verify, time and tune GPU kernel templates to the hardware's limit.", "tkbench"};
  app.set_version_flag("--version", std::string("tkbench ") + TKBENCH_VERSION);
  app.footer(kFooter);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the command name
  GlobalOptions global;
  global.add_to(app);

  std::map<CLI::App*, CommandRunner> runners;
  auto add = [&](CommandRunner runner) { runners[app.get_subcommands({}).back()] = std::move(runner); };
  add(add_list_command(app, global));
  add(add_show_command(app, global));
  add(add_check_command(app, global));
  add(add_compile_command(app, global));
  add(add_cache_command(app, global));
  add(add_devices_command(app, global));
  add(add_bench_command(app, global));
  add(add_profile_command(app, global));
  add(add_tune_command(app, global));
  add(add_export_command(app, global));
  add(add_merge_command(app, global));
  add(add_report_command(app, global));
  add(add_gate_command(app, global));
  add(add_calibrate_command(app, global));
  add(add_worker_command(app, global));
  add(add_compile_server_command(app, global));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return finish_stdout(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    return finish_stdout(app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    return finish_stdout(app.exit(e));
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "tkbench: error: %s\nRun `tkbench --help` (or `tkbench COMMAND --help`) for usage.\n",
                 parse_error_message(e).c_str());
    return kExitBadInput;
  }

  diagnostics().set_quiet(global.quiet);
  // The worker leaves Ctrl-C and SIGTERM to its coordinator, which finishes the config in hand.
  if (app.got_subcommand("worker")) {
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
  } else {
    install_interrupt_handlers();
    // A reader that goes away (`| head`) is an EPIPE for finish_stdout, not a silent kill.
    std::signal(SIGPIPE, SIG_IGN);
  }
  try {
    for (auto* sub : app.get_subcommands())
      if (auto it = runners.find(sub); it != runners.end()) return finish_stdout(it->second());
    return kExitBadInput;
  } catch (const InputError& e) {
    std::fprintf(stderr, "tkbench: error: %s\n", e.what());
    return kExitBadInput;
  } catch (const EnvironmentError& e) {
    std::fprintf(stderr, "tkbench: %s\n", e.what());
    return kExitEnvironment;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tkbench: internal error: %s\n", e.what());
    return 70;
  }
}
