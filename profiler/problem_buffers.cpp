#include "profiler/problem_buffers.hpp"

#include <cstring>
#include <stdexcept>

#include "profiler/argument_bytes.hpp"
#include "profiler/cuda_check.hpp"
#include "tuner/errors.hpp"
#include "tuner/format_bytes.hpp"
#include "tuner/struct_layout.hpp"

namespace tkbench {
namespace {

long long element_count(const ArgSpec& arg, const Bindings& b) {
  return arg.count.evaluate_integer(b, "count of '" + arg.name + "'", 0, 1LL << 40);
}

std::uint64_t seed_for(std::uint64_t seed, int set, std::size_t arg) {
  return seed * 1000003ULL + static_cast<std::uint64_t>(set) * 7919ULL + arg;
}

}  // namespace

void ArgPack::add_bytes(const void* bytes, std::size_t size) {
  std::vector<EncodedTensorMap> slot((size + sizeof(EncodedTensorMap) - 1) / sizeof(EncodedTensorMap) + (size == 0));
  std::memcpy(slot.data(), bytes, size);
  storage_.push_back(std::move(slot));
}

void ArgPack::add_tensor_map(const EncodedTensorMap& map) { add_bytes(&map, sizeof map); }

void ArgPack::add_pointer(void* device_ptr) { add_bytes(&device_ptr, sizeof device_ptr); }

void ArgPack::add_scalar(DType dtype, double value) {
  std::uint64_t bits = 0;
  encode_scalar(dtype, value, &bits);
  add_bytes(&bits, dtype_info(dtype).size);
}

long long ProblemBuffers::required_bytes(const TemplateSpec& spec, const Problem& problem, int sets, bool with_reference) {
  Bindings b = problem.bindings();
  long long per_set = 0, reference = 0;
  for (const auto& arg : spec.args) {
    if (!arg.is_buffer()) continue;
    long long n = element_count(arg, b);
    per_set += n * static_cast<long long>(dtype_info(arg.resolved_dtype(problem.dtype)).size);
    if (with_reference && arg.kind != ArgKind::input)
      reference += n * static_cast<long long>(dtype_info(arg.reference_dtype.value_or(arg.resolved_dtype(problem.dtype))).size);
  }
  return per_set * sets + reference;
}

ProblemBuffers::ProblemBuffers(const TemplateSpec& spec, const Problem& problem, int sets, bool with_reference,
                               RuntimeKernels& runtime, std::uint64_t seed, cudaStream_t stream)
    : spec_(spec), problem_(problem), bindings_(problem.bindings()), seed_(seed) {
  const long long need = required_bytes(spec, problem, sets, with_reference);
  std::size_t free_bytes = 0, total_bytes = 0;
  check_cuda(cudaMemGetInfo(&free_bytes, &total_bytes), "reading free device memory");
  // Leave room for the L2 flush buffer, the runtime's kernels and the driver.
  if (need > static_cast<long long>(free_bytes) - (256LL << 20))
    throw InputError(fmt::format("{} at shape {} {} needs {} of device memory for its buffers{}; the GPU has {} free of {}",
                                 spec.name, problem.shape_str(), dtype_info(problem.dtype).name,
                                 format_bytes(static_cast<double>(need)),
                                 sets > 1 ? fmt::format(" ({} input sets)", sets) : "",
                                 format_bytes(static_cast<double>(free_bytes)), format_bytes(static_cast<double>(total_bytes))));
  sets_.resize(static_cast<std::size_t>(sets));
  for (int s = 0; s < sets; ++s) {
    for (std::size_t a = 0; a < spec.args.size(); ++a) {
      const ArgSpec& arg = spec.args[a];
      DeviceBuffer buf;
      if (arg.is_buffer()) {
        buf.count = element_count(arg, bindings_);
        buf.dtype = arg.resolved_dtype(problem.dtype);
        check_cuda(cudaMalloc(&buf.ptr, std::max<std::size_t>(buf.bytes(), 16)),
                   fmt::format("allocating {} ({})", arg.name, format_bytes(static_cast<double>(buf.bytes()))));
        if (arg.kind != ArgKind::output)
          runtime.fill(buf.ptr, buf.dtype, buf.count, seed_for(seed, s, a), arg.init, stream);
        else  // outputs start as NaN too, so an unwritten element can never look right
          check_cuda(cudaMemsetAsync(buf.ptr, 0xff, buf.bytes(), stream), "poisoning " + arg.name);
      }
      sets_[static_cast<std::size_t>(s)].push_back(buf);
    }
  }
  reference_.resize(spec.args.size());
  if (with_reference) {
    for (std::size_t a = 0; a < spec.args.size(); ++a) {
      const ArgSpec& arg = spec.args[a];
      if (!arg.is_buffer() || arg.kind == ArgKind::input) continue;
      DeviceBuffer buf;
      buf.count = element_count(arg, bindings_);
      buf.dtype = arg.reference_dtype.value_or(arg.resolved_dtype(problem.dtype));
      check_cuda(cudaMalloc(&buf.ptr, std::max<std::size_t>(buf.bytes(), 16)), "allocating the reference's " + arg.name);
      reference_[a] = buf;
    }
  }
  check_cuda(cudaStreamSynchronize(stream), "filling input buffers");
}

ProblemBuffers::~ProblemBuffers() {
  for (auto& set : sets_)
    for (auto& b : set)
      if (b.ptr) cudaFree(b.ptr);
  for (auto& b : reference_)
    if (b.ptr) cudaFree(b.ptr);
}

void ProblemBuffers::bind_config(const Config& config) {
  Bindings b = bindings_;
  config.bind(b);
  tensor_maps_.assign(sets_.size(), std::vector<EncodedTensorMap>(spec_.args.size()));
  structs_.assign(sets_.size() + 1, std::vector<std::vector<std::byte>>(spec_.args.size()));
  for (std::size_t a = 0; a < spec_.args.size(); ++a) {
    const ArgSpec& arg = spec_.args[a];
    if (arg.kind == ArgKind::tensor_map) {
      const TensorMapShape shape = resolve_tensor_map(spec_, arg, problem_.dtype, b);
      const std::size_t buffer = arg_index(arg.tensor_map.buffer);
      for (std::size_t s = 0; s < sets_.size(); ++s) tensor_maps_[s][a] = encode_tensor_map(shape, sets_[s][buffer].ptr);
    }
    if (arg.kind != ArgKind::struct_value) continue;
    for (std::size_t s = 0; s < sets_.size(); ++s)
      structs_[s][a] = pack_struct(spec_, arg, problem_.dtype, b,
                                   [&](const std::string& name) { return sets_[s][arg_index(name)].ptr; });
    // The reference's copy (the last slot): its own outputs, the inputs of set 0.
    structs_[sets_.size()][a] = pack_struct(spec_, arg, problem_.dtype, b, [&](const std::string& name) {
      const std::size_t i = arg_index(name);
      return reference_[i].ptr ? reference_[i].ptr : sets_[0][i].ptr;
    });
  }
}

std::size_t ProblemBuffers::arg_index(const std::string& name) const {
  return static_cast<std::size_t>(spec_.find_arg(name) - spec_.args.data());  // the parser checked it exists
}

// A tensor map's slot before bind_config: zeros, which fault where a kernel uses them.
static EncodedTensorMap bound_map(const std::vector<std::vector<EncodedTensorMap>>& maps, std::size_t set, std::size_t arg) {
  return set < maps.size() ? maps[set][arg] : EncodedTensorMap{};
}

void ProblemBuffers::add_struct(ArgPack& pack, std::size_t slot, std::size_t a) const {
  if (slot < structs_.size()) {
    pack.add_bytes(structs_[slot][a].data(), structs_[slot][a].size());
    return;
  }
  // Before bind_config: zeros, which fault where a kernel uses a pointer or map.
  std::vector<std::byte> zeros(layout_struct(spec_.args[a].structure).size);
  pack.add_bytes(zeros.data(), zeros.size());
}

ArgPack ProblemBuffers::kernel_args(int set) const {
  ArgPack pack;
  const auto& buffers = sets_.at(static_cast<std::size_t>(set));
  for (const ArgSpec* arg : spec_.launch_args(false)) {
    const std::size_t a = static_cast<std::size_t>(arg - spec_.args.data());
    if (arg->is_buffer()) pack.add_pointer(buffers[a].ptr);
    else if (arg->kind == ArgKind::tensor_map) pack.add_tensor_map(bound_map(tensor_maps_, static_cast<std::size_t>(set), a));
    else if (arg->kind == ArgKind::struct_value) add_struct(pack, static_cast<std::size_t>(set), a);
    else pack.add_scalar(*arg->dtype, arg->value.evaluate(bindings_));
  }
  return pack;
}

const DeviceBuffer& ProblemBuffers::buffer(int set, const std::string& arg_name) const {
  for (std::size_t a = 0; a < spec_.args.size(); ++a)
    if (spec_.args[a].name == arg_name && spec_.args[a].is_buffer()) return sets_.at(static_cast<std::size_t>(set))[a];
  throw InputError(fmt::format("template {} has no buffer argument '{}'", spec_.name, arg_name));
}

ArgPack ProblemBuffers::reference_args() const {
  ArgPack pack;
  for (const ArgSpec* arg : spec_.launch_args(true)) {
    const std::size_t a = static_cast<std::size_t>(arg - spec_.args.data());
    if (arg->kind == ArgKind::tensor_map) pack.add_tensor_map(bound_map(tensor_maps_, 0, a));
    else if (arg->kind == ArgKind::struct_value) add_struct(pack, sets_.size(), a);
    else if (!arg->is_buffer()) pack.add_scalar(*arg->dtype, arg->value.evaluate(bindings_));
    else if (arg->kind == ArgKind::input) pack.add_pointer(sets_[0][a].ptr);  // inputs are shared
    else pack.add_pointer(reference_[a].ptr);
  }
  return pack;
}

void ProblemBuffers::refill_inputs(RuntimeKernels& runtime, cudaStream_t stream) {
  for (std::size_t s = 0; s < sets_.size(); ++s)
    for (std::size_t a = 0; a < spec_.args.size(); ++a) {
      const ArgSpec& arg = spec_.args[a];
      if (!arg.is_buffer() || arg.kind == ArgKind::output) continue;
      const DeviceBuffer& buf = sets_[s][a];
      runtime.fill(buf.ptr, buf.dtype, buf.count, seed_for(seed_, static_cast<int>(s), a), arg.init, stream);
    }
}

void ProblemBuffers::poison_outputs(cudaStream_t stream) {
  for (std::size_t a = 0; a < spec_.args.size(); ++a)
    if (spec_.args[a].kind == ArgKind::output)
      check_cuda(cudaMemsetAsync(sets_[0][a].ptr, 0xff, sets_[0][a].bytes(), stream), "poisoning " + spec_.args[a].name);
}

void ProblemBuffers::poison_reference_outputs(cudaStream_t stream) {
  for (std::size_t a = 0; a < spec_.args.size(); ++a)
    if (spec_.args[a].kind == ArgKind::output && reference_[a].ptr)
      check_cuda(cudaMemsetAsync(reference_[a].ptr, 0xff, reference_[a].bytes(), stream),
                 "poisoning the reference's " + spec_.args[a].name);
}

void ProblemBuffers::copy_inouts_to_reference(RuntimeKernels& runtime, cudaStream_t stream) {
  for (std::size_t a = 0; a < spec_.args.size(); ++a)
    if (spec_.args[a].kind == ArgKind::inout && reference_[a].ptr)
      runtime.convert(sets_[0][a].ptr, sets_[0][a].dtype, reference_[a].ptr, reference_[a].dtype, sets_[0][a].count, stream);
}

std::vector<ProblemBuffers::OutputPair> ProblemBuffers::outputs() const {
  std::vector<OutputPair> out;
  for (std::size_t a = 0; a < spec_.args.size(); ++a) {
    const ArgSpec& arg = spec_.args[a];
    if (!arg.is_buffer() || arg.kind == ArgKind::input) continue;
    OutputPair pair{arg.name, sets_[0][a], reference_[a], arg.tolerance, arg.scale, 0};
    if (!arg.scale.empty())
      pair.scale_group = arg.scale_group.evaluate_integer(bindings_, "scale_group of '" + arg.name + "'", 1, 1LL << 40);
    out.push_back(std::move(pair));
  }
  return out;
}

long long ProblemBuffers::footprint_bytes() const {
  long long total = 0;
  for (const auto& b : sets_.at(0)) total += static_cast<long long>(b.bytes());
  return total;
}

}  // namespace tkbench
