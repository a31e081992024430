#include <catch2/catch.hpp>

#include "test_helpers.hpp"
#include "tuner/compile_servers.hpp"
#include "tuner/compiler.hpp"

using namespace tkbench;
using Catch::Contains;

namespace {
const TemplateRegistry& registry() { return test::registry_with_partly_broken(); }
std::vector<std::string> server_argv() { return {test::binary(), "compile-server"}; }
}  // namespace

TEST_CASE("compile servers give the same CUBIN and resources as NVRTC in this process", "[compiler][servers]") {
  const auto& spec = registry().get("rmsnorm");
  const std::string arch = "sm_90";
  Compiler local(nullptr);
  CompileServers servers(server_argv(), 2);
  Compiler remote(nullptr);
  remote.use_servers(&servers);
  // Several kernels through one server: the later ones use its precompiled header.
  for (const char* name : {"tkb::rmsnorm<__nv_bfloat16, 8, 128, 1, 4, 0, __nv_bfloat16, 1, 1, 0, 1>",
                           "tkb::rmsnorm<__half, 4, 256, 2, 0, 1, __half, 0, 1, 1, 2>",
                           "tkb::rmsnorm<float, 4, 64, 1, 8, 2, float, 1, 2, 0, 1>"}) {
    INFO(name);
    auto a = local.compile(spec, name, arch);
    auto b = remote.compile(spec, name, arch);
    INFO(a.error << b.error);
    REQUIRE(a.ok);
    REQUIRE(b.ok);
    CHECK(b.kernel.cubin == a.kernel.cubin);
    CHECK(b.kernel.lowered_name == a.kernel.lowered_name);
    CHECK(b.kernel.resources.registers == a.kernel.resources.registers);
    CHECK(b.kernel.resources.shared_static_bytes == a.kernel.resources.shared_static_bytes);
    CHECK(b.kernel.cache_key == a.kernel.cache_key);
    CHECK(b.kernel.log.find("precompiled header") == std::string::npos);
  }
}

TEST_CASE("a compile server that dies costs its job, and the next job gets a fresh one", "[compiler][servers][faults]") {
  const auto& spec = registry().get("copy");
  // The first process of this script dies on its first request; those after it are real servers.
  const std::string flag = (test::temp_dir("compile-server-dies") / "died").string();
  CompileServers servers({"/bin/sh", "-c",
                          fmt::format("if [ ! -e {0} ]; then touch {0}; read line; exit 9; fi; exec {1} compile-server", flag,
                                      test::binary())},
                         1);
  Compiler compiler(nullptr);
  compiler.use_servers(&servers);
  auto first = compiler.compile(spec, "tkb::copy<float, 16, 256, 4, false>", "sm_90");
  CHECK_FALSE(first.ok);
  CHECK_THAT(first.error, Contains("compile server failed") && Contains("exited with status 9"));
  auto second = compiler.compile(spec, "tkb::copy<float, 16, 256, 4, false>", "sm_90");
  INFO(second.error);
  CHECK(second.ok);
}

TEST_CASE("NVRTC jobs and outputs survive their JSON form", "[compiler][servers]") {
  NvrtcJob job{"a.cu", "text", {"h.cuh"}, {"header"}, {"-std=c++17"}, "k<1>", "sm_90"};
  NvrtcJob back = nvrtc_job_from_json(to_json(job));
  CHECK(back.source_text == "text");
  CHECK(back.header_names == job.header_names);
  CHECK(back.options == job.options);
  NvrtcOutput out{true, "", "_Z1kILi1EEvv", std::string("\x7f" "ELF\0\xff\x01", 7), "log"};
  NvrtcOutput round = nvrtc_output_from_json(to_json(out));
  CHECK(round.cubin == out.cubin);
  CHECK(round.lowered_name == out.lowered_name);
  CHECK_THROWS(nvrtc_output_from_json({{"ok", true}, {"error", ""}, {"lowered_name", ""}, {"cubin_hex", "0g"}, {"log", ""}}));
}
