// bench/gemm/cluster_occupancy.cu: how many clusters of 1, 2 and 4 blocks the
// GPU keeps resident at once for a block of gemm's pair config (384 threads,
// SHARED bytes of dynamic shared memory): cudaOccupancyMaxActiveClusters.
// A persistent grid of num_sms blocks needs num_sms / CLUSTER of them, or its
// last clusters run in a second wave. Built and run on the GPU machine:
//   nvcc -arch=sm_90a -o /tmp/occ bench/gemm/cluster_occupancy.cu && /tmp/occ [SHARED]
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>

__global__ void block_of_gemm() {}

int main(int argc, char** argv) {
  const int shared = argc > 1 ? std::atoi(argv[1]) : 225 * 1024;
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return std::printf("no GPU\n"), 3;
  if (cudaFuncSetAttribute(block_of_gemm, cudaFuncAttributeMaxDynamicSharedMemorySize, shared) != cudaSuccess ||
      cudaFuncSetAttribute(block_of_gemm, cudaFuncAttributeNonPortableClusterSizeAllowed, 1) != cudaSuccess)
    return std::printf("cudaFuncSetAttribute failed\n"), 1;
  std::printf("%s: %d SMs, %d bytes of dynamic shared memory a block, 384 threads\n", prop.name,
              prop.multiProcessorCount, shared);
  for (int cluster : {1, 2, 4, 8}) {
    cudaLaunchConfig_t config = {};
    config.gridDim = dim3(prop.multiProcessorCount / cluster * cluster);
    config.blockDim = dim3(384);
    config.dynamicSmemBytes = shared;
    cudaLaunchAttribute attribute;
    attribute.id = cudaLaunchAttributeClusterDimension;
    attribute.val.clusterDim.x = cluster;
    attribute.val.clusterDim.y = attribute.val.clusterDim.z = 1;
    config.attrs = &attribute;
    config.numAttrs = 1;
    int clusters = 0;
    const cudaError_t e = cudaOccupancyMaxActiveClusters(&clusters, block_of_gemm, &config);
    std::printf("cluster of %d: %s %d resident clusters = %d blocks (a persistent grid launches %d)\n", cluster,
                e == cudaSuccess ? "" : cudaGetErrorString(e), clusters, clusters * cluster,
                prop.multiProcessorCount / cluster * cluster);
  }
  return 0;
}
