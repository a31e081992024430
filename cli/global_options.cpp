#include "cli/global_options.hpp"

#include <fmt/format.h>

#include "cli/option_checks.hpp"
#include "reports/terminal.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/file_util.hpp"

namespace tkbench {

void GlobalOptions::add_to(CLI::App& app) {
  app.add_flag("--json", json, "Print machine-readable JSON on stdout instead of tables");
  app.add_flag("-q,--quiet", quiet, "Print only results and errors: no progress, no notes");
  app.add_flag("-v,--verbose", verbose, "Print more: full compiler logs, option details");
  app.add_flag("--no-color", no_color, "Never colour the output (NO_COLOR=1 does the same)");
  app.add_option("--device", device, "CUDA device index for GPU commands")->default_val(0)->check(whole_number_at_least("--device", 0, "a CUDA device index; `tkbench devices` lists them"));
  app.add_option("--template-dir", template_dirs,
                 "Folder of user templates (*.toml and */*.toml); repeatable. TKBENCH_TEMPLATE_PATH adds more (':'-separated)");
  app.add_option("--include-dir", include_dirs,
                 "Folder user templates' sources #include from (a ThunderKittens checkout's include/); repeatable. "
                 "TKBENCH_INCLUDE_PATH adds more (':'-separated). Its headers count in cache keys");
  app.add_option("--cache-dir", cache_dir, "Cache folder for compiled kernels (default $XDG_CACHE_HOME/tkbench)");
  app.add_option("-j,--jobs", jobs, "Compiles at once, each in its own compile-server process (default: all cores)")->check(whole_number_at_least("-j", 1));
}

bool GlobalOptions::color_stdout() const { return !no_color && !json && stream_wants_color(stdout); }
bool GlobalOptions::color_stderr() const { return !no_color && stream_wants_color(stderr); }

TemplateRegistry GlobalOptions::load_templates() const {
  auto registry = TemplateRegistry::load(TemplateRegistry::user_template_dirs(template_dirs),
                                         TemplateRegistry::user_include_dirs(include_dirs));
  for (const auto& n : registry.notices()) diagnostics().note(n);
  // The failed manifests themselves are shown by `list`, and raised when asked for by name.
  if (!registry.load_errors().empty())
    diagnostics().note(fmt::format("note: {} user template manifest(s) failed to load; `tkbench list` shows why",
                                   registry.load_errors().size()));
  return registry;
}

std::string GlobalOptions::resolved_cache_dir() const {
  return cache_dir.empty() ? default_cache_dir().string() : cache_dir;
}

}  // namespace tkbench
