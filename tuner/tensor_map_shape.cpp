#include "tuner/tensor_map_shape.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tkbench {

TensorMapShape resolve_tensor_map(const TemplateSpec& spec, const ArgSpec& arg, DType problem_dtype, const Bindings& bindings) {
  const TensorMapSpec& map = arg.tensor_map;
  auto buffer = std::find_if(spec.args.begin(), spec.args.end(), [&](const ArgSpec& a) { return a.name == map.buffer; });
  if (buffer == spec.args.end()) throw InputError(fmt::format("tensor map '{}': no buffer '{}'", arg.name, map.buffer));
  TensorMapShape out;
  out.dtype = buffer->resolved_dtype(problem_dtype);
  const std::string what = fmt::format("tensor map '{}' ", arg.name);
  for (std::size_t i = 0; i < map.dims.size(); ++i)
    out.dims.push_back(static_cast<std::uint64_t>(
        map.dims[i].evaluate_integer(bindings, what + fmt::format("dims[{}]", i), 1, 1LL << 32)));
  for (std::size_t i = 0; i < map.strides.size(); ++i)
    out.strides.push_back(static_cast<std::uint64_t>(
        map.strides[i].evaluate_integer(bindings, what + fmt::format("strides[{}]", i), 16, 1LL << 40)));
  for (std::size_t i = 0; i < map.box.size(); ++i)
    out.box.push_back(static_cast<std::uint32_t>(map.box[i].evaluate_integer(bindings, what + fmt::format("box[{}]", i), 1, 256)));
  out.swizzle_bytes = static_cast<int>(map.swizzle.evaluate_integer(bindings, what + "swizzle", 0, 128));
  return out;
}

}  // namespace tkbench
