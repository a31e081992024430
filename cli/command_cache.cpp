// `tkbench cache info|clear`.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "reports/terminal.hpp"
#include "tuner/format_bytes.hpp"
#include "tuner/tuning_cache.hpp"

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
    TuningCache tuning(global.resolved_cache_dir());
    if (*action == "clear") {
      std::size_t removed = cache.clear();
      std::size_t tuned = tuning.clear();
      if (global.json) std::printf("%s\n", nlohmann::ordered_json{{"removed_kernels", removed}, {"removed_tuned", tuned}}.dump().c_str());
      else std::printf("removed %zu compiled kernels and %zu tuned configs from %s\n", removed, tuned, global.resolved_cache_dir().c_str());
      return 0;
    }
    auto entries = tuning.list();
    auto info = cache.info();
    if (global.json) {
      nlohmann::ordered_json tuned = nlohmann::ordered_json::array();
      for (const auto& e : entries)
        tuned.push_back({{"key", e.key.to_json()}, {"config", e.config}, {"median_us", e.median_us}, {"pct_of_measured", e.pct_of_measured},
                         {"document", e.document}, {"tuned_at", e.tuned_at}});
      std::printf("%s\n", nlohmann::ordered_json{{"kernel_cache", {{"dir", info.dir.string()}, {"entries", info.entries}, {"bytes", info.bytes}, {"writable", cache.enabled()}}},
                                                 {"tuning_cache", {{"dir", tuning.dir()}, {"entries", tuned}}}}.dump(2).c_str());
    } else {
      std::printf("compiled kernels: %zu entries, %s in %s%s\n", info.entries, format_bytes(static_cast<double>(info.bytes)).c_str(),
                  info.dir.c_str(), cache.enabled() ? "" : " (not writable)");
      std::printf("tuned configs: %zu in %s\n", entries.size(), tuning.dir().c_str());
      if (!entries.empty()) {
        Table table({"template", "shape", "dtype", "GPU", "best config", "time", "% of copy", "tuned at"});
        for (const auto& e : entries) {
          std::string cfg;
          for (const auto& [k, v] : e.config.items()) cfg += (cfg.empty() ? "" : ",") + k + "=" + v.dump();
          if (!e.key.filter.empty()) cfg += " (within " + e.key.filter + ")";
          table.add_row({e.key.template_name, e.key.shape, e.key.dtype, e.key.gpu_name, cfg, fmt::format("{:.2f} µs", e.median_us),
                         fmt::format("{:.1f}%", e.pct_of_measured), e.tuned_at});
        }
        table.print(stdout, global.color_stdout());
      }
    }
    return 0;
  };
}

}  // namespace tkbench
