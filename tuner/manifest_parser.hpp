#pragma once
// Reads a template manifest (TOML; format in docs/templates.md) into a
// TemplateSpec. Every mistake is an InputError that says file:line:column.
#include <functional>
#include <optional>
#include <string>

#include "tuner/template_spec.hpp"

namespace tkbench {

// Finds a file the manifest refers to (its source, the headers that includes),
// relative to the manifest. Returns nullopt when there is no such file.
using FileReader = std::function<std::optional<std::string>(const std::string& relative_path)>;

struct ManifestInput {
  std::string display_path;      // used in messages: "builtin:rmsnorm/rmsnorm.toml" or the file path
  std::string text;              // the TOML text
  FileReader read_relative;      // reads files next to the manifest
  FileReader read_shared_header; // reads tkbench's own headers ("tkbench/common.cuh")
  bool builtin = false;
  std::string include_dir;       // user templates: the manifest's folder
  std::vector<std::string> extra_include_dirs;  // --include-dir and TKBENCH_INCLUDE_PATH: after the manifest's include_dirs
};

TemplateSpec parse_manifest(const ManifestInput& input);

}  // namespace tkbench
