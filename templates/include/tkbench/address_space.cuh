#pragma once
// Addresses in the state spaces PTX instructions take (a 32-bit shared-memory address).

namespace tkb {

__device__ __forceinline__ unsigned shared_address(const void* p) {
  return static_cast<unsigned>(__cvta_generic_to_shared(p));
}

}  // namespace tkb
