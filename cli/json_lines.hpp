#pragma once
// The helper processes' side of their pipe (`tkbench worker`,
// `tkbench compile-server`): one JSON message per line on stdout, flushed.
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

namespace tkbench {

inline void send_json_line(const nlohmann::ordered_json& message) {
  std::string line = message.dump() + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

}  // namespace tkbench
