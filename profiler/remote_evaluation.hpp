#pragma once
// The coordinator's view of evaluating one config: send it to the worker and
// turn the answer into a Result status. A fault or hang costs this config only.
#include "profiler/evaluator.hpp"
#include "tuner/worker_client.hpp"
#include "tuner/result.hpp"

namespace tkbench {

nlohmann::ordered_json evaluation_request_json(const EvaluationRequest& request);
EvaluationRequest evaluation_request_from_json(const nlohmann::ordered_json& j, const TemplateSpec& spec);

// Fills result.status, reason and measurement. Throws InputError when the
// worker reports bad input (e.g. buffers larger than device memory). Adds
// where the worker spent its time to `cost`, when given. Returns true when
// the worker process ended without answering (crashed, or could not start):
// a GPU that keeps doing so has gone, not a config that failed.
bool evaluate_remotely(WorkerClient& worker, const EvaluationRequest& request, Result& result,
                       EvaluationCost* cost = nullptr);

// The template's [baseline] library on the problem of `request` (timed with
// the same rule; its config only binds tensor maps the reference may use): a
// Result with `baseline` set, ok or with the reason it is not (a library that
// cannot be loaded is a fault of the baseline, not of the run).
Result evaluate_library_baseline(WorkerClient& worker, const TemplateSpec& spec, const Problem& problem,
                                 EvaluationRequest request);

}  // namespace tkbench
