#pragma once
// Small file helpers shared by the caches and result writers.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tkbench {

std::optional<std::string> read_file(const std::filesystem::path& path);

// Writes `data` to a temporary file beside `path`, fsyncs it and renames it
// over `path`: readers see the old file or the whole new one, never a part.
// Returns an error message, or nothing on success. For the caches, which
// warn and go on; a file the user named goes through write_output_file.
std::optional<std::string> write_file_atomically(const std::filesystem::path& path, std::string_view data);

// $XDG_CACHE_HOME/tkbench, else ~/.cache/tkbench.
std::filesystem::path default_cache_dir();

}  // namespace tkbench
