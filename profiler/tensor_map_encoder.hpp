#pragma once
// Encodes a TMA tensor map on the host with cuTensorMapEncodeTiled, fetched
// from the driver at run time (cudaGetDriverEntryPointByVersion): tkbench never
// links libcuda, so it starts on machines without a GPU.
#include <array>
#include <cstdint>

#include "tuner/tensor_map_shape.hpp"

namespace tkbench {

// A CUtensorMap's 128 bytes, as the kernel receives them (by value).
struct alignas(64) EncodedTensorMap {
  std::array<std::uint64_t, 16> words{};
};

// Throws InputError when the driver refuses the map (its arguments are the
// manifest's), EnvironmentError when the driver lacks the function.
EncodedTensorMap encode_tensor_map(const TensorMapShape& shape, void* global_address);

}  // namespace tkbench
