#pragma once
// A request that checks a config and times it only briefly: for [gpu] correctness tests.
#include "profiler/evaluator.hpp"
#include "tuner/problem.hpp"

namespace tkbench::test {

inline EvaluationRequest quick_request(const TemplateSpec& spec, std::vector<long long> dims, DType dtype, Config config) {
  EvaluationRequest r = EvaluationRequest::for_config(spec, make_problem(spec, std::move(dims), dtype), config);
  r.rule.max_seconds = 0.02;  // correctness is the point here, not the time
  r.rule.min_samples = 3;
  return r;
}

}  // namespace tkbench::test
