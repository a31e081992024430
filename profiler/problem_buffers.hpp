#pragma once
// The device memory one problem needs: every buffer argument of the kernel
// (in one or more sets, for rotating inputs past L2) and the reference's own
// output buffers, filled from a seeded RNG with the manifest's distributions.
#include <cuda_runtime_api.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profiler/runtime_kernels.hpp"
#include "profiler/tensor_map_encoder.hpp"
#include "tuner/config.hpp"
#include "tuner/problem.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

struct DeviceBuffer {
  void* ptr = nullptr;
  long long count = 0;
  DType dtype = DType::fp32;
  std::size_t bytes() const { return static_cast<std::size_t>(count) * dtype_info(dtype).size; }
};

// Kernel arguments as cudaLaunchKernel takes them: an array of pointers to values.
class ArgPack {
 public:
  void add_pointer(void* device_ptr);
  void add_scalar(DType dtype, double value);
  void add_tensor_map(const EncodedTensorMap& map);
  void add_bytes(const void* bytes, std::size_t size);  // a by-value struct
  // Valid until the next add_*.
  void** data() {
    pointers_.clear();
    for (auto& slot : storage_) pointers_.push_back(slot.data());
    return pointers_.data();
  }

 private:
  // One slot per argument: whole 128-byte, 64-aligned blocks, enough for any
  // argument's alignment (a tensor map's, a struct of them).
  std::vector<std::vector<EncodedTensorMap>> storage_;
  std::vector<void*> pointers_;
};

class ProblemBuffers {
 public:
  // Bytes of device memory needed for `sets` kernel buffer sets (+ reference outputs).
  static long long required_bytes(const TemplateSpec& spec, const Problem& problem, int sets, bool with_reference);

  // Allocates and fills. Throws InputError (exit 2) when the buffers do not fit
  // in free device memory, with the numbers.
  ProblemBuffers(const TemplateSpec& spec, const Problem& problem, int sets, bool with_reference,
                 RuntimeKernels& runtime, std::uint64_t seed, cudaStream_t stream);
  ~ProblemBuffers();
  ProblemBuffers(const ProblemBuffers&) = delete;
  ProblemBuffers& operator=(const ProblemBuffers&) = delete;

  // The config's tensor maps (kind = "tensor_map") and structs (kind =
  // "struct") over every set's buffers, encoded for the arguments below; a
  // template without them needs no call.
  void bind_config(const Config& config);
  ArgPack kernel_args(int set) const;
  ArgPack reference_args() const;  // the tensor maps of set 0
  // The buffer argument `arg_name` of `set` (a library baseline reads and writes these).
  const DeviceBuffer& buffer(int set, const std::string& arg_name) const;
  const Bindings& bindings() const { return bindings_; }
  // Every input and inout buffer of every set filled again from the seed, as
  // when allocated: buffers kept for the next config start from the same
  // data, whatever the last kernel wrote (an in-place kernel, a stray store).
  void refill_inputs(RuntimeKernels& runtime, cudaStream_t stream);
  // A NaN pattern (all bits set) in every output of the kernel (set 0).
  void poison_outputs(cudaStream_t stream);
  // The same in the reference's outputs, before the reference runs.
  void poison_reference_outputs(cudaStream_t stream);
  // Gives the reference the same starting contents of inout buffers as the kernel's set 0.
  void copy_inouts_to_reference(RuntimeKernels& runtime, cudaStream_t stream);

  struct OutputPair {
    std::string name;
    DeviceBuffer test, reference;
    std::optional<double> tolerance;  // the output's own (ArgSpec::tolerance)
    std::string scale;                // the output holding its scales: compared dequantized
    long long scale_group = 0;        // elements per scale
  };
  std::vector<OutputPair> outputs() const;  // every output and inout buffer
  int sets() const { return static_cast<int>(sets_.size()); }
  long long footprint_bytes() const;        // one set

 private:
  const TemplateSpec& spec_;
  Problem problem_;
  std::vector<std::vector<DeviceBuffer>> sets_;  // [set][arg]; scalars have no buffer
  std::vector<DeviceBuffer> reference_;          // [arg]: outputs and inouts only
  std::vector<std::vector<EncodedTensorMap>> tensor_maps_;  // [set][arg], from bind_config
  std::vector<std::vector<std::vector<std::byte>>> structs_;  // [set][arg] bytes; slot sets() is the reference's
  std::size_t arg_index(const std::string& name) const;
  void add_struct(ArgPack& pack, std::size_t slot, std::size_t arg) const;
  Bindings bindings_;
  std::uint64_t seed_;
};

}  // namespace tkbench
