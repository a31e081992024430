#include "profiler/tensor_map_encoder.hpp"

#include <cuda.h>
#include <cuda_runtime_api.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "profiler/cuda_check.hpp"

namespace tkbench {
namespace {

using EncodeTiled = CUresult (*)(CUtensorMap*, CUtensorMapDataType, cuuint32_t, void*, const cuuint64_t*,
                                 const cuuint64_t*, const cuuint32_t*, const cuuint32_t*, CUtensorMapInterleave,
                                 CUtensorMapSwizzle, CUtensorMapL2promotion, CUtensorMapFloatOOBfill);

EncodeTiled encode_function() {
  static const EncodeTiled fn = [] {
    void* f = nullptr;
    cudaDriverEntryPointQueryResult status{};
    check_cuda(cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &f, 12000, cudaEnableDefault, &status),
               "looking up cuTensorMapEncodeTiled");
    if (!f || status != cudaDriverEntryPointSuccess)
      throw EnvironmentError("cuTensorMapEncodeTiled is not available in this driver (tensor maps need CUDA 12+)");
    return reinterpret_cast<EncodeTiled>(f);
  }();
  return fn;
}

CUtensorMapDataType data_type(DType d) {
  switch (d) {
    case DType::bf16: return CU_TENSOR_MAP_DATA_TYPE_BFLOAT16;
    case DType::fp16: return CU_TENSOR_MAP_DATA_TYPE_FLOAT16;
    case DType::fp32: return CU_TENSOR_MAP_DATA_TYPE_FLOAT32;
    case DType::fp64: return CU_TENSOR_MAP_DATA_TYPE_FLOAT64;
    case DType::i32: return CU_TENSOR_MAP_DATA_TYPE_INT32;
    case DType::i64: return CU_TENSOR_MAP_DATA_TYPE_INT64;
    case DType::i8:
    case DType::e4m3:
    case DType::e8m0: return CU_TENSOR_MAP_DATA_TYPE_UINT8;  // the same bytes: TMA only moves them
  }
  return CU_TENSOR_MAP_DATA_TYPE_UINT8;
}

CUtensorMapSwizzle swizzle_mode(int bytes) {
  switch (bytes) {
    case 32: return CU_TENSOR_MAP_SWIZZLE_32B;
    case 64: return CU_TENSOR_MAP_SWIZZLE_64B;
    case 128: return CU_TENSOR_MAP_SWIZZLE_128B;
    default: return CU_TENSOR_MAP_SWIZZLE_NONE;
  }
}

CUtensorMapL2promotion l2_promotion(int bytes) {
  switch (bytes) {
    case 64: return CU_TENSOR_MAP_L2_PROMOTION_L2_64B;
    case 128: return CU_TENSOR_MAP_L2_PROMOTION_L2_128B;
    case 256: return CU_TENSOR_MAP_L2_PROMOTION_L2_256B;
    default: return CU_TENSOR_MAP_L2_PROMOTION_NONE;
  }
}

}  // namespace

EncodedTensorMap encode_tensor_map(const TensorMapShape& shape, void* global_address) {
  static_assert(sizeof(CUtensorMap) == sizeof(EncodedTensorMap), "a CUtensorMap is 128 bytes");
  EncodedTensorMap out;
  std::vector<cuuint32_t> element_strides = shape.element_strides;
  element_strides.resize(shape.dims.size(), 1);
  const CUresult r = encode_function()(
      reinterpret_cast<CUtensorMap*>(out.words.data()), data_type(shape.dtype), static_cast<cuuint32_t>(shape.dims.size()),
      global_address, shape.dims.data(), shape.strides.data(), shape.box.data(), element_strides.data(),
      CU_TENSOR_MAP_INTERLEAVE_NONE, swizzle_mode(shape.swizzle_bytes), l2_promotion(shape.l2_promotion_bytes),
      // FILL_NONE: out-of-bounds elements read as zeros
      shape.oob_nan ? CU_TENSOR_MAP_FLOAT_OOB_FILL_NAN_REQUEST_ZERO_FMA : CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS)
    throw InputError(fmt::format("cuTensorMapEncodeTiled refused the map (error {}): dims [{}], strides [{}], box [{}], "
                                 "element strides [{}], swizzle {} B",
                                 static_cast<int>(r), fmt::join(shape.dims, ", "), fmt::join(shape.strides, ", "),
                                 fmt::join(shape.box, ", "), fmt::join(element_strides, ", "), shape.swizzle_bytes));
  return out;
}

}  // namespace tkbench
