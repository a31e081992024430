#pragma once
// Typed carving of dynamic shared memory: a kernel names what it keeps in
// shared memory as one struct (tiles, barriers, ...) and gets it with
// shared_storage<Layout>(), never by byte offsets. The manifest's
// `shared_bytes` must cover sizeof(Layout) plus the alignment slack
// (kSharedStorageSlack): dynamic shared memory is only 16-byte aligned.
namespace tkb {

constexpr int kSharedStorageSlack = 1024;  // the largest alignment a tile asks for (the 128-byte swizzle pattern)

template <typename Layout>
__device__ __forceinline__ Layout& shared_storage() {
  static_assert(alignof(Layout) <= kSharedStorageSlack, "raise kSharedStorageSlack");
  extern __shared__ __align__(16) unsigned char dynamic_shared[];
  const auto base = reinterpret_cast<unsigned long long>(dynamic_shared);
  const auto aligned = (base + alignof(Layout) - 1) / alignof(Layout) * alignof(Layout);
  return *reinterpret_cast<Layout*>(aligned);
}

}  // namespace tkb
