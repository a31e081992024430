#include <catch2/catch.hpp>

#include "tuner/ptxas_report.hpp"

using namespace tkbench;

// Shape of NVRTC 13.0's log with -Xptxas=-v, as seen on the CPU machine.
static const char* kLog = R"(ptxas info    : 0 bytes gmem
ptxas info    : Function properties for _Z6helperv
ptxas         .     24 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Compiling entry function '_Z3fooPf' for 'sm_90'
ptxas info    : Function properties for _Z3fooPf
ptxas         .     16 bytes stack frame, 8 bytes spill stores, 12 bytes spill loads
ptxas info    : Used 255 registers, used 1 barriers, 1024 bytes smem, 368 bytes cmem[0]
ptxas info    : Compiling entry function '_Z3barPf' for 'sm_90'
ptxas info    : Function properties for _Z3barPf
ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 32 registers, used 0 barriers
ptxas info    : Compile time = 28.742 ms
)";

TEST_CASE("the report of the named entry is parsed / not its neighbours'", "[ptxas]") {
  auto foo = parse_ptxas_report(kLog, "_Z3fooPf");
  REQUIRE(foo);
  CHECK(foo->registers == 255);
  CHECK(foo->barriers == 1);
  CHECK(foo->shared_static_bytes == 1024);
  CHECK(foo->const_bytes == 368);
  CHECK(foo->stack_bytes == 16);
  CHECK(foo->spill_store_bytes == 8);
  CHECK(foo->spill_load_bytes == 12);

  auto bar = parse_ptxas_report(kLog, "_Z3barPf");
  REQUIRE(bar);
  CHECK(bar->registers == 32);
  CHECK(bar->shared_static_bytes == 0);
  CHECK(bar->stack_bytes == 0);
}

TEST_CASE("no report for a name that is not an entry", "[ptxas]") {
  CHECK_FALSE(parse_ptxas_report(kLog, "_Z6helperv"));
  CHECK_FALSE(parse_ptxas_report("", "_Z3fooPf"));
}
