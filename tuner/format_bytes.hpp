#pragma once
// Byte counts for people ("1.5 GiB"): in out-of-memory messages from the GPU
// stage as well as in reports and the CLI, so it sits in the lowest stage.
#include <string>

namespace tkbench {

std::string format_bytes(double bytes);  // "1.5 GiB"

}  // namespace tkbench
