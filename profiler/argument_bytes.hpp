#pragma once
// The bytes of by-value kernel arguments: a scalar in its dtype, and a struct
// argument (kind = "struct") laid out as tuner/struct_layout says, with its
// pointers, scalars and host-encoded tensor maps in place.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "tuner/template_spec.hpp"

namespace tkbench {

// Writes `value` as `dtype` (round-to-nearest-even for bf16/fp16) to `out`,
// which has dtype_info(dtype).size bytes.
void encode_scalar(DType dtype, double value, void* out);

// The struct's bytes for one buffer set at one config: `buffer_address`
// gives the device address of a buffer argument by name. Padding is zero.
// Throws InputError where a tensor map is refused (the message names the field).
std::vector<std::byte> pack_struct(const TemplateSpec& spec, const ArgSpec& arg, DType problem_dtype,
                                   const Bindings& bindings, const std::function<void*(const std::string&)>& buffer_address);

}  // namespace tkbench
