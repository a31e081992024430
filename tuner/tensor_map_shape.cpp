#include "tuner/tensor_map_shape.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tkbench {

TensorMapShape resolve_tensor_map(const TemplateSpec& spec, const ArgSpec& arg, DType problem_dtype, const Bindings& bindings) {
  return resolve_tensor_map(spec, arg.tensor_map, arg.name, problem_dtype, bindings);
}

TensorMapShape resolve_tensor_map(const TemplateSpec& spec, const TensorMapSpec& map, const std::string& name,
                                  DType problem_dtype, const Bindings& bindings) {
  const ArgSpec* buffer = spec.find_arg(map.buffer);
  if (!buffer) throw InputError(fmt::format("tensor map '{}': no buffer '{}'", name, map.buffer));
  TensorMapShape out;
  out.dtype = buffer->resolved_dtype(problem_dtype);
  const std::string what = fmt::format("tensor map '{}' ", name);
  for (std::size_t i = 0; i < map.dims.size(); ++i)
    out.dims.push_back(static_cast<std::uint64_t>(
        map.dims[i].evaluate_integer(bindings, what + fmt::format("dims[{}]", i), 1, 1LL << 32)));
  for (std::size_t i = 0; i < map.strides.size(); ++i)
    out.strides.push_back(static_cast<std::uint64_t>(
        map.strides[i].evaluate_integer(bindings, what + fmt::format("strides[{}]", i), 16, (1LL << 40) - 1)));
  for (std::size_t i = 0; i < map.box.size(); ++i)
    out.box.push_back(static_cast<std::uint32_t>(map.box[i].evaluate_integer(bindings, what + fmt::format("box[{}]", i), 1, 256)));
  out.element_strides.assign(map.dims.size(), 1);
  for (std::size_t i = 0; i < map.element_strides.size(); ++i)
    out.element_strides[i] = static_cast<std::uint32_t>(
        map.element_strides[i].evaluate_integer(bindings, what + fmt::format("element_strides[{}]", i), 1, 8));
  out.swizzle_bytes = static_cast<int>(map.swizzle.evaluate_integer(bindings, what + "swizzle", 0, 128));
  out.l2_promotion_bytes = static_cast<int>(map.l2_promotion.evaluate_integer(bindings, what + "l2_promotion", 0, 256));
  out.oob_nan = map.oob_nan;
  return out;
}

}  // namespace tkbench
