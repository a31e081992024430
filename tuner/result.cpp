#include "tuner/result.hpp"

namespace tkbench {

std::string_view status_name(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::compile_error: return "compile_error";
    case Status::wrong_result: return "wrong_result";
    case Status::fault: return "fault";
    case Status::timeout: return "timeout";
    case Status::skipped: return "skipped";
  }
  return "?";
}

}  // namespace tkbench
