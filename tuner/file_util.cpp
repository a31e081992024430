#include "tuner/file_util.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tuner/output_file.hpp"

namespace tkbench {

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return out.str();
}

std::optional<std::string> write_file_atomically(const std::filesystem::path& path, std::string_view data) {
  if (auto failure = try_write_output_file(path, data)) return failure->message;
  return std::nullopt;
}

std::filesystem::path default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "tkbench";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "tkbench";
  return std::filesystem::temp_directory_path() / "tkbench-cache";
}

}  // namespace tkbench
