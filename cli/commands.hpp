#pragma once
// Each command registers its subcommand and returns the exit code when run.
#include <functional>

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"

namespace tkbench {

using CommandRunner = std::function<int()>;

CommandRunner add_list_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_show_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_check_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_compile_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_cache_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_devices_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_bench_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_profile_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_calibrate_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_tune_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_export_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_merge_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_report_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_gate_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_worker_command(CLI::App& app, const GlobalOptions& global);
CommandRunner add_compile_server_command(CLI::App& app, const GlobalOptions& global);

}  // namespace tkbench
