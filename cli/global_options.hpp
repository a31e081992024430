#pragma once
// Options every command takes, and the stage objects built from them.
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tuner/kernel_cache.hpp"
#include "tuner/template_registry.hpp"

namespace tkbench {

struct GlobalOptions {
  bool json = false;
  bool quiet = false;
  bool verbose = false;
  bool no_color = false;
  int device = 0;
  std::vector<std::string> template_dirs;
  std::vector<std::string> include_dirs;  // --include-dir: for user templates' compiles
  std::string cache_dir;  // empty: $XDG_CACHE_HOME/tkbench
  unsigned jobs = 0;      // 0: all cores

  void add_to(CLI::App& app);
  bool color_stdout() const;
  bool color_stderr() const;
  // Loads built-in and user templates and prints shadowing notices and load errors.
  TemplateRegistry load_templates() const;
  std::string resolved_cache_dir() const;
};

}  // namespace tkbench
