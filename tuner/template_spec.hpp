#pragma once
// TemplateSpec: one kernel template as its manifest describes it (the first
// type of the pipeline; docs/ARCHITECTURE.md). Loaded by manifest_parser from
// TOML, held by the TemplateRegistry, read by every later stage.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tuner/dtype.hpp"
#include "tuner/errors.hpp"
#include "tuner/expression.hpp"

namespace tkbench {

// A tunable parameter and the values it may take.
struct ParamSpec {
  std::string name;
  std::vector<long long> values;
  bool is_bool = false;  // written as true/false: substituted as C++ bools
  SourceLocation where;
};

// A constraint on configs: a config is valid when the expression is non-zero.
struct Constraint {
  Expression expr;
};

// How a kernel is named and launched. `name` is an NVRTC name expression with
// {dtype}, {PARAM} and {DIM} placeholders.
struct KernelRule {
  std::string name;
  SourceLocation where;
  std::vector<Expression> grid;   // 1 to 3 expressions: x, y, z
  std::vector<Expression> block;  // 1 to 3 expressions
  Expression shared_bytes;        // dynamic shared memory per block
  std::vector<Expression> cluster;  // thread-block cluster dims (sm_90+); empty: no cluster
};

enum class ArgKind { input, output, inout, scalar, tensor_map };
std::string_view arg_kind_name(ArgKind kind);

// Random initial contents of an input buffer. Never constant: zeros hide
// unwritten outputs and wrong indexing.
struct InitDistribution {
  enum class Kind { normal, uniform } kind = Kind::normal;
  double a = 0.0;  // normal: mean; uniform: low
  double b = 1.0;  // normal: standard deviation; uniform: high
  std::string str() const;
};

// A TMA tensor map over a buffer argument (kind = "tensor_map"), encoded on the
// host per config and passed by value (a `const __grid_constant__` 128-byte
// CUtensorMap). Dims and box are innermost first, in elements; strides are the
// byte distances of dims 1.. (dims.size() - 1 of them).
struct TensorMapSpec {
  std::string buffer;
  std::vector<Expression> dims;
  std::vector<Expression> strides;
  std::vector<Expression> box;
  Expression swizzle;  // bytes: 0 (none), 32, 64 or 128
};

// One kernel argument, in order. Buffers have an element count; scalars a value;
// tensor maps describe a buffer.
struct ArgSpec {
  std::string name;
  ArgKind kind = ArgKind::input;
  std::optional<DType> dtype;                // nullopt: the problem's dtype ({dtype})
  std::optional<DType> reference_dtype;      // outputs: the reference writes this type instead
  std::optional<double> tolerance;           // outputs: relative L2 error allowed for this one ([tolerance] otherwise)
  std::string scale;                         // outputs: the output holding this one's scales: compared dequantized
  Expression scale_group;                    // ... elements per scale: element i times scale[i / scale_group]
  Expression count;                          // buffers: elements
  Expression value;                          // scalars
  InitDistribution init;                     // input and inout buffers
  TensorMapSpec tensor_map;                  // tensor maps
  SourceLocation where;

  bool is_buffer() const { return kind == ArgKind::input || kind == ArgKind::output || kind == ArgKind::inout; }
  DType resolved_dtype(DType problem_dtype) const { return dtype.value_or(problem_dtype); }
};

// A source file handed to NVRTC under the name the kernel #includes it by.
struct SourceFile {
  std::string name;
  std::string text;
};

struct TemplateSpec {
  std::string name;
  std::string description;
  std::string manifest_path;  // "builtin:rmsnorm/rmsnorm.toml" or a file path
  bool builtin = false;

  SourceFile source;                 // the .cu file the manifest names
  std::vector<SourceFile> headers;   // every local header it includes, transitively
  std::string include_dir;           // user templates: the manifest's folder; empty for built-ins
  std::vector<std::string> compile_options;  // extra NVRTC options from the manifest
  std::string arch;                  // required target ("sm_90a"; tuner/target_arch.hpp); empty: any
  std::string source_hash;           // sha256 of manifest, source and headers: identifies this template version

  std::vector<std::string> dims;     // shape dims in --shape order: ["M", "N"]
  std::vector<DType> dtypes;         // dtypes the template supports; the first is the default
  std::vector<ParamSpec> params;
  std::vector<Constraint> constraints;
  std::map<std::string, long long> default_config;  // the hand-written baseline; may be partial

  KernelRule kernel;
  std::optional<KernelRule> reference;  // trusted kernel for verification

  Expression ideal_bytes;  // fewest DRAM bytes the problem needs: the roofline's x
  Expression flops;
  std::string compute_pipe = "fp32";  // the compute roof: "fp32" (CUDA cores) or "tensor" (tensor cores at the dtype's rate)
  std::map<DType, double> tolerance;  // relative L2 error allowed against the reference

  std::vector<ArgSpec> args;

  const ParamSpec* find_param(std::string_view param_name) const;
  // Every name a config-dependent expression may use: dims, params, "dtype", "num_sms".
  std::vector<std::string> expression_names() const;
  // Number of configs before constraints (product of value-list sizes).
  double raw_space_size() const;
};

}  // namespace tkbench
