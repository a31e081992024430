#include "tuner/dtype.hpp"

#include <cmath>

namespace tkbench {

const std::vector<DTypeInfo>& all_dtypes() {
  static const std::vector<DTypeInfo> table = {
      {DType::bf16, "bf16", "__nv_bfloat16", 2, true}, {DType::fp16, "fp16", "__half", 2, true},
      {DType::fp32, "fp32", "float", 4, true},         {DType::fp64, "fp64", "double", 8, true},
      {DType::i8, "i8", "signed char", 1, false},     {DType::i32, "i32", "int", 4, false},
      {DType::i64, "i64", "long long", 8, false},
      {DType::e4m3, "e4m3", "__nv_fp8_e4m3", 1, true}, {DType::e8m0, "e8m0", "__nv_fp8_e8m0", 1, true},
  };
  return table;
}

const DTypeInfo& dtype_info(DType dtype) { return all_dtypes().at(static_cast<std::size_t>(dtype)); }

std::optional<DType> parse_dtype(std::string_view name) {
  for (const auto& info : all_dtypes())
    if (info.name == name) return info.dtype;
  return std::nullopt;
}

std::string dtype_names_joined() {
  std::string out;
  for (const auto& info : all_dtypes()) {
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

double dtype_code(DType dtype) { return static_cast<double>(static_cast<int>(dtype) + 1); }

std::optional<DType> dtype_from_code(double code) {
  double index = code - 1;
  if (index < 0 || index >= static_cast<double>(all_dtypes().size()) || std::floor(index) != index) return std::nullopt;
  return all_dtypes()[static_cast<std::size_t>(index)].dtype;
}

}  // namespace tkbench
