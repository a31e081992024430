#include "profiler/remote_evaluation.hpp"

#include <fmt/format.h>

#include "tuner/errors.hpp"
#include "tuner/result_json.hpp"

namespace tkbench {
using json = nlohmann::ordered_json;

json evaluation_request_json(const EvaluationRequest& r) {
  return {{"op", "evaluate"},
          {"template", r.template_name},
          {"dims", r.dims},
          {"dtype", dtype_info(r.dtype).name},
          {"config", to_json(r.config)},
          {"l2", r.cold_l2 ? "cold" : "hot"},
          {"rule", {{"target_rel_error", r.rule.target_rel_error}, {"min_samples", r.rule.min_samples},
                    {"max_samples", r.rule.max_samples}, {"max_seconds", r.rule.max_seconds}}},
          {"throttle", {{"threshold", r.throttle.threshold}, {"first_rest_s", r.throttle.first_rest_s},
                        {"budget_s", r.throttle.budget_s}}},
          {"seed", r.seed},
          {"graph_below_us", r.graph_below_us},
          {"metrics", r.metrics},
          {"baseline", r.baseline}};
}

EvaluationRequest evaluation_request_from_json(const json& j, const TemplateSpec& spec) {
  EvaluationRequest r;
  r.template_name = j.at("template");
  r.dims = j.at("dims").get<std::vector<long long>>();
  r.dtype = parse_problem_dtype(j.at("dtype").get<std::string>(), spec);
  for (const auto& p : spec.params) r.config.values.emplace_back(p.name, j.at("config").at(p.name).get<long long>());
  r.cold_l2 = j.at("l2") == "cold";
  const auto& rule = j.at("rule");
  r.rule.target_rel_error = rule.at("target_rel_error");
  r.rule.min_samples = rule.at("min_samples");
  r.rule.max_samples = rule.at("max_samples");
  r.rule.max_seconds = rule.at("max_seconds");
  if (j.contains("throttle")) {  // a client from before the throttle guard keeps the defaults
    const auto& throttle = j.at("throttle");
    r.throttle.threshold = throttle.at("threshold");
    r.throttle.first_rest_s = throttle.at("first_rest_s");
    r.throttle.budget_s = throttle.at("budget_s");
  }
  r.seed = j.at("seed");
  r.graph_below_us = j.at("graph_below_us");
  r.metrics = j.value("metrics", std::vector<std::string>{});
  r.baseline = j.value("baseline", false);
  return r;
}

namespace {

void add_cost(const json& reply, EvaluationCost* cost) {
  if (!cost || !reply.contains("cost_ms")) return;
  const json& c = reply.at("cost_ms");
  cost->load_ms += c.value("load", 0.0);
  cost->buffers_ms += c.value("buffers", 0.0);
  cost->verify_ms += c.value("verify", 0.0);
  cost->timing_ms += c.value("timing", 0.0);
  cost->counters_ms += c.value("counters", 0.0);
}

// True when the worker ended without an answer.
bool evaluate_in_worker(WorkerClient& worker, const EvaluationRequest& request, Result& result, EvaluationCost* cost) {
  WorkerReply reply = worker.call(evaluation_request_json(request));
  const bool lost = reply.kind == WorkerReply::Kind::crashed;
  switch (reply.kind) {
    case WorkerReply::Kind::result: {
      add_cost(reply.payload, cost);
      try {
        result.measurement = measurement_from_json(reply.payload.at("measurement"));
      } catch (const std::exception& e) {
        result.status = Status::fault;
        result.reason = fmt::format("the worker's answer was malformed: {}", e.what());
        return lost;
      }
      const Verification& v = result.measurement->verification;
      result.status = v.passed ? Status::ok : Status::wrong_result;
      if (!v.passed)
        result.reason = v.nonfinite > 0
                            ? fmt::format("{}: {} elements NaN/Inf or never written (first at index {})", v.buffer, v.nonfinite, v.first_bad_index)
                            : fmt::format("{}: relative L2 error {:.3g} > tolerance {:.3g}, max abs error {:.3g}, first bad index {}",
                                          v.buffer, v.rel_l2_error, v.tolerance, v.max_abs_error, v.first_bad_index);
      return lost;
    }
    case WorkerReply::Kind::error: {
      std::string status = reply.payload.value("status", "error");
      if (status == "bad_input") throw InputError(reply.reason);
      if (status == "environment" && !request.baseline) throw EnvironmentError(reply.reason);
      result.status = status == "compile_error" ? Status::compile_error : Status::fault;
      result.reason = reply.reason;
      return lost;
    }
    case WorkerReply::Kind::timed_out:
      result.status = Status::timeout;
      result.reason = reply.reason;
      return lost;
    case WorkerReply::Kind::crashed:
    case WorkerReply::Kind::garbage:
      result.status = Status::fault;
      result.reason = reply.reason;
      return lost;
  }
  return lost;
}

}  // namespace

bool evaluate_remotely(WorkerClient& worker, const EvaluationRequest& request, Result& result, EvaluationCost* cost) {
  if (request.metrics.empty()) return evaluate_in_worker(worker, request, result, cost);
  // Counters and time from two workers. Once CUPTI's profiler is set up in a
  // process, every launch there is slower: 0.2-0.6 us a launch on an H200
  // (1x8192 rmsnorm: 1.97 us timed alone, 2.18-2.33 us after profiling). The
  // first worker verifies and collects counters, right after verification
  // (the L2 state Nsight Compute measures in), and retires; the time comes
  // from a fresh one that never touched CUPTI.
  if (evaluate_in_worker(worker, request, result, cost)) return true;
  if (result.status != Status::ok || !result.measurement) return false;
  Measurement counted = std::move(*result.measurement);
  EvaluationRequest timing = request;
  timing.metrics.clear();
  if (evaluate_in_worker(worker, timing, result, cost)) return true;
  if (!result.measurement) return false;
  result.measurement->counters = std::move(counted.counters);
  result.measurement->counters_unavailable = std::move(counted.counters_unavailable);
  return false;
}

Result evaluate_library_baseline(WorkerClient& worker, const TemplateSpec& spec, const Problem& problem,
                                 EvaluationRequest request) {
  Result r = Result::for_config(spec, problem, request.config);
  r.baseline = spec.baseline ? spec.baseline->library : "";
  request.baseline = true;
  request.metrics.clear();
  evaluate_remotely(worker, request, r);
  return r;
}

}  // namespace tkbench
