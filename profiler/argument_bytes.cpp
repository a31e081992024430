#include "profiler/argument_bytes.hpp"

#include <cstring>
#include <stdexcept>

#include "profiler/tensor_map_encoder.hpp"
#include "tuner/struct_layout.hpp"
#include "tuner/tensor_map_shape.hpp"

namespace tkbench {
namespace {

std::uint16_t to_bf16_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffff) > 0x7f800000) return 0x7fc0;  // NaN
  u += 0x7fff + ((u >> 16) & 1);
  return static_cast<std::uint16_t>(u >> 16);
}
std::uint16_t to_fp16_bits(float f) {
  // Through _Float16, which g++ 12 supports on x86-64.
  _Float16 h = static_cast<_Float16>(f);
  std::uint16_t bits;
  std::memcpy(&bits, &h, 2);
  return bits;
}

}  // namespace

void encode_scalar(DType dtype, double value, void* out) {
  switch (dtype) {
    case DType::fp32: { float v = static_cast<float>(value); std::memcpy(out, &v, 4); break; }
    case DType::fp64: std::memcpy(out, &value, 8); break;
    case DType::bf16: { auto v = to_bf16_bits(static_cast<float>(value)); std::memcpy(out, &v, 2); break; }
    case DType::fp16: { auto v = to_fp16_bits(static_cast<float>(value)); std::memcpy(out, &v, 2); break; }
    case DType::i8: { auto v = static_cast<signed char>(value); std::memcpy(out, &v, 1); break; }
    case DType::i32: { auto v = static_cast<int>(value); std::memcpy(out, &v, 4); break; }
    case DType::i64: { auto v = static_cast<long long>(value); std::memcpy(out, &v, 8); break; }
    case DType::e4m3:
    case DType::e8m0: throw std::logic_error("FP8 scalars are rejected when the manifest loads");
  }
}

std::vector<std::byte> pack_struct(const TemplateSpec& spec, const ArgSpec& arg, DType problem_dtype,
                                   const Bindings& bindings, const std::function<void*(const std::string&)>& buffer_address) {
  const StructLayout layout = layout_struct(arg.structure);
  std::vector<std::byte> bytes(layout.size, std::byte{0});
  for (std::size_t i = 0; i < layout.fields.size(); ++i) {
    const StructField& field = arg.structure.fields[i];
    std::byte* at = bytes.data() + layout.fields[i].offset;
    const std::string name = arg.name + "." + field.name;
    switch (field.kind) {
      case FieldKind::pointer: {
        void* p = buffer_address(field.buffer);
        std::memcpy(at, &p, sizeof p);
        break;
      }
      case FieldKind::scalar:
        encode_scalar(field.dtype, field.value.evaluate(bindings), at);
        break;
      case FieldKind::tensor_map: {
        const TensorMapShape shape = resolve_tensor_map(spec, field.tensor_map, name, problem_dtype, bindings);
        const EncodedTensorMap map = encode_tensor_map(shape, buffer_address(field.tensor_map.buffer));
        std::memcpy(at, map.words.data(), sizeof map.words);
        break;
      }
      case FieldKind::padding:
        break;
    }
  }
  return bytes;
}

}  // namespace tkbench
