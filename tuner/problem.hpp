#pragma once
// Problem: what one kernel call computes: the template's shape dims bound to
// sizes, and the dtype. Parsed from --shape 4096x8192 and --dtype bf16.
#include <string>
#include <string_view>
#include <vector>

#include "tuner/dtype.hpp"
#include "tuner/expression.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

struct Problem {
  std::vector<std::string> dim_names;  // the template's dims, in order
  std::vector<long long> dims;         // their sizes
  DType dtype = DType::fp32;
  // The GPU's SM count, `num_sms` in launch expressions (persistent kernels):
  // set by the worker from its device; offline, an arch's default (target_arch.hpp).
  long long num_sms = 132;
  // The most shared memory one block may opt in to on the target arch
  // (`max_shared_bytes`; sm_90: 227 KB): configs over it are pruned offline.
  long long max_shared_bytes = 232448;

  std::string shape_str() const;  // "4096x8192"
  // Dims, the dtype code, num_sms and max_shared_bytes, for evaluating expressions.
  Bindings bindings() const;
};

// Parses "4096x8192" (one shape) against the template's dims.
std::vector<long long> parse_shape(std::string_view text, const TemplateSpec& spec);
// Parses "1x8192,4096x8192" (several shapes).
std::vector<std::vector<long long>> parse_shape_list(std::string_view text, const TemplateSpec& spec);
// Checks that the template supports `dtype_name`; empty means its first dtype.
DType parse_problem_dtype(std::string_view dtype_name, const TemplateSpec& spec);

// num_sms and max_shared_bytes are those of the template's arch (an H100/H200
// when it names none) until a device says otherwise.
Problem make_problem(const TemplateSpec& spec, std::vector<long long> dims, DType dtype);

}  // namespace tkbench
