// Compile settings (include_dirs / --include-dir / TKBENCH_INCLUDE_PATH,
// defines, std, jit_compat): NVRTC compiles a header written for nvcc with
// them, and cache keys follow every header the include folders give.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "test_helpers.hpp"
#include "tuner/compiler.hpp"
#include "tuner/file_util.hpp"

using namespace tkbench;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const std::string kFixture = "jit_compat";

// A copy of the fixture in a fresh temporary folder, to edit.
fs::path copy_fixture(const std::string& tag) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("tkbench-compile-settings-{}-{}", tag, ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(test::fixtures() + "/" + kFixture, dir / kFixture, fs::copy_options::recursive);
  return dir;
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }
std::string read(const fs::path& path) { return *read_file(path); }

TemplateSpec load(const fs::path& dir, const std::vector<std::string>& include_dirs = {}) {
  return TemplateRegistry::load({dir.string()}, include_dirs).get(kFixture);
}

std::string key_of(const TemplateSpec& spec) { return Compiler(nullptr).cache_key(spec, "to_bits<1>", "sm_90"); }

}  // namespace

TEST_CASE("jit_compat: a header with <bit>, <concepts> and __host__ compiles under NVRTC, and only with it", "[compile-settings][compiler]") {
  const auto registry = TemplateRegistry::load({test::fixtures() + "/" + kFixture});
  const auto& spec = registry.get(kFixture);
  const auto options = Compiler(nullptr).options(spec, "sm_90");
  CHECK(std::find(options.begin(), options.end(), "-std=c++20") != options.end());
  CHECK(std::find(options.begin(), options.end(), "-DLIB_SCALE=1") != options.end());
  const CompileOutcome ok = Compiler(nullptr).compile(spec, "to_bits<1>", "sm_90");
  INFO(ok.error);
  CHECK(ok.ok);

  TemplateSpec plain = spec;
  plain.jit_compat = false;
  const CompileOutcome without = Compiler(nullptr).compile(plain, "to_bits<1>", "sm_90");
  CHECK_FALSE(without.ok);
  CHECK_THAT(without.error, Contains("bit"));  // NVRTC has no <bit> of its own
}

TEST_CASE("cache keys follow the include folders' headers, defines, std and jit_compat", "[compile-settings][cache]") {
  const fs::path dir = copy_fixture("keys");
  const fs::path root = dir / kFixture;
  const TemplateSpec before = load(dir);
  const std::string key = key_of(before);
  CHECK(key == key_of(load(dir)));  // stable

  // A header two includes deep, reached through a quoted include relative to its includer.
  const fs::path nested = root / "include/lib/detail/scale.cuh";
  const std::string original = read(nested);
  write(nested, original + "// edited\n");
  const TemplateSpec edited = load(dir);
  CHECK(key_of(edited) != key);
  CHECK(edited.source_hash != before.source_hash);
  write(nested, original);
  CHECK(key_of(load(dir)) == key);

  TemplateSpec changed = before;
  changed.defines = {"LIB_SCALE=2"};
  CHECK(key_of(changed) != key);
  changed = before;
  changed.cxx_standard = "c++17";
  CHECK(key_of(changed) != key);
  changed = before;
  changed.jit_compat = false;
  CHECK(key_of(changed) != key);

  // --include-dir: the same folder given on the command line instead of in the manifest: the same compile.
  const std::string manifest = read(root / "jit_compat.toml");
  write(root / "jit_compat.toml", test::with(R"(include_dirs = ["include"])", "", manifest));
  CHECK_THROWS_WITH(load(dir), Contains("'lib/app.cu' is in no include folder") && Contains("--include-dir"));
  const TemplateSpec from_cli = load(dir, TemplateRegistry::user_include_dirs({(root / "include").string()}));
  CHECK(from_cli.include_hash == before.include_hash);
  CHECK(key_of(from_cli) == key);
  // TKBENCH_INCLUDE_PATH adds folders after the command line's.
  ::setenv("TKBENCH_INCLUDE_PATH", (root / "include").c_str(), 1);
  CHECK(TemplateRegistry::user_include_dirs({}) == std::vector<std::string>{(root / "include").lexically_normal().string()});
  ::unsetenv("TKBENCH_INCLUDE_PATH");
  fs::remove_all(dir);
}

TEST_CASE("compile settings are validated: folders that exist, NAME[=VALUE] defines, a known std", "[compile-settings][bad-input]") {
  CHECK_THROWS_WITH(TemplateRegistry::user_include_dirs({"/no/such/folder"}), Contains("does not exist") && Contains("--include-dir"));
  CHECK_THROWS_WITH(test::parse_text("std = \"c++23\"\n" + test::kValidManifest), Contains("must be \"c++11\""));
  CHECK_THROWS_WITH(test::parse_text("defines = [\"1X\"]\n" + test::kValidManifest), Contains("NAME or NAME=VALUE"));
  CHECK_THROWS_WITH(test::parse_text("jit_compat = 1\n" + test::kValidManifest), Contains("true or false"));
  // A relative include folder starts at the manifest's folder; parse_text has none (as a built-in).
  CHECK_THROWS_WITH(test::parse_text("include_dirs = [\"inc\"]\n" + test::kValidManifest), Contains("must be absolute"));
  CHECK_THROWS_WITH(test::parse_text("include_dirs = [\"/no/such/folder\"]\n" + test::kValidManifest), Contains("does not exist"));
  const TemplateSpec spec = test::parse_text("defines = [\"A\", \"B=2\"]\nstd = \"c++20\"\n" + test::kValidManifest);
  CHECK(spec.defines == std::vector<std::string>{"A", "B=2"});
  CHECK(spec.cxx_standard == "c++20");
  CHECK_FALSE(spec.jit_compat);
}
