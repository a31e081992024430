// [gpu] tests: they need a CUDA device and skip, saying so, where none exists.
#include <catch2/catch.hpp>

#include "profiler/device.hpp"
#include "profiler/kernel_loader.hpp"
#include "tuner/compile_batch.hpp"
#include "tuner/template_registry.hpp"

using namespace tkbench;

TEST_CASE("compiled registers and occupancy agree with the driver for every rmsnorm config", "[gpu]") {
  if (probe_devices().devices.empty()) {
    WARN("skipped: no CUDA device (" << probe_devices().error << ")");
    return;
  }
  const DeviceInfo& device = require_device(0);
  auto registry = TemplateRegistry::load({});
  const auto& spec = registry.get("rmsnorm");
  Compiler compiler(nullptr);
  for (DType dtype : spec.dtypes) {
    Problem p = make_problem(spec, {4096, 8192}, dtype);
    auto compiled = compile_configs(spec, p, SearchSpace(spec, p).enumerate(), compiler, {device.arch()});
    for (const auto& c : compiled) {
      REQUIRE(c.kernel);
      auto driver = inspect_on_device(device, *c.kernel, c.result.compile->geometry);
      INFO(c.result.config.str());
      CHECK(driver.registers == c.result.compile->resources.registers);
      CHECK(driver.blocks_per_sm == c.result.compile->occupancy.blocks_per_sm);
    }
  }
}
