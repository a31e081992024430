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
  // Empty when the manifest writes it; else what tkbench derived it from
  // ("tensor map a_map", "shared_bytes within the arch's opt-in limit").
  std::string implied_by;
};

// [model]: a predicted relative cost of a config at a problem (lower is
// better), evaluated before anything is compiled so searches start from the
// configs it ranks best. `let` names intermediate values in order; each may use
// the config names and the names defined before it.
struct CostModel {
  std::vector<std::pair<std::string, Expression>> let;
  Expression cost;
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

enum class ArgKind { input, output, inout, scalar, tensor_map, struct_value };
std::string_view arg_kind_name(ArgKind kind);

// Random initial contents of an input buffer. Never constant: zeros hide
// unwritten outputs and wrong indexing.
struct InitDistribution {
  enum class Kind { normal, uniform } kind = Kind::normal;
  double a = 0.0;  // normal: mean; uniform: low
  double b = 1.0;  // normal: standard deviation; uniform: high
  std::string str() const;
};

// A TMA tensor map over a buffer argument (kind = "tensor_map", or a struct
// field), encoded on the host per config and passed by value (a 128-byte,
// 64-byte-aligned CUtensorMap). Rank 1 to 5. Dims and box are innermost first,
// in elements; strides are the byte distances of dims 1.. (dims.size() - 1 of them).
struct TensorMapSpec {
  std::string buffer;
  std::vector<Expression> dims;
  std::vector<Expression> strides;
  std::vector<Expression> box;
  std::vector<Expression> element_strides;  // one per dim; empty: all 1
  Expression swizzle;       // bytes: 0 (none), 32, 64 or 128
  Expression l2_promotion;  // bytes: 0 (none), 64, 128 or 256
  bool oob_nan = false;     // out-of-bounds elements read as NaN instead of zero
};

// One field of a by-value struct argument (kind = "struct"), laid out with C's
// rules: each field at the next multiple of its alignment, the struct's
// alignment the largest of its fields', its size a multiple of that.
enum class FieldKind { pointer, scalar, tensor_map, padding };
std::string_view field_kind_name(FieldKind kind);

struct StructField {
  std::string name;
  FieldKind kind = FieldKind::scalar;
  std::string buffer;          // pointer: the buffer argument it points at
  DType dtype = DType::i32;    // scalar
  Expression value;            // scalar
  TensorMapSpec tensor_map;    // tensor_map
  long long bytes = 0;         // padding: its size (an empty C++ member is 1 byte)
  long long align = 0;         // 0: the natural alignment; else a larger power of two (alignas)
  SourceLocation where;
};

struct StructSpec {
  std::vector<StructField> fields;
  long long align = 0;  // 0: the largest field's alignment; else alignas(align) on the struct
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
  StructSpec structure;                      // structs
  bool passed = true;                        // false: allocated and verified, but no kernel parameter (a struct field points at it)
  SourceLocation where;

  bool is_buffer() const { return kind == ArgKind::input || kind == ArgKind::output || kind == ArgKind::inout; }
  DType resolved_dtype(DType problem_dtype) const { return dtype.value_or(problem_dtype); }
};

// How reports name a baseline library: "cublas" -> "cuBLAS".
inline std::string library_display_name(const std::string& library) { return library == "cublas" ? "cuBLAS" : library; }

// A library the template is measured against in the same run (`[baseline]`):
// the worker times it with the same timer, on the same buffers, after checking
// its outputs against the template's reference. Reports show "% of <library>".
struct BaselineSpec {
  std::string library;        // "cublas": a GEMM through cuBLASLt (the one library so far)
  std::string a, b, d;        // buffer arguments by name: A (M×K), B, D (M×N), row-major
  bool b_kn = false;          // B is K×N ("kn"); false: N×K ("nk"), D = A·Bᵀ
  Expression m, n, k;         // of the shape; default: the dims named M, N, K
  Expression lda, ldb;        // elements from one row of A (B) to the next; default: K (K, or N when b_kn)
  SourceLocation where;
  std::string display_name() const { return library_display_name(library); }
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
  std::vector<std::string> include_dirs;     // more -I folders: the manifest's include_dirs, then --include-dir / TKBENCH_INCLUDE_PATH
  std::vector<std::string> defines;          // -D: "NAME" or "NAME=VALUE"
  std::string cxx_standard = "c++17";        // NVRTC's -std
  bool jit_compat = false;                   // std-header shims and the __host__ handling (tuner/jit_compat.hpp)
  std::string include_hash;                  // sha256 of every header found in include_dirs: part of source_hash and cache keys
  std::string arch;                  // required target ("sm_90a"; tuner/target_arch.hpp); empty: any
  std::string source_hash;           // sha256 of manifest, source and every header it includes: identifies this template version

  std::vector<std::string> dims;     // shape dims in --shape order: ["M", "N"]
  std::vector<DType> dtypes;         // dtypes the template supports; the first is the default
  std::vector<ParamSpec> params;
  std::vector<Constraint> constraints;
  std::optional<CostModel> model;    // [model]; nullopt: configs are unranked
  std::map<std::string, long long> default_config;  // the hand-written baseline; may be partial

  KernelRule kernel;
  std::optional<KernelRule> reference;  // trusted kernel for verification
  std::vector<std::string> reference_args;  // the reference's parameters by argument name; empty: the kernel's

  Expression ideal_bytes;  // fewest DRAM bytes the problem needs: the roofline's x
  Expression flops;
  std::string compute_pipe = "fp32";  // the compute roof: "fp32" (CUDA cores) or "tensor" (tensor cores at the dtype's rate)
  std::map<DType, double> tolerance;  // relative L2 error allowed against the reference

  std::vector<ArgSpec> args;
  std::optional<BaselineSpec> baseline;

  const ArgSpec* find_arg(std::string_view arg_name) const;
  const ParamSpec* find_param(std::string_view param_name) const;
  // The arguments a launch passes, in order: the kernel's (every `passed`
  // one) or the reference's ([reference] args, else the kernel's).
  std::vector<const ArgSpec*> launch_args(bool reference) const;
  // Every name a config-dependent expression may use: dims, params, "dtype",
  // "num_sms", "max_shared_bytes".
  std::vector<std::string> expression_names() const;
  // Number of configs before constraints (product of value-list sizes).
  double raw_space_size() const;
};

}  // namespace tkbench
