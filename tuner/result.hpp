#pragma once
// Result: what tkbench learned about one config of one problem. The compile
// stage fills `compile`; the GPU stage adds `measurement`. A
// result set is a list of these; reports and gates read only results.
#include <optional>
#include <string>
#include <string_view>

#include "tuner/compiled_kernel.hpp"
#include "tuner/config.hpp"
#include "tuner/kernel_instance.hpp"
#include "tuner/measurement.hpp"
#include "tuner/occupancy.hpp"
#include "tuner/problem.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

enum class Status { ok, compile_error, wrong_result, fault, timeout, skipped };
std::string_view status_name(Status status);

// What compiling one config found out, without the CUBIN itself.
struct CompileStats {
  std::string arch;
  std::string name_expression;
  std::string lowered_name;
  ResourceUsage resources;
  LaunchGeometry geometry;
  Occupancy occupancy;  // theoretical, from the arch table
  double compile_ms = 0;
  bool cache_hit = false;
};

struct Result {
  std::string template_name;
  std::string source_hash;
  Problem problem;
  Config config;
  Status status = Status::skipped;
  std::string reason;  // why it is not ok: the NVRTC log, the error
  std::optional<CompileStats> compile;
  std::optional<Measurement> measurement;  // verification and timing, from the GPU
  // Non-empty: this is the template's library baseline ("cublas") timed on
  // the same problem, not a config (ResultSet::baselines holds these).
  std::string baseline;
  // The UUID of the GPU that measured it, when a run used several (--devices);
  // empty: the document's `device`.
  std::string gpu;

  // A not-yet-evaluated result for `config` of `problem`.
  static Result for_config(const TemplateSpec& spec, const Problem& problem, const Config& config) {
    Result r;
    r.template_name = spec.name;
    r.source_hash = spec.source_hash;
    r.problem = problem;
    r.config = config;
    return r;
  }
};

}  // namespace tkbench
