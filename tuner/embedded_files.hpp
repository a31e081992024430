#pragma once
// Files under templates/, compiled into the binary (cmake/EmbedFiles.cmake).
#include <string>
#include <string_view>
#include <vector>

namespace tkbench {

struct EmbeddedFile {
  std::string_view path;  // relative to templates/: "rmsnorm/rmsnorm.toml", "include/tkbench/vec.cuh"
  std::string_view contents;
};

const std::vector<EmbeddedFile>& embedded_files();

}  // namespace tkbench
