// `tkbench cache info|clear`.
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "reports/terminal.hpp"

namespace tkbench {

CommandRunner add_cache_command(CLI::App& app, const GlobalOptions& global) {
  auto action = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("cache", "Show or clear the compiled-kernel cache");
  cmd->add_option("action", *action, "info: where the cache is and how big; clear: remove every entry")
      ->required()
      ->check(CLI::IsMember({"info", "clear"}));
  cmd->footer("\nThe cache lives in $XDG_CACHE_HOME/tkbench (or --cache-dir). Entries are keyed by a hash of the\n"
              "source, its headers, NVRTC options and version, arch and kernel name: stale entries are never used.");
  return [&global, action] {
    KernelCache cache(global.resolved_cache_dir());
    if (*action == "clear") {
      std::size_t removed = cache.clear();
      if (global.json) std::printf("%s\n", nlohmann::ordered_json{{"removed_kernels", removed}}.dump().c_str());
      else std::printf("removed %zu compiled kernels from %s\n", removed, cache.info().dir.c_str());
      return 0;
    }
    auto info = cache.info();
    if (global.json) {
      std::printf("%s\n", nlohmann::ordered_json{{"kernel_cache", {{"dir", info.dir.string()}, {"entries", info.entries}, {"bytes", info.bytes}, {"writable", cache.enabled()}}}}.dump(2).c_str());
    } else {
      std::printf("compiled kernels: %zu entries, %s in %s%s\n", info.entries, format_bytes(static_cast<double>(info.bytes)).c_str(),
                  info.dir.c_str(), cache.enabled() ? "" : " (not writable)");
    }
    return 0;
  };
}

}  // namespace tkbench
