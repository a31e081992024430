#pragma once
// All templates tkbench knows: the built-in ones embedded in the binary, then
// user templates from --template-dir and TKBENCH_TEMPLATE_PATH. A user
// template with a built-in's name shadows it, with a notice.
#include <optional>
#include <string>
#include <vector>

#include "tuner/template_spec.hpp"

namespace tkbench {

class TemplateRegistry {
 public:
  // Loads every manifest. A manifest that fails to parse does not stop the
  // others; its error is kept and raised when its template is asked for.
  // `include_dirs` (user_include_dirs) go to every user template's compiles.
  static TemplateRegistry load(const std::vector<std::string>& user_dirs, const std::vector<std::string>& include_dirs = {});

  // Throws InputError: the manifest's own error, or "unknown template".
  const TemplateSpec& get(std::string_view name) const;
  const std::vector<TemplateSpec>& all() const { return templates_; }
  // Shadowing notices and load errors, for commands to print on stderr.
  const std::vector<std::string>& notices() const { return notices_; }
  const std::vector<std::string>& load_errors() const { return load_errors_; }

  // Header text of tkbench's own include files, by include name ("tkbench/vec.cuh").
  static std::optional<std::string> shared_header(const std::string& include_name);
  // Directories searched for user templates: --template-dir values, then TKBENCH_TEMPLATE_PATH entries.
  static std::vector<std::string> user_template_dirs(const std::vector<std::string>& cli_dirs);
  // Include folders for user templates: --include-dir values, then TKBENCH_INCLUDE_PATH entries,
  // made absolute. Throws InputError for one that does not exist.
  static std::vector<std::string> user_include_dirs(const std::vector<std::string>& cli_dirs);

 private:
  void add(TemplateSpec spec);
  std::vector<TemplateSpec> templates_;
  std::vector<std::string> notices_;
  std::vector<std::string> load_errors_;
  // Manifest stem -> load error, so `show broken` reports why it is missing.
  std::vector<std::pair<std::string, std::string>> failed_by_stem_;
};

}  // namespace tkbench
