// Bad input as a new user makes it, run through the real binary: each case is
// a mistake, the exit code it must give and phrases its message must hold
// (what was given, what was expected, the fix). Manifest and .cu cases edit a
// copy of docs/examples/axpy; everything runs without a GPU, and the options
// are refused before a GPU is looked for, so the cases hold on a GPU machine too.
#include <catch2/catch.hpp>

#include <sched.h>
#include <sys/mount.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "test_helpers.hpp"
#include "test_skip.hpp"
#include "tuner/results_journal.hpp"

using namespace tkbench;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

// One edit of the axpy example: the first `from` in `file` becomes `to`.
struct Edit {
  std::string file, from, to;
};

struct BadInput {
  std::string what;  // the mistake, in a user's words
  // After `tkbench`: {axpy} is a folder holding the edited axpy, {fx} the test
  // fixtures, {tmp} a scratch folder (tmp_files() says what it holds).
  std::string args;
  int exit_code;
  std::vector<std::string> phrases;
  std::vector<Edit> edits = {};
};

const fs::path& scratch() {
  static const fs::path dir = [] {
    auto d = test::temp_dir("bad-input");
    fs::create_directories(d / "folder");
    std::ofstream(d / "file.txt") << "not a folder\n";
    std::ofstream(d / "not_json.json") << "{ \"schema\": \"tkbench.results/1\", ";
    std::ofstream(d / "spec_150.toml") << "min_sol = \"150%\"\n[[entry]]\ntemplate = \"copy\"\nshapes = [\"1048576\"]\n";
    std::ofstream(d / "spec_typo.toml") << "[[entry]]\ntemplate = \"rmsnrom\"\nshapes = [\"4096x8192\"]\n";
    std::ofstream(d / "spec_empty.toml") << "max_regression = \"5%\"\n";
    std::ofstream(d / "spec_shape.toml") << "[[entry]]\ntemplate = \"rmsnorm\"\nshapes = [\"4096x0\"]\n";
    return d;
  }();
  return dir;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
  return text;
}

// A folder holding docs/examples/axpy with `edits` applied.
fs::path edited_axpy(const std::vector<Edit>& edits, int number) {
  const fs::path dir = scratch() / fmt::format("case-{}", number);
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(fs::path(test::fixtures()) / "../../docs/examples/axpy", dir / "axpy", fs::copy_options::recursive);
  for (const auto& e : edits) {
    const fs::path file = dir / "axpy" / e.file;
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto at = text.find(e.from);
    if (at == std::string::npos) throw std::logic_error("axpy/" + e.file + " does not contain: " + e.from);
    text.replace(at, e.from.size(), e.to);
    std::ofstream(file) << text;
  }
  return dir;
}

void run_cases(const std::vector<BadInput>& cases) {
  static int number = 0;
  const std::string cache = "XDG_CACHE_HOME=" + (scratch() / "cache").string();
  for (const auto& c : cases) {
    std::string args = c.args;
    if (args.find("{axpy}") != std::string::npos) args = replace_all(args, "{axpy}", edited_axpy(c.edits, ++number).string());
    args = replace_all(replace_all(args, "{fx}", test::fixtures()), "{tmp}", scratch().string());
    INFO(c.what << "\n  tkbench " << args);
    auto r = test::run_tkbench(args, cache);
    INFO(r.output);
    CHECK(r.exit_code == c.exit_code);
    for (const auto& phrase : c.phrases) CHECK_THAT(r.output, Contains(phrase));
    // Never a crash, never CLI11's range text.
    CHECK_THAT(r.output, !Contains("internal error") && !Contains("not in range") && !Contains("__nv_name_map"));
  }
}

const std::string kShowAxpy = "show axpy --template-dir {axpy} --shape 1000003";
const std::string kCheckAxpy = "check axpy --template-dir {axpy}";

const std::vector<BadInput> kManifests = {
    {"a typo in the reference kernel's name", kCheckAxpy, 2,
     {"axpy.toml:20:", "[reference] name 'tkb::axpy_refrence<{dtype}>'", "names no __global__ function in axpy.cu", "fix:"},
     {{"axpy.toml", "tkb::axpy_reference<", "tkb::axpy_refrence<"}}},
    {"the same typo, seen by show", kShowAxpy, 2, {"axpy.toml:20:", "names no __global__ function"},
     {{"axpy.toml", "tkb::axpy_reference<", "tkb::axpy_refrence<"}}},
    {"the same typo, seen by compile", "compile axpy --template-dir {axpy} --shape 1000003 --config VEC=4,THREADS=256", 2,
     {"axpy.toml:20:", "names no __global__ function"}, {{"axpy.toml", "tkb::axpy_reference<", "tkb::axpy_refrence<"}}},
    {"a typo in the kernel's name", kCheckAxpy, 2,
     {"axpy.toml:13:", "[kernel] name", "NVRTC says namespace \"tkb\" has no member \"axpyy\""},
     {{"axpy.toml", "tkb::axpy<", "tkb::axpyy<"}}},
    {"the same, in compile's table: each config says where", "compile axpy --template-dir {axpy} --shape 1000003 --config VEC=4", 1,
     {"compile_error: ", "axpy.toml:13:8: [kernel] name"}, {{"axpy.toml", "tkb::axpy<", "tkb::axpyy<"}}},
    {"[[args]] that do not match, seen by compile after compiling", "compile axpy --template-dir {axpy} --shape 1000003 --config VEC=4", 2,
     {"should be 'int', but it is 'long long'"}, {{"axpy.toml", "dtype = \"i64\"", "dtype = \"i32\""}}},
    {"template arguments in the wrong number", kCheckAxpy, 2, {"axpy.toml:13:", "give the template arguments"},
     {{"axpy.toml", "{THREADS}, {GRID_STRIDE}>", "{THREADS}>"}}},
    {"[[args]] misses the kernel's last parameter", kCheckAxpy, 2, {"takes 4 parameters", "[[args]] lists 3 (y, x, a)", "fix:"},
     {{"axpy.toml", "[[args]]\nname = \"n\"\nkind = \"scalar\"\ndtype = \"i64\"\nvalue = \"N\"\n", ""}}},
    {"[[args]] lists one parameter too many", kShowAxpy, 2, {"axpy.toml:67:", "[[args]] lists 5"},
     {{"axpy.toml", "value = \"N\"\n", "value = \"N\"\n\n[[args]]\nname = \"m\"\nkind = \"scalar\"\ndtype = \"i64\"\nvalue = \"N\"\n"}}},
    {"a scalar of the wrong type", kCheckAxpy, 2,
     {"axpy.toml:61:", "[[args]] 'n' is a scalar of i32", "should be 'int', but it is 'long long'"},
     {{"axpy.toml", "dtype = \"i64\"", "dtype = \"i32\""}}},
    {"a buffer where the kernel takes a scalar", kCheckAxpy, 2, {"[[args]] 'a' is an input buffer of fp32", "should be 'float*'"},
     {{"axpy.toml", "kind = \"scalar\"\ndtype = \"fp32\"                     # a float parameter, whatever the dtype\nvalue = \"1.5\"",
       "kind = \"input\"\ndtype = \"fp32\"\ncount = \"N\""}}},
    {"a buffer of another dtype than the kernel's", kCheckAxpy, 2, {"[[args]] 'x' is an input buffer of fp32, so parameter 2 of [kernel] tkb::axpy<__nv_bfloat16"},
     {{"axpy.toml", "kind = \"input\"\n", "kind = \"input\"\ndtype = \"fp32\"\n"}}},
    {"a block over the kernel's __launch_bounds__", kCheckAxpy, 2,
     {"axpy.toml:17:", "over tkb::axpy<", "__launch_bounds__(256)", "\"THREADS <= 256\""},
     {{"axpy.cu", "__launch_bounds__(THREADS)", "__launch_bounds__(256)"}}},
    {"the same in compile: those configs are skipped with the reason", "compile axpy --template-dir {axpy} --shape 1000003 --config VEC=4",
     0, {"skipped: ", "axpy.toml:17:10: [kernel] block 512x1x1", "  ok"},
     {{"axpy.cu", "__launch_bounds__(THREADS)", "__launch_bounds__(256)"}}},
    {"a negative buffer count", kShowAxpy, 2, {"axpy.toml:46:", "count = '-N' is -1000003", "at least 1"},
     {{"axpy.toml", "count = \"N\"", "count = \"-N\""}}},
    {"negative roofline bytes", kCheckAxpy, 2, {"axpy.toml:35:", "roofline bytes = '-3 * N * size(dtype)'", "must be positive"},
     {{"axpy.toml", "bytes = \"3 * N * size(dtype)\"", "bytes = \"-3 * N * size(dtype)\""}}},
    {"negative roofline flops", kCheckAxpy, 2, {"roofline flops = '-2 * N'", "must not be negative"},
     {{"axpy.toml", "flops = \"2 * N\"", "flops = \"-2 * N\""}}},
    {"an integer reference_dtype for a float output", kCheckAxpy, 2,
     {"axpy.toml:43:", "reference_dtype \"i32\" is not a float type", "reference_dtype = \"fp32\""},
     {{"axpy.toml", "init = \"uniform(-1, 1)\"", "init = \"uniform(-1, 1)\"\nreference_dtype = \"i32\""}}},
    {"a grid over 2^31-1: show counts no valid config", kShowAxpy, 2,
     {"0 valid at shape 1000003", "cannot launch", "grid.x", "none of the 32 valid configs"},
     {{"axpy.toml", "grid = [\"ceil_div(N, VEC * THREADS * (1 + 7 * GRID_STRIDE))\"]", "grid = [\"N * 4096\"]"}}},
    {"an unknown key", kShowAxpy, 2, {"axpy.toml:17:1: unknown key 'blocks' in [kernel]; allowed:"},
     {{"axpy.toml", "block = [\"THREADS\"]", "blocks = [\"THREADS\"]"}}},
    {"malformed TOML", kShowAxpy, 2, {"axpy.toml:7:", "malformed TOML"},
     {{"axpy.toml", "[\"bf16\", \"fp16\", \"fp32\"]", "[\"bf16\", \"fp16\" \"fp32\"]"}}},
    {"an unknown name in a constraint", kShowAxpy, 2, {"axpy.toml:9:3:", "unknown name 'VECS'; known names:"},
     {{"axpy.toml", "\"VEC * size(dtype) <= 16\",", "\"VECS * size(dtype) <= 16\","}}},
    {"a misspelled placeholder", kShowAxpy, 2, {"axpy.toml:13:", "uses {THREAD}, which is not"},
     {{"axpy.toml", "{THREADS}, {GRID", "{THREAD}, {GRID"}}},
    {"init on an output", kShowAxpy, 2, {"axpy.toml:47:", "'init' applies to input and inout buffers"},
     {{"axpy.toml", "kind = \"inout\"", "kind = \"output\""}}},
    {"an unknown dtype", kShowAxpy, 2, {"axpy.toml:7:", "unknown dtype 'bf61'; known:"}, {{"axpy.toml", "\"bf16\", \"fp16\"", "\"bf61\", \"fp16\""}}},
    {"a [default] outside its value list", kShowAxpy, 2, {"[default] sets VEC = 3, which is not in its value list"},
     {{"axpy.toml", "VEC = 4\n", "VEC = 3\n"}}},
    {"a tolerance of 1 or more", kShowAxpy, 2, {"axpy.toml:39:", "a tolerance must be a number in [0, 1)"},
     {{"axpy.toml", "bf16 = 1e-2", "bf16 = 5"}}},
    {"a source file that is not there", kShowAxpy, 2, {"source file 'axpi.cu' not found next to the manifest"},
     {{"axpy.toml", "source = \"axpy.cu\"", "source = \"axpi.cu\""}}},
    {"a parameter listed twice", kShowAxpy, 2, {"parameter 'VEC' lists 4 twice"}, {{"axpy.toml", "VEC = [1, 2, 4, 8]", "VEC = [1, 4, 4, 8]"}}},
    {"a constraint that empties the space", "compile axpy --template-dir {axpy} --shape 1000003", 2,
     {"the space is empty at shape 1000003 bf16: constraint 'N % (VEC * THREADS) == 0'"},
     {{"axpy.toml", "  \"VEC * size(dtype) <= 16\",", "  \"VEC * size(dtype) <= 16\",\n  \"N % (VEC * THREADS) == 0\","}}},
};

const std::vector<BadInput> kSources = {
    {"a C++ error in the kernel: compile lists it per config", "compile axpy --template-dir {axpy} --shape 1000003 --config VEC=8,THREADS=256",
     1, {"compile_error: axpy.cu(24): error: no instance of function template \"tkb::from_float\"", "2 failed to compile"},
     {{"axpy.cu", "ys.v[k] = from_float<T>(", "ys.v[k] = from_float("}}},
    {"a C++ error in the kernel: check names it", kCheckAxpy, 2, {"[kernel] tkb::axpy<", "does not compile for sm_90", "axpy.cu(24)"},
     {{"axpy.cu", "ys.v[k] = from_float<T>(", "ys.v[k] = from_float("}}},
    {"a C++ error in the reference", kShowAxpy, 2, {"[reference] tkb::axpy_reference<__nv_bfloat16> does not compile"},
     {{"axpy.cu", "if (i < n) y[i]", "if (i < n) y[j]"}}},
    {"a header that is not there", kCheckAxpy, 2, {"does not compile for sm_90", "tkbench/commn.cuh"},
     {{"axpy.cu", "tkbench/common.cuh", "tkbench/commn.cuh"}}},
    {"an int where the manifest says i64", kCheckAxpy, 2, {"[[args]] 'n' is a scalar of i64", "should be 'long long', but it is 'int'"},
     {{"axpy.cu", "float a, long long n) {\n  using V", "float a, int n) {\n  using V"}}},
    {"the reference takes a different list than the kernel", kCheckAxpy, 2, {"[reference] tkb::axpy_reference<", "takes 3 parameters"},
     {{"axpy.cu", "const T* __restrict__ x, float a, long long n) {\n  const long long i", "const T* __restrict__ x, long long n) {\n  const long long i"},
      {"axpy.cu", "y[i] = from_float<T>(a * to_float(x[i])", "y[i] = from_float<T>(1.5f * to_float(x[i])"}}},
};

const std::vector<BadInput> kShapes = {
    {"a zero dim", "compile rmsnorm --shape 0x8192", 2, {"M = 0 must be at least 1"}},
    {"too few dims", "compile rmsnorm --shape 4096", 2, {"has 1 dim; rmsnorm takes 2 dims (M x N)"}},
    {"a word for a dim", "compile rmsnorm --shape abcx12", 2, {"'abc' is not a whole number"}},
    {"a dim past what a long holds", "show rmsnorm --shape 99999999999999999999x1", 2,
     {"99999999999999999999 is out of range", "at most 2^40"}},
    {"a dim past 2^40", "show copy --shape 2199023255553", 2, {"is larger than 2^40"}},
    {"a trailing x", "show rmsnorm --shape 4096x", 2, {"'' is not a whole number", "e.g. --shape 4096x8192"}},
    {"a list of shapes for show", "show rmsnorm --shape 8192,16384", 2, {"show takes one shape", "'8192,16384'", "compile and tune take several"}},
    {"an empty entry in a list", "compile rmsnorm --shape 4096x8192,", 2, {"has an empty entry"}},
    {"a dtype the template lacks", "compile rmsnorm --shape 4096x8192 --dtype fp64", 2, {"does not support dtype 'fp64'; it supports bf16"}},
    {"a negative dim", "show copy --shape -5", 2, {"must be at least 1"}},
};

const std::vector<BadInput> kConfigs = {
    {"a parameter the template lacks", "compile rmsnorm --shape 4096x8192 --config UNROLL=2", 2, {"no parameter 'UNROLL'; its parameters are"}},
    {"a value outside the list", "compile rmsnorm --shape 4096x8192 --config VEC=3", 2, {"VEC=3 is not one of its values"}},
    {"a config the constraints reject", "compile rmsnorm --shape 4096x8192 --config THREADS=1024,ROWS=4", 2, {"constraint 'THREADS * ROWS <= 1024'"}},
    {"no '='", "compile rmsnorm --shape 4096x8192 --config VEC", 2, {"'VEC' is not NAME=VALUE"}},
    {"a word for a number", "compile rmsnorm --shape 4096x8192 --config VEC=eight", 2, {"VEC=eight is not a whole number"}},
    {"check --config that fits nothing", "check copy --shape 1024 --config VEC_BYTES=4,THREADS=1024,UNROLL=8 --dtype fp32", 0, {"ok"}},
};

const std::vector<BadInput> kOptions = {
    {"-j 0", "compile copy --shape 1024 -j 0", 2, {"-j must be at least 1, not 0"}},
    {"--jobs negative", "compile copy --shape 1024 --jobs -3", 2, {"-j must be at least 1, not -3"}},
    {"--device -1", "devices --device -1", 2, {"--device must be at least 0, not -1", "`tkbench devices` lists them"}},
    {"tune --budget -5", "tune rmsnorm --shape 4096x8192 --budget -5", 2, {"--budget must be at least 1, not -5"}},
    {"tune --budget 0", "tune rmsnorm --shape 4096x8192 --budget 0", 2, {"--budget must be at least 1, not 0"}},
    {"tune --budget in words", "tune rmsnorm --shape 4096x8192 --budget lots", 2, {"--budget must be a whole number of at least 1, not 'lots'"}},
    {"compile --sample -5", "compile rmsnorm --shape 4096x8192 --sample -5", 2, {"--sample must be at least 1, not -5"}},
    {"compile --seed -1", "compile rmsnorm --shape 4096x8192 --seed -1", 2, {"--seed must be a whole number from 0", "not '-1'"}},
    {"tune --seed -1", "tune rmsnorm --shape 4096x8192 --seed -1", 2, {"--seed must be a whole number from 0"}},
    {"tune --max-time -1", "tune rmsnorm --shape 4096x8192 --max-time -1", 2, {"--max-time must be a number of seconds above 0", "not '-1'"}},
    {"bench --max-time 0", "bench rmsnorm --shape 4096x8192 --max-time 0", 2, {"--max-time must be a number of seconds above 0"}},
    {"bench --kernel-timeout 0", "bench rmsnorm --shape 4096x8192 --kernel-timeout 0", 2, {"--kernel-timeout must be a number of seconds above 0"}},
    {"tune --target-sol 150", "tune rmsnorm --shape 4096x8192 --target-sol 150", 2, {"--target-sol 150 can never be met", "up to 100"}},
    {"tune --throttle-threshold 150", "tune rmsnorm --shape 4096x8192 --throttle-threshold 150", 2,
     {"--throttle-threshold must be a percentage from 0 to 100 (0 switches it off)", "not '150'"}},
    {"bench --throttle-threshold in words", "bench rmsnorm --shape 4096x8192 --throttle-threshold high", 2,
     {"--throttle-threshold must be a percentage from 0 to 100"}},
    {"tune --target-sol 0", "tune rmsnorm --shape 4096x8192 --target-sol 0", 2, {"--target-sol must be above 0"}},
    {"tune --resume of a missing file", "tune rmsnorm --shape 4096x8192 --resume {tmp}/gone.json", 2,
     {"--resume", "gone.json: no such file", "leave --resume out to start afresh"}},
    {"tune --resume of a folder", "tune rmsnorm --shape 4096x8192 --resume {tmp}/folder", 2, {"is a folder"}},
    {"tune -o a folder", "tune rmsnorm --shape 4096x8192 -o {tmp}/folder", 2, {"it is a folder; name a file in it"}},
    {"tune --time negative", "tune rmsnorm --shape 4096x8192 --time -5", 2, {"--time '-5' is not a duration such as 90s"}},
    {"tune --strategy unknown", "tune rmsnorm --shape 4096x8192 --strategy greedy", 2, {"--strategy 'greedy' is not one tkbench has; available:"}},
    {"an arch NVRTC lacks", "compile rmsnorm --shape 4096x8192 --arch sm_91", 2, {"'sm_91' is not an arch", "use one of"}},
    {"an arch without an occupancy table", "compile copy --shape 1048576 --config VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=false --arch sm_120",
     0, {"no occupancy table for sm_120", "tables for sm_80, sm_86, sm_89, sm_90, sm_100"}},
    {"an unknown template", "compile rmsnrom --shape 4096x8192", 2, {"unknown template 'rmsnrom'; available:"}},
    {"an unknown option", "compile rmsnorm --shape 4096x8192 --bogus", 2, {"--bogus"}},
    {"a missing --shape", "compile rmsnorm", 2, {"--shape is required"}},
    {"--template-dir a file", "show axpy --template-dir {tmp}/file.txt", 2, {"is a file; --template-dir takes the folder that holds it"}},
    {"--template-dir missing", "show axpy --template-dir {tmp}/nowhere", 2, {"template directory", "does not exist"}},
    {"--l2 warm", "bench rmsnorm --shape 4096x8192 --l2 warm", 2, {"--l2", "warm"}},
};

const std::vector<BadInput> kDocuments = {
    {"a folder as a results document", "report {tmp}/folder", 2, {"is a folder; give a results document in it", ".json file"}},
    {"a missing results document", "report {tmp}/gone.json", 2, {"gone.json: no such file"}},
    {"a cut-off results document", "report {tmp}/not_json.json", 2, {"not valid JSON"}},
    {"another schema", "report {fx}/gate/wrong_schema.json", 2, {"is not one tkbench reads"}},
    {"a folder to export", "export {tmp}/folder -o {tmp}/tuned.hpp", 2, {"is a folder; give a results document"}},
    {"a malformed record", "report {fx}/gate/bad_record.json", 2, {"is malformed"}},
    {"a folder as the baseline", "gate --baseline {tmp}/folder --current {fx}/gate/rerun.json", 2, {"is a folder; give a results document"}},
};

const std::vector<BadInput> kGates = {
    {"--min-sol 150%", "gate --baseline {fx}/gate/baseline.json --current {fx}/gate/rerun.json --min-sol 150%", 2,
     {"--min-sol '150%' can never be met", "up to 100%"}},
    {"--min-sol in words", "gate --baseline {fx}/gate/baseline.json --current {fx}/gate/rerun.json --min-sol most", 2,
     {"--min-sol 'most' is not a percentage such as 5%"}},
    {"--max-regression 5 (a fraction or a percentage?)", "gate --baseline {fx}/gate/baseline.json --current {fx}/gate/rerun.json --max-regression 5", 2,
     {"is ambiguous: write 5% for a percentage"}},
    {"a folder as --spec", "gate --spec {tmp}/folder", 2, {"is a folder; --spec takes a gate spec file", "docs/ci.md"}},
    {"a missing --spec", "gate --spec {tmp}/gone.toml", 2, {"gone.toml: no such file"}},
    {"min_sol 150% in a spec", "gate --spec {tmp}/spec_150.toml", 2, {"spec_150.toml:1:", "can never be met"}},
    {"an unknown template in a spec", "gate --spec {tmp}/spec_typo.toml", 2, {"spec_typo.toml:2:", "unknown template 'rmsnrom'"}},
    {"a spec without entries", "gate --spec {tmp}/spec_empty.toml", 2, {"no [[entry]] tables"}},
    {"a bad shape in a spec", "gate --spec {tmp}/spec_shape.toml", 2, {"spec_shape.toml:3:", "N = 0 must be at least 1"}},
    {"--current with --spec", "gate --spec {tmp}/spec_150.toml --current {fx}/gate/rerun.json", 2, {"--current and --spec do not go together"}},
    {"only a baseline", "gate --baseline {fx}/gate/baseline.json", 2, {"gate compares --baseline B --current C"}},
    {"-o without --spec", "gate --baseline {fx}/gate/baseline.json --current {fx}/gate/rerun.json -o {tmp}/x.json", 2,
     {"-o names the document --spec measures"}},
    {"--compare by something else", "gate --baseline {fx}/gate/baseline.json --current {fx}/gate/rerun.json --compare speed", 2, {"--compare"}},
};

const std::vector<BadInput> kOutputPaths = {
    {"report -o a folder", "report {fx}/report/h200.json -o {tmp}/folder", 2, {"cannot write", "it is a folder; name a file in it"}},
    {"gate --junit a folder", "gate --baseline {fx}/gate/baseline.json --current {fx}/gate/rerun.json --junit {tmp}/folder", 2,
     {"it is a folder"}},
    {"gate --markdown under a file", "gate --baseline {fx}/gate/baseline.json --current {fx}/gate/rerun.json --markdown {tmp}/file.txt/gate.md",
     2, {"is not a folder"}},
    {"export -o under a file", "export {fx}/report/h200.json -o {tmp}/file.txt/tuned.hpp", 2, {"is not a folder"}},
};

}  // namespace

TEST_CASE("bad input: manifests", "[cli][bad-input]") { run_cases(kManifests); }
TEST_CASE("bad input: .cu sources", "[cli][bad-input]") { run_cases(kSources); }
TEST_CASE("bad input: shapes", "[cli][bad-input]") { run_cases(kShapes); }
TEST_CASE("bad input: configs", "[cli][bad-input]") { run_cases(kConfigs); }
TEST_CASE("bad input: options", "[cli][bad-input]") { run_cases(kOptions); }
TEST_CASE("bad input: results documents", "[cli][bad-input]") { run_cases(kDocuments); }
TEST_CASE("bad input: gate specs and options", "[cli][bad-input]") { run_cases(kGates); }
TEST_CASE("bad input: output paths", "[cli][bad-input]") { run_cases(kOutputPaths); }

TEST_CASE("bad input: the table holds at least 60 cases", "[cli][bad-input]") {
  std::size_t total = 0;
  for (const auto* table : {&kManifests, &kSources, &kShapes, &kConfigs, &kOptions, &kDocuments, &kGates, &kOutputPaths})
    total += table->size();
  CHECK(total >= 60);
}

TEST_CASE("check: finds each of the five offline problems in a broken copy of a built-in", "[cli][bad-input]") {
  auto r = test::run_tkbench(std::string("check --no-color --template-dir ") + test::fixtures() + "/broken_copy",
                             "XDG_CACHE_HOME=" + (scratch() / "cache").string());
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Contains("FAIL  broken_copy"));
  CHECK_THAT(r.output, Contains("broken_copy.toml:18:") && Contains("[reference] name 'tkb::copy_refernce<{dtype}>'"));
  CHECK_THAT(r.output, Contains("broken_copy.toml:55:") && Contains("should be 'int', but it is 'long long'"));
  CHECK_THAT(r.output, Contains("broken_copy.toml:15:") && Contains("__launch_bounds__(256)"));
  CHECK_THAT(r.output, Contains("broken_copy.toml:35:") && Contains("roofline bytes = '-2 * N * size(dtype)'"));
  CHECK_THAT(r.output, Contains("broken_copy.toml:49:") && Contains("reference_dtype \"i32\" is not a float type"));
  // The built-in it was copied from passes the same check.
  auto good = test::run_tkbench("check copy --no-color", "XDG_CACHE_HOME=" + (scratch() / "cache").string());
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.output, Contains("ok    copy"));
}

TEST_CASE("check: every built-in template passes, each for the arch its manifest asks for", "[cli][bad-input]") {
  auto r = test::run_tkbench("check --no-color", "XDG_CACHE_HOME=" + (scratch() / "cache").string());
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, !Contains("FAIL"));
  CHECK_THAT(r.output, Contains("ok    rmsnorm") && Contains("ok    gemm") && Contains("compiled for sm_90a"));
}

namespace {

// In a child process: a 16 KiB tmpfs of its own (a mount namespace; a user
// namespace where not root), a journal appended to until the disk is full.
// Reports "appended N kept M error: ..." or "cannot: why" on `out`.
void fill_journal_on_small_disk(int out, const fs::path& mount_point, const fs::path& copy) {
  auto say = [&](const std::string& text) {
    (void)!::write(out, text.data(), text.size());
    ::_exit(0);
  };
  const uid_t uid = ::getuid();
  const gid_t gid = ::getgid();
  if (::unshare(uid == 0 ? CLONE_NEWNS : CLONE_NEWUSER | CLONE_NEWNS) != 0) say(fmt::format("cannot: unshare: {}", std::strerror(errno)));
  if (uid != 0) {
    std::ofstream("/proc/self/setgroups") << "deny";
    std::ofstream("/proc/self/uid_map") << fmt::format("0 {} 1", uid);
    std::ofstream("/proc/self/gid_map") << fmt::format("0 {} 1", gid);
  }
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 && uid == 0)
    say(fmt::format("cannot: make / private: {}", std::strerror(errno)));
  if (::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=16k") != 0)
    say(fmt::format("cannot: mount a tmpfs: {}", std::strerror(errno)));
  const fs::path document = mount_point / "run.json";
  std::size_t appended = 0;
  std::string error;
  try {
    ResultsJournal journal(document, nlohmann::ordered_json{{"name", "test GPU"}}, false);
    for (int i = 0; i < 1000; ++i) {
      Result r;
      r.template_name = "copy";
      r.config.values = {{"VEC", i}};
      r.status = Status::ok;
      r.reason = std::string(300, 'x');  // about 0.5 KiB a line: the disk fills in a few dozen
      journal.append(r, nlohmann::ordered_json::object());
      ++appended;
    }
  } catch (const EnvironmentError& e) {
    error = e.what();
  } catch (const std::exception& e) {
    say(fmt::format("cannot: {}", e.what()));
  }
  // What the journal kept, read back by a resume on a disk with room.
  fs::copy_file(fs::path(document.string() + ".journal"), fs::path(copy.string() + ".journal"), fs::copy_options::overwrite_existing);
  std::size_t kept = 0;
  try {
    ResultsJournal resumed(copy, nlohmann::ordered_json::object(), true);
    kept = resumed.results().size();
  } catch (const std::exception& e) {
    say(fmt::format("appended {} kept ? error: {} / resume: {}", appended, error, e.what()));
  }
  say(fmt::format("appended {} kept {} error: {}", appended, kept, error));
}

}  // namespace

TEST_CASE("bad input: a full disk during the journal write loses no result already written", "[bad-input][journal]") {
  const fs::path dir = test::temp_dir("full-disk");
  fs::create_directories(dir / "small");
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    fill_journal_on_small_disk(pipe_fds[1], dir / "small", dir / "copy.json");
  }
  ::close(pipe_fds[1]);
  std::string report;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  fs::remove_all(dir);
  INFO(report);
  if (report.rfind("cannot: ", 0) == 0) TKBENCH_SKIP_TEST("no small disk to fill here (" << report.substr(8) << ")");
  unsigned appended = 0, kept = 0;
  REQUIRE(std::sscanf(report.c_str(), "appended %u kept %u", &appended, &kept) == 2);
  CHECK(appended > 0);
  CHECK(appended < 1000);  // the disk did fill
  CHECK(kept == appended);
  CHECK_THAT(report, Contains("cannot write") && Contains("No space left on device") &&
                         Contains("the results before this one are in it"));
}
