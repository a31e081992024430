// Struct arguments (kind = "struct"): the C layout tkbench computes, checked
// against offsetof of the same struct compiled with NVRTC; the validation of
// fields and tensor maps of rank up to 5; and, on a GPU, a struct of globals
// of our own (tests/fixtures/struct_globals) moving tiles through a 5-D
// swizzled map.
#include <catch2/catch.hpp>

#include <nvrtc.h>

#include <regex>
#include <sstream>

#include "profiler/device.hpp"
#include "profiler/evaluator.hpp"
#include "quick_request.hpp"
#include "test_helpers.hpp"
#include "test_skip.hpp"
#include "tuner/compiler.hpp"
#include "tuner/kernel_signature.hpp"
#include "tuner/search_space.hpp"
#include "tuner/struct_layout.hpp"
#include "tuner/tensor_map_shape.hpp"

using namespace tkbench;
using Catch::Matchers::Contains;

namespace {

const TemplateRegistry& registry() {
  static const TemplateRegistry r = TemplateRegistry::load({test::fixtures() + "/struct_globals"});
  return r;
}

const ArgSpec& struct_arg(const TemplateSpec& spec) {
  for (const auto& a : spec.args)
    if (a.kind == ArgKind::struct_value) return a;
  throw std::logic_error("no struct argument");
}

// The C++ member each manifest field stands for in mini::globals (padding
// that is no member, such as y's tail, has none).
const std::map<std::string, std::string> kMembers = {
    {"x_ptr", "x.raw_ptr"}, {"x_batch", "x.batch"}, {"x_depth", "x.depth"}, {"x_rows", "x.rows"},
    {"x_cols", "x.cols"},   {"x_map", "x.maps.map"}, {"x_maps_end", "x.maps.rest"}, {"y_ptr", "y.raw_ptr"},
    {"y_batch", "y.batch"}, {"y_depth", "y.depth"}, {"y_rows", "y.rows"},         {"y_cols", "y.cols"},
    {"y_maps_end", "y.maps"}, {"tile_count", "tile_count"}};

// NVRTC's offsetof of every member in kMembers (in kMembers' order), then
// sizeof and alignof of mini::globals. NVRTC has no constant offsetof, so a
// kernel stores them and the constants are read back from its PTX, where
// they are folded to immediates: `mov.u64 %rdN, 16;` then
// `st.global.u64 [%rdM+8], %rdN;` (slot 1).
std::vector<long long> nvrtc_offsets(const TemplateSpec& spec) {
  std::string source = "#include <cuda/std/cstddef>\n#include \"mini_globals.cuh\"\n"
                       "extern \"C\" __global__ void layout_probe(unsigned long long* out) {\n";
  int slot = 0;
  for (const auto& [field, member] : kMembers) source += fmt::format("  out[{}] = offsetof(mini::globals, {});\n", slot++, member);
  source += fmt::format("  out[{}] = sizeof(mini::globals);\n  out[{}] = alignof(mini::globals);\n}}\n", slot, slot + 1);
  std::vector<const char*> names, texts;
  for (const auto& h : spec.headers) {
    names.push_back(h.name.c_str());
    texts.push_back(h.text.c_str());
  }
  nvrtcProgram program;
  REQUIRE(nvrtcCreateProgram(&program, source.c_str(), "layout_probe.cu", static_cast<int>(names.size()), texts.data(),
                             names.data()) == NVRTC_SUCCESS);
  const std::vector<std::string> options = {"--gpu-architecture=compute_90", "-std=c++17",
                                            "-I" + Compiler::cuda_include_dir(), "-I" + Compiler::cuda_include_dir() + "/cccl",
                                            "-I" + spec.include_dir};
  std::vector<const char*> option_ptrs;
  for (const auto& o : options) option_ptrs.push_back(o.c_str());
  const nvrtcResult compiled = nvrtcCompileProgram(program, static_cast<int>(option_ptrs.size()), option_ptrs.data());
  std::size_t size = 0;
  nvrtcGetProgramLogSize(program, &size);
  std::string log(size, '\0');
  nvrtcGetProgramLog(program, log.data());
  INFO(log);
  REQUIRE(compiled == NVRTC_SUCCESS);
  nvrtcGetPTXSize(program, &size);
  std::string ptx(size, '\0');
  nvrtcGetPTX(program, ptx.data());
  nvrtcDestroyProgram(&program);

  std::map<std::string, long long> immediates;
  std::vector<long long> out(static_cast<std::size_t>(slot + 2), -1);
  static const std::regex mov(R"(mov\.u64\s+(%rd\d+),\s*(\d+);)");
  static const std::regex store(R"(st\.global\.u64\s+\[%rd\d+(?:\+(\d+))?\],\s*(%rd\d+|\d+);)");
  std::istringstream lines(ptx);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, mov)) immediates[m[1]] = std::stoll(m[2]);
    if (std::regex_search(line, m, store)) {
      const std::size_t index = static_cast<std::size_t>(m[1].matched ? std::stoll(m[1]) / 8 : 0);
      const std::string value = m[2];
      if (index < out.size()) out[index] = value[0] == '%' ? (immediates.count(value) ? immediates[value] : -1) : std::stoll(value);
    }
  }
  return out;
}

// Our layout in the same order as nvrtc_offsets.
std::vector<long long> our_offsets(const StructLayout& layout) {
  std::vector<long long> out;
  for (const auto& [field, member] : kMembers) {
    auto f = std::find_if(layout.fields.begin(), layout.fields.end(), [&](const FieldLayout& l) { return l.name == field; });
    out.push_back(f == layout.fields.end() ? -2 : static_cast<long long>(f->offset));
  }
  out.push_back(static_cast<long long>(layout.size));
  out.push_back(static_cast<long long>(layout.align));
  return out;
}

// A one-field struct manifest around test::kValidManifest's buffers, with `field` as its field.
std::string struct_manifest(const std::string& field) {
  return test::kValidManifest + "\n[[args]]\nname = \"s\"\nkind = \"struct\"\n\n[[args.fields]]\n" + field + "\n";
}

}  // namespace

TEST_CASE("a struct argument's layout is C's: NVRTC's offsetof of the same struct agrees", "[struct][compiler]") {
  const auto& spec = registry().get("struct_globals");
  const StructLayout layout = layout_struct(struct_arg(spec).structure);
  REQUIRE(layout.fields.size() == struct_arg(spec).structure.fields.size());
  const std::vector<long long> nvrtc = nvrtc_offsets(spec);
  CHECK(std::count(nvrtc.begin(), nvrtc.end(), -1) == 0);  // every constant was found in the PTX
  CHECK(our_offsets(layout) == nvrtc);
  for (const auto& f : layout.fields)
    if (f.kind == FieldKind::tensor_map) CHECK(f.offset % 64 == 0);

  // The check can fail: without y's tail padding, tile_count moves 4 bytes early.
  StructSpec short_tail = struct_arg(spec).structure;
  short_tail.fields.erase(std::find_if(short_tail.fields.begin(), short_tail.fields.end(),
                                       [](const StructField& f) { return f.name == "y_tail"; }));
  CHECK(our_offsets(layout_struct(short_tail)) != nvrtc);
}

TEST_CASE("C's rules: natural alignment, alignas, tail padding, an empty struct", "[struct]") {
  StructSpec s;
  auto field = [](std::string name, FieldKind kind, DType dtype = DType::i32, long long bytes = 0, long long align = 0) {
    StructField f;
    f.name = std::move(name);
    f.kind = kind;
    f.dtype = dtype;
    f.bytes = bytes;
    f.align = align;
    return f;
  };
  s.fields = {field("c", FieldKind::scalar, DType::i8), field("p", FieldKind::pointer), field("h", FieldKind::scalar, DType::bf16),
              field("m", FieldKind::tensor_map), field("pad", FieldKind::padding, DType::i32, 3),
              field("i", FieldKind::scalar, DType::i32, 0, 16)};
  const StructLayout l = layout_struct(s);
  CHECK(l.fields[1].offset == 8);    // a pointer after a char: padded to 8
  CHECK(l.fields[2].offset == 16);
  CHECK(l.fields[3].offset == 64);   // a tensor map: 64-aligned
  CHECK(l.fields[4].offset == 192);  // padding: alignment 1
  CHECK(l.fields[5].offset == 208);  // alignas(16)
  CHECK(l.align == 64);
  CHECK(l.size == 256);              // 212 rounded up to the alignment
  CHECK(layout_struct(StructSpec{}).size == 1);
}

TEST_CASE("struct fields and tensor maps are validated: rank, box, swizzle span, element strides, kinds", "[struct][tensor_map][bad-input]") {
  const std::string map5 = R"M(name = "m"
kind = "tensor_map"
buffer = "x"
dims = ["N", "M", 1, 1, 1]
strides = ["N * size(dtype)", "M * N * size(dtype)", "M * N * size(dtype)", "M * N * size(dtype)"]
box = ["VEC * 16", "THREADS / 64", 1, 1, 1]
element_strides = [1, 1, 1, 1, 1]
swizzle = 128
l2_promotion = 128
oob_fill = "nan")M";
  TemplateSpec spec = test::parse_text(struct_manifest(map5));
  const auto& m = struct_arg(spec).structure.fields.at(0).tensor_map;
  CHECK(m.dims.size() == 5);
  CHECK(m.oob_nan);
  Problem p = make_problem(spec, {64, 4096}, DType::bf16);
  SearchSpace space(spec, p);
  CHECK_FALSE(space.violation(Config{{{"VEC", 4}, {"THREADS", 256}}}));  // 64 bf16 = 128 bytes: one swizzle span
  CHECK_FALSE(space.violation(Config{{{"VEC", 1}, {"THREADS", 64}}}));   // 32-byte box rows within a 128-byte span
  Bindings b = p.bindings();
  Config{{{"VEC", 4}, {"THREADS", 256}}}.bind(b);
  const TensorMapShape shape = resolve_tensor_map(spec, m, "s.m", p.dtype, b);
  CHECK(shape.dims == std::vector<std::uint64_t>{4096, 64, 1, 1, 1});
  CHECK(shape.box == std::vector<std::uint32_t>{64, 4, 1, 1, 1});
  CHECK(shape.l2_promotion_bytes == 128);

  // A box row wider than the swizzle span.
  TemplateSpec narrow = test::parse_text(struct_manifest(test::with("swizzle = 128", "swizzle = 32", map5)));
  CHECK_THAT(*SearchSpace(narrow, p).violation(Config{{{"VEC", 4}, {"THREADS", 256}}}), Contains("<= (32)"));
  // Box dims over 256, element strides past 8, L2 promotion TMA lacks.
  TemplateSpec tall = test::parse_text(struct_manifest(test::with("\"THREADS / 64\"", "\"THREADS * 2\"", map5)));
  CHECK_THAT(*SearchSpace(tall, p).violation(Config{{{"VEC", 4}, {"THREADS", 256}}}), Contains("<= 256"));
  TemplateSpec strided = test::parse_text(struct_manifest(test::with("[1, 1, 1, 1, 1]", "[1, 9, 1, 1, 1]", map5)));
  CHECK_THAT(*SearchSpace(strided, p).violation(Config{{{"VEC", 4}, {"THREADS", 256}}}), Contains("<= 8"));
  TemplateSpec l2 = test::parse_text(struct_manifest(test::with("l2_promotion = 128", "l2_promotion = 32", map5)));
  CHECK_THAT(*SearchSpace(l2, p).violation(Config{{{"VEC", 4}, {"THREADS", 256}}}), Contains("== 256"));

  // Rank 6, a box of the wrong rank, bad keys and kinds: refused when the manifest loads.
  CHECK_THROWS_WITH(test::parse_text(struct_manifest(test::with(R"(dims = ["N", "M", 1, 1, 1])", R"(dims = ["N", "M", 1, 1, 1, 1])", map5))),
                    Contains("1 to 5 expressions"));
  CHECK_THROWS_WITH(test::parse_text(struct_manifest(test::with(R"(box = ["VEC * 16", "THREADS / 64", 1, 1, 1])", R"(box = ["VEC * 16"])", map5))),
                    Contains("'box' must be an array of 5 to 5"));
  CHECK_THROWS_WITH(test::parse_text(struct_manifest(test::with(R"(oob_fill = "nan")", R"(oob_fill = "maybe")", map5))),
                    Contains("oob_fill must be"));
  CHECK_THROWS_WITH(test::parse_text(struct_manifest("name = \"p\"\nkind = \"pointer\"\nbuffer = \"nope\"")),
                    Contains("must be a buffer argument listed before the struct"));
  CHECK_THROWS_WITH(test::parse_text(struct_manifest("name = \"q\"\nkind = \"scalar\"\ndtype = \"i32\"")),
                    Contains("needs a value expression"));
  CHECK_THROWS_WITH(test::parse_text(struct_manifest("name = \"q\"\nkind = \"padding\"\nbytes = 0")), Contains("bytes = 1 to 4096"));
  CHECK_THROWS_WITH(test::parse_text(struct_manifest("name = \"q\"\nkind = \"pointer\"\nbuffer = \"x\"\nalign = 12")),
                    Contains("power of two"));
  CHECK_THROWS_WITH(test::parse_text(struct_manifest("name = \"q\"\nkind = \"union\"")), Contains("must be pointer, scalar, tensor_map or padding"));
  CHECK_THROWS_WITH(test::parse_text(test::kValidManifest + "\n[[args]]\nname = \"s\"\nkind = \"struct\"\n"),
                    Contains("[[args.fields]]"));
  CHECK_THROWS_WITH(test::parse_text(test::with("kind = \"output\"", "kind = \"output\"\nfields = []")), Contains("applies to structs only"));
}

TEST_CASE("pass = false: buffers reach the kernel only through the struct; the reference names its own parameters", "[struct][manifest]") {
  const auto& spec = registry().get("struct_globals");
  const auto kernel = spec.launch_args(false);
  REQUIRE(kernel.size() == 1);
  CHECK(kernel[0]->kind == ArgKind::struct_value);
  std::vector<std::string> reference;
  for (const ArgSpec* a : spec.launch_args(true)) reference.push_back(a->name);
  CHECK(reference == std::vector<std::string>{"x", "y", "rows", "cols"});
  // The reference's signature is checked against [reference] args, the kernel's against the passed ones.
  CHECK(signature_mismatches({"float const*", "float*", "int", "int"}, spec, DType::fp32, "copy_reference", true).empty());
  CHECK_FALSE(signature_mismatches({"float const*", "float*", "int"}, spec, DType::fp32, "copy_reference", true).empty());
  CHECK(signature_mismatches({"mini::globals"}, spec, DType::fp32, "move_tiles", false).empty());
  CHECK_THROWS_WITH(test::parse_text(test::with("[params]", "[reference]\nname = \"scale<{dtype}, {VEC}, {THREADS}>\"\n"
                                                            "grid = 1\nblock = 1\nargs = [\"x\", \"z\"]\n\n[params]")),
                    Contains("names 'z', which is not an [[args]] entry"));
  CHECK_THROWS_WITH(test::parse_text(test::with("kind = \"output\"", "kind = \"output\"\npass = 1")), Contains("true or false"));
}

// ---- [gpu] ----

TEST_CASE("a struct of globals with a 5-D swizzled tensor map moves every tile exactly", "[gpu][struct][tensor_map]") {
  TKBENCH_SKIP_WITHOUT_GPU();
  Compiler compiler(nullptr);
  Evaluator evaluator(registry(), compiler, require_device(0));
  const auto& spec = registry().get("struct_globals");
  int checked = 0;
  for (std::vector<long long> dims : {std::vector<long long>{64, 64}, {128, 192}, {512, 256}}) {
    Problem p = make_problem(spec, dims, DType::fp32);
    for (const Config& config : SearchSpace(spec, p).enumerate()) {
      INFO(dims[0] << "x" << dims[1] << " " << config.str());
      Measurement m = evaluator.evaluate(test::quick_request(spec, dims, DType::fp32, config), [] {});
      CHECK(m.verification.passed);
      CHECK(m.verification.max_abs_error == 0.0);  // moved, never rounded
      ++checked;
    }
  }
  CHECK(checked >= 20);
}
