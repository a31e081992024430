#pragma once
// JSON forms of the pipeline's types, written in one place so that every
// command and later the results document agree on field names. In tuner/, the
// lowest stage: the journal, the worker pipe and the reports all use it.
#include <nlohmann/json.hpp>

#include "tuner/measurement.hpp"
#include "tuner/result.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

nlohmann::ordered_json to_json(const Problem& problem);
nlohmann::ordered_json to_json(const Config& config);
nlohmann::ordered_json to_json(const ResourceUsage& resources);
nlohmann::ordered_json to_json(const LaunchGeometry& geometry);
nlohmann::ordered_json to_json(const Occupancy& occupancy);
nlohmann::ordered_json to_json(const Verification& verification);
nlohmann::ordered_json to_json(const TimingStats& timing);
nlohmann::ordered_json to_json(const Counters& counters);
nlohmann::ordered_json to_json(const Measurement& measurement);
nlohmann::ordered_json to_json(const Result& result);

// The inverse, for measurements that cross the worker pipe. Throws on a malformed document.
Verification verification_from_json(const nlohmann::ordered_json& j);
TimingStats timing_from_json(const nlohmann::ordered_json& j);
Measurement measurement_from_json(const nlohmann::ordered_json& j);
// A Result as to_json(Result) wrote it (resuming a run). Throws on a malformed document.
Result result_from_json(const nlohmann::ordered_json& j);
nlohmann::ordered_json to_json(const TemplateSpec& spec);

}  // namespace tkbench
