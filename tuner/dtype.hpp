#pragma once
// Element types that kernels and buffers use. One table holds each type's
// name in manifests and on the command line, its C++ spelling for name
// expressions and its size; everything else derives from it.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tkbench {

// e4m3 and e8m0: 1-byte FP8 codes (OCP E4M3) and power-of-two scales (E8M0),
// the outputs of quantizing kernels; compared as the numbers they encode.
enum class DType { bf16, fp16, fp32, fp64, i8, i32, i64, e4m3, e8m0 };

struct DTypeInfo {
  DType dtype;
  std::string_view name;      // "bf16": manifests, --dtype, expressions
  std::string_view cpp_type;  // "__nv_bfloat16": substituted for {dtype}
  std::size_t size;           // bytes per element
  bool is_float;
};

const DTypeInfo& dtype_info(DType dtype);
std::optional<DType> parse_dtype(std::string_view name);
const std::vector<DTypeInfo>& all_dtypes();
std::string dtype_names_joined();  // "bf16, fp16, fp32, ..." for error messages

// Numeric code of a dtype inside expressions: `dtype == fp32` compares codes and
// `size(dtype)` maps a code to bytes. Codes start at 1 so that 0 is never a dtype.
double dtype_code(DType dtype);
std::optional<DType> dtype_from_code(double code);

}  // namespace tkbench
