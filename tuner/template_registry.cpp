#include "tuner/template_registry.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "tuner/embedded_files.hpp"
#include "tuner/file_util.hpp"
#include "tuner/manifest_parser.hpp"

namespace tkbench {
namespace fs = std::filesystem;

namespace {
constexpr std::string_view kSharedIncludePrefix = "include/";

std::optional<std::string> embedded(const std::string& path) {
  for (const auto& f : embedded_files())
    if (f.path == path) return std::string(f.contents);
  return std::nullopt;
}
}  // namespace

std::optional<std::string> TemplateRegistry::shared_header(const std::string& include_name) {
  return embedded(std::string(kSharedIncludePrefix) + include_name);
}

namespace {
// cli values, then the ':'-separated entries of the environment variable `var`.
std::vector<std::string> with_path_variable(const std::vector<std::string>& cli, const char* var) {
  std::vector<std::string> dirs = cli;
  if (const char* env = std::getenv(var); env && *env) {
    std::string_view path(env);
    std::size_t start = 0;
    while (start <= path.size()) {
      std::size_t colon = path.find(':', start);
      auto item = path.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
      if (!item.empty()) dirs.emplace_back(item);
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
  }
  return dirs;
}
}  // namespace

std::vector<std::string> TemplateRegistry::user_template_dirs(const std::vector<std::string>& cli_dirs) {
  return with_path_variable(cli_dirs, "TKBENCH_TEMPLATE_PATH");
}

std::vector<std::string> TemplateRegistry::user_include_dirs(const std::vector<std::string>& cli_dirs) {
  std::vector<std::string> out;
  for (const auto& dir : with_path_variable(cli_dirs, "TKBENCH_INCLUDE_PATH")) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      throw InputError(fmt::format("include folder '{}' (--include-dir or TKBENCH_INCLUDE_PATH) does not exist; fix: "
                                   "give the folder a kernel's #include lines start from (e.g. a ThunderKittens "
                                   "checkout's include/)", dir));
    out.push_back(fs::absolute(dir, ec).lexically_normal().string());
  }
  return out;
}

void TemplateRegistry::add(TemplateSpec spec) {
  auto same = std::find_if(templates_.begin(), templates_.end(), [&](const TemplateSpec& t) { return t.name == spec.name; });
  if (same == templates_.end()) {
    templates_.push_back(std::move(spec));
    return;
  }
  if (same->builtin && !spec.builtin) {
    notices_.push_back(fmt::format("note: template '{}' from {} shadows the built-in one", spec.name, spec.manifest_path));
    *same = std::move(spec);
  } else {
    // Two user templates with one name: the first directory searched wins.
    notices_.push_back(fmt::format("note: template '{}' in {} is ignored: {} defines it first", spec.name,
                                   spec.manifest_path, same->manifest_path));
  }
}

TemplateRegistry TemplateRegistry::load(const std::vector<std::string>& user_dirs, const std::vector<std::string>& include_dirs) {
  TemplateRegistry registry;
  // Built-ins: templates/<name>/<name>.toml inside the binary.
  for (const auto& file : embedded_files()) {
    fs::path path(file.path);
    if (path.extension() != ".toml" || file.path.starts_with(kSharedIncludePrefix)) continue;
    ManifestInput input;
    input.display_path = fmt::format("builtin:{}", file.path);
    input.text = std::string(file.contents);
    input.builtin = true;
    const std::string dir = path.parent_path().string();
    input.read_relative = [dir](const std::string& rel) { return embedded(dir + "/" + rel); };
    input.read_shared_header = shared_header;
    // A broken built-in is a bug in tkbench itself: fail loudly.
    registry.add(parse_manifest(input));
  }

  for (const auto& dir : user_dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      const bool file = fs::exists(dir, ec);
      registry.load_errors_.push_back(
          file ? fmt::format("template directory '{}' is a file; --template-dir takes the folder that holds it (--template-dir {})",
                             dir, fs::path(dir).parent_path().empty() ? "." : fs::path(dir).parent_path().string())
               : fmt::format("template directory '{}' does not exist", dir));
      continue;
    }
    // DIR/*.toml and DIR/*/*.toml, in a stable order.
    std::vector<fs::path> manifests;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".toml") manifests.push_back(entry.path());
      if (entry.is_directory())
        for (const auto& inner : fs::directory_iterator(entry.path(), ec))
          if (inner.is_regular_file() && inner.path().extension() == ".toml") manifests.push_back(inner.path());
    }
    std::sort(manifests.begin(), manifests.end());
    for (const auto& manifest : manifests) {
      ManifestInput input;
      input.display_path = manifest.string();
      auto text = read_file(manifest);
      if (!text) {
        registry.load_errors_.push_back(fmt::format("{}: cannot read the manifest", manifest.string()));
        continue;
      }
      input.text = *text;
      const fs::path base = manifest.parent_path();
      input.include_dir = base.string();
      input.extra_include_dirs = include_dirs;
      input.read_relative = [base](const std::string& rel) { return read_file(base / rel); };
      input.read_shared_header = shared_header;
      try {
        registry.add(parse_manifest(input));
      } catch (const InputError& e) {
        registry.load_errors_.push_back(e.what());
        registry.failed_by_stem_.emplace_back(manifest.stem().string(), e.what());
        registry.failed_by_stem_.emplace_back(manifest.parent_path().filename().string(), e.what());
      }
    }
  }
  return registry;
}

const TemplateSpec& TemplateRegistry::get(std::string_view name) const {
  for (const auto& t : templates_)
    if (t.name == name) return t;
  for (const auto& [stem, error] : failed_by_stem_)
    if (stem == name) throw InputError(error);
  std::string names;
  for (const auto& t : templates_) names += (names.empty() ? "" : ", ") + t.name;
  std::string msg = fmt::format("unknown template '{}'; available: {} (see `tkbench list`)", name, names);
  if (!load_errors_.empty())
    msg += fmt::format("; {} user manifest(s) failed to load, first: {}", load_errors_.size(), load_errors_.front());
  throw InputError(msg);
}

}  // namespace tkbench
