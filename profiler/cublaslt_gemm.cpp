#include "profiler/cublaslt_gemm.hpp"

#include <cublasLt.h>
#include <dlfcn.h>

#include <fmt/format.h>

#include "profiler/cuda_check.hpp"
#include "tuner/errors.hpp"

namespace tkbench {
namespace {

// The entry points used, resolved from the toolkit's libcublasLt at run time.
// Their types come from cublasLt.h, so a mismatch fails to compile.
struct CublasLt {
  decltype(&cublasLtCreate) create = nullptr;
  decltype(&cublasLtGetVersion) get_version = nullptr;
  decltype(&cublasLtMatmulDescCreate) desc_create = nullptr;
  decltype(&cublasLtMatmulDescDestroy) desc_destroy = nullptr;
  decltype(&cublasLtMatmulDescSetAttribute) desc_set = nullptr;
  decltype(&cublasLtMatrixLayoutCreate) layout_create = nullptr;
  decltype(&cublasLtMatrixLayoutDestroy) layout_destroy = nullptr;
  decltype(&cublasLtMatmulPreferenceCreate) pref_create = nullptr;
  decltype(&cublasLtMatmulPreferenceDestroy) pref_destroy = nullptr;
  decltype(&cublasLtMatmulPreferenceSetAttribute) pref_set = nullptr;
  decltype(&cublasLtMatmulAlgoGetHeuristic) heuristic = nullptr;
  decltype(&cublasLtMatmul) matmul = nullptr;
  cublasLtHandle_t handle = nullptr;
  std::string error;  // why it is unusable; empty: usable

  CublasLt() {
    void* lib = dlopen("libcublasLt.so.13", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("/usr/local/cuda/lib64/libcublasLt.so.13", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      error = fmt::format("cannot load libcublasLt.so.13 ({}): add the CUDA Toolkit's lib64 to LD_LIBRARY_PATH", dlerror());
      return;
    }
    auto get = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (!fn && error.empty()) error = fmt::format("libcublasLt.so.13 lacks {}", name);
    };
    get(create, "cublasLtCreate");
    get(get_version, "cublasLtGetVersion");
    get(desc_create, "cublasLtMatmulDescCreate");
    get(desc_destroy, "cublasLtMatmulDescDestroy");
    get(desc_set, "cublasLtMatmulDescSetAttribute");
    get(layout_create, "cublasLtMatrixLayoutCreate");
    get(layout_destroy, "cublasLtMatrixLayoutDestroy");
    get(pref_create, "cublasLtMatmulPreferenceCreate");
    get(pref_destroy, "cublasLtMatmulPreferenceDestroy");
    get(pref_set, "cublasLtMatmulPreferenceSetAttribute");
    get(heuristic, "cublasLtMatmulAlgoGetHeuristic");
    get(matmul, "cublasLtMatmul");
    if (error.empty() && create(&handle) != CUBLAS_STATUS_SUCCESS) error = "cublasLtCreate failed";
  }
};

CublasLt& library() {
  static CublasLt lt;
  if (!lt.error.empty()) throw EnvironmentError(lt.error);
  return lt;
}

void check(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    // A launch error underneath (a poisoned context) is the one worth reporting.
    const cudaError_t underneath = cudaPeekAtLastError();
    throw CudaError(underneath != cudaSuccess ? underneath : cudaErrorInvalidValue,
                    fmt::format("cuBLASLt: {} failed (status {})", what, static_cast<int>(status)));
  }
}

cudaDataType_t data_type(DType d) {
  switch (d) {
    case DType::bf16: return CUDA_R_16BF;
    case DType::fp16: return CUDA_R_16F;
    case DType::fp32: return CUDA_R_32F;
    default: throw InputError(fmt::format("the cuBLAS baseline takes bf16, fp16 or fp32, not {}", dtype_info(d).name));
  }
}

constexpr std::size_t kWorkspaceBytes = 32u << 20;  // what cuBLAS asks for on Hopper

}  // namespace

struct CublasLtGemm::State {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
  cublasLtMatmulAlgo_t algo{};
  void* workspace = nullptr;
  float alpha = 1, beta = 0;
};

// cuBLASLt is column-major. Row-major D (M×N) is column-major Dᵀ (N×M), so
// we ask for Dᵀ = op(B)ᵀ · Aᵀ: cuBLAS's first operand is our B, its second
// our A (stored K×M column-major, not transposed).
CublasLtGemm::CublasLtGemm(const GemmShape& s) : state_(std::make_unique<State>()) {
  CublasLt& lt = library();
  const cudaDataType_t type = data_type(s.dtype);
  State& st = *state_;
  check(lt.desc_create(&st.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), "creating the matmul description");
  const cublasOperation_t trans_first = s.b_kn ? CUBLAS_OP_N : CUBLAS_OP_T, trans_second = CUBLAS_OP_N;
  check(lt.desc_set(st.desc, CUBLASLT_MATMUL_DESC_TRANSA, &trans_first, sizeof trans_first), "setting TRANSA");
  check(lt.desc_set(st.desc, CUBLASLT_MATMUL_DESC_TRANSB, &trans_second, sizeof trans_second), "setting TRANSB");
  using u64 = std::uint64_t;
  // Our B as stored, column-major: N×K is K×N; K×N is N×K (leading dim ldb).
  if (s.b_kn)
    check(lt.layout_create(&st.b, type, u64(s.n), u64(s.k), s.ldb), "describing B");
  else
    check(lt.layout_create(&st.b, type, u64(s.k), u64(s.n), s.ldb), "describing B");
  check(lt.layout_create(&st.a, type, u64(s.k), u64(s.m), s.lda), "describing A");
  check(lt.layout_create(&st.d, type, u64(s.n), u64(s.m), s.n), "describing D");

  cublasLtMatmulPreference_t pref = nullptr;
  check(lt.pref_create(&pref), "creating the preference");
  std::size_t workspace = kWorkspaceBytes;
  check(lt.pref_set(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof workspace), "setting the workspace");
  cublasLtMatmulHeuristicResult_t found{};
  int count = 0;
  cublasStatus_t status = lt.heuristic(lt.handle, st.desc, st.b, st.a, st.d, st.d, pref, 1, &found, &count);
  lt.pref_destroy(pref);
  if (status != CUBLAS_STATUS_SUCCESS || count == 0)
    throw EnvironmentError(fmt::format("cuBLASLt has no algorithm for {}x{}x{} {}", s.m, s.n, s.k, dtype_info(s.dtype).name));
  st.algo = found.algo;
  check_cuda(cudaMalloc(&st.workspace, kWorkspaceBytes), "allocating the cuBLASLt workspace");
}

CublasLtGemm::~CublasLtGemm() {
  if (!state_) return;
  CublasLt& lt = library();
  if (state_->workspace) cudaFree(state_->workspace);
  for (auto* layout : {state_->a, state_->b, state_->d})
    if (layout) lt.layout_destroy(layout);
  if (state_->desc) lt.desc_destroy(state_->desc);
}

void CublasLtGemm::run(const void* a, const void* b, void* d, cudaStream_t stream) const {
  CublasLt& lt = library();
  const State& st = *state_;
  check(lt.matmul(lt.handle, st.desc, &st.alpha, b, st.b, a, st.a, &st.beta, d, st.d, d, st.d, &st.algo, st.workspace,
                  kWorkspaceBytes, stream),
        "cublasLtMatmul");
}

std::string CublasLtGemm::library_version() {
  const std::size_t v = library().get_version();
  return fmt::format("cuBLASLt {}.{}.{}", v / 10000, v / 100 % 100, v % 100);
}

}  // namespace tkbench
