#pragma once
// A [gpu] test's check of one config: evaluated briefly (quick_request), it
// must pass verification against the reference, with no non-finite output and
// an error within the template's tolerance for the dtype.
#include <catch2/catch.hpp>

#include "profiler/evaluator.hpp"
#include "quick_request.hpp"
#include "tuner/dtype.hpp"

namespace tkbench::test {

inline void check_config_is_correct(Evaluator& evaluator, const TemplateSpec& spec, const std::vector<long long>& dims,
                                    DType dtype, const Config& config) {
  INFO(spec.name << " " << make_problem(spec, dims, dtype).shape_str() << " " << dtype_info(dtype).name << " "
                 << config.str());
  Measurement m = evaluator.evaluate(quick_request(spec, dims, dtype, config), [] {});
  CHECK(m.verification.passed);
  CHECK(m.verification.nonfinite == 0);
  CHECK(m.verification.rel_l2_error <= spec.tolerance.at(dtype));
}

}  // namespace tkbench::test
