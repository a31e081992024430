#pragma once
// A manifest's tensor map (kind = "tensor_map") resolved for one problem and
// config: the numbers cuTensorMapEncodeTiled takes. No GPU: the profiler
// encodes it (profiler/tensor_map_encoder), tests and `show` read it.
#include <cstdint>
#include <vector>

#include "tuner/template_spec.hpp"

namespace tkbench {

struct TensorMapShape {
  DType dtype = DType::bf16;             // the buffer's element type
  std::vector<std::uint64_t> dims;       // elements, innermost first
  std::vector<std::uint64_t> strides;    // bytes, of dims 1..
  std::vector<std::uint32_t> box;        // elements, innermost first
  std::vector<std::uint32_t> element_strides;  // one per dim, 1 to 8
  int swizzle_bytes = 0;                 // 0, 32, 64 or 128
  int l2_promotion_bytes = 256;          // 0, 64, 128 or 256
  bool oob_nan = false;                  // out-of-bounds elements read as NaN, else zero
};

// `bindings` holds the problem's names and the config's parameters. Throws
// InputError when a value is out of TMA's range; the manifest's derived
// constraints (docs/templates.md) already reject such configs.
TensorMapShape resolve_tensor_map(const TemplateSpec& spec, const ArgSpec& arg, DType problem_dtype, const Bindings& bindings);
// The same for any map (a struct's field): `name` is used in messages.
TensorMapShape resolve_tensor_map(const TemplateSpec& spec, const TensorMapSpec& map, const std::string& name,
                                  DType problem_dtype, const Bindings& bindings);

}  // namespace tkbench
