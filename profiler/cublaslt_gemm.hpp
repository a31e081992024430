#pragma once
// A GEMM through cuBLASLt, the library baseline a template's manifest can name
// (`[baseline] library = "cublas"`). cuBLASLt is loaded with dlopen the first
// time one is made, never linked: the binary still starts on a machine without
// a GPU or without the library, and says so only when a baseline is asked for.
#include <cuda_runtime_api.h>

#include <memory>
#include <string>

#include "tuner/dtype.hpp"

namespace tkbench {

// D (M×N) = A (M×K) · op(B), all row-major, fp32 accumulation and scale.
// b_kn = false: B is N×K (D = A·Bᵀ); true: B is K×N (D = A·B).
struct GemmShape {
  long long m = 0, n = 0, k = 0;
  DType dtype = DType::bf16;  // A, B and D
  bool b_kn = false;
  long long lda = 0, ldb = 0;  // elements from one row to the next (rows may be padded)
};

class CublasLtGemm {
 public:
  // Picks cuBLASLt's first heuristic algorithm for the shape (what PyTorch
  // does) with a 32 MiB workspace. Throws EnvironmentError when cuBLASLt
  // cannot be loaded or has no algorithm, InputError for an unsupported dtype.
  explicit CublasLtGemm(const GemmShape& shape);
  ~CublasLtGemm();
  CublasLtGemm(const CublasLtGemm&) = delete;
  CublasLtGemm& operator=(const CublasLtGemm&) = delete;

  void run(const void* a, const void* b, void* d, cudaStream_t stream) const;
  // "cuBLASLt 13.1.0": the loaded library's version.
  static std::string library_version();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tkbench
