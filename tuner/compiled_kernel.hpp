#pragma once
// CompiledKernel: what the compiler stage hands on: a CUBIN for one arch, the
// lowered (mangled) name to look the kernel up by, and ptxas' resource report.
#include <string>

namespace tkbench {

// From ptxas -v: what one kernel needs of the SM.
struct ResourceUsage {
  int registers = 0;              // per thread
  int barriers = 0;               // named barriers used
  long long shared_static_bytes = 0;
  long long stack_bytes = 0;      // stack frame per thread (local memory)
  long long spill_store_bytes = 0;
  long long spill_load_bytes = 0;
  long long const_bytes = 0;      // cmem[0]: parameters and constants
};

struct CompiledKernel {
  std::string name_expression;  // what was asked for: "tkb::rmsnorm<float, 4, 256, 1>"
  std::string lowered_name;     // the symbol in the CUBIN
  std::string arch;             // "sm_90"
  std::string cubin;            // the image, bytes
  ResourceUsage resources;
  std::string log;              // NVRTC's log: warnings and the ptxas report
  double compile_ms = 0;        // 0 when served from the cache
  bool cache_hit = false;
  std::string cache_key;        // sha256 of everything that determines the CUBIN
};

}  // namespace tkbench
