#include "profiler/loaded_kernel.hpp"

#include "profiler/cuda_check.hpp"

namespace tkbench {

LoadedKernel::LoadedKernel(const CompiledKernel& kernel) : name_(kernel.name_expression) {
  check_cuda(cudaLibraryLoadData(&library_, kernel.cubin.data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
             "loading the CUBIN of " + name_);
  try {
    check_cuda(cudaLibraryGetKernel(&kernel_, library_, kernel.lowered_name.c_str()), "finding " + name_ + " in its CUBIN");
  } catch (...) {
    cudaLibraryUnload(library_);
    throw;
  }
}

LoadedKernel::~LoadedKernel() {
  if (library_) cudaLibraryUnload(library_);
}

void LoadedKernel::allow_dynamic_shared(long long bytes) {
  if (bytes <= shared_limit_) return;
  // Without the opt-in, static plus dynamic shared memory must fit in 48 KB.
  cudaFuncAttributes attributes{};
  check_cuda(cudaFuncGetAttributes(&attributes, function()), "reading the attributes of " + name_);
  if (bytes + static_cast<long long>(attributes.sharedSizeBytes) > 48 * 1024)
    check_cuda(cudaFuncSetAttribute(function(), cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(bytes)),
               fmt::format("allowing {} bytes of dynamic shared memory for {}", bytes, name_));
  shared_limit_ = bytes;  // allowed either way: the next call with as many bytes returns at once
}

void LoadedKernel::launch(const LaunchGeometry& g, void** args, cudaStream_t stream) const {
  dim3 grid(static_cast<unsigned>(g.grid[0]), static_cast<unsigned>(g.grid[1]), static_cast<unsigned>(g.grid[2]));
  dim3 block(static_cast<unsigned>(g.block[0]), static_cast<unsigned>(g.block[1]), static_cast<unsigned>(g.block[2]));
  if (!g.is_cluster_launch()) {
    check_cuda(cudaLaunchKernel(function(), grid, block, args, static_cast<std::size_t>(g.dynamic_shared_bytes), stream),
               "launching " + name_);
    return;
  }
  cudaLaunchAttribute cluster{};
  cluster.id = cudaLaunchAttributeClusterDimension;
  cluster.val.clusterDim.x = static_cast<unsigned>(g.cluster[0]);
  cluster.val.clusterDim.y = static_cast<unsigned>(g.cluster[1]);
  cluster.val.clusterDim.z = static_cast<unsigned>(g.cluster[2]);
  cudaLaunchConfig_t config{};
  config.gridDim = grid;
  config.blockDim = block;
  config.dynamicSmemBytes = static_cast<std::size_t>(g.dynamic_shared_bytes);
  config.stream = stream;
  config.attrs = &cluster;
  config.numAttrs = 1;
  check_cuda(cudaLaunchKernelExC(&config, function(), args), "launching " + name_ + " in clusters");
}

}  // namespace tkbench
