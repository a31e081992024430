// `tkbench devices`: the GPUs on this machine and their theoretical peaks.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "profiler/device_peaks.hpp"
#include "reports/terminal.hpp"
#include "tuner/format_bytes.hpp"

namespace tkbench {

CommandRunner add_devices_command(CLI::App& app, const GlobalOptions& global) {
  app.add_subcommand("devices", "List CUDA GPUs: arch, SMs, memory, L2, clocks, theoretical and measured DRAM bandwidth (needs a GPU)");
  return [&global] {
    require_device(global.device);  // exit 3 with one sentence when there is none
    const auto& probe = probe_devices();
    if (global.json) {
      using json = nlohmann::ordered_json;
      json out = json::array();
      for (const auto& d : probe.devices) {
        auto c = load_calibration(global.resolved_cache_dir(), d);
        out.push_back({{"index", d.index}, {"name", d.name}, {"uuid", d.uuid}, {"arch", d.arch()}, {"sm_count", d.sm_count},
                       {"memory_bytes", d.memory_bytes}, {"l2_bytes", d.l2_bytes}, {"sm_clock_khz", d.sm_clock_khz},
                       {"memory_clock_khz", d.memory_clock_khz}, {"bus_width_bits", d.bus_width_bits},
                       {"theoretical_bandwidth_bytes_per_s", d.theoretical_bandwidth()},
                       {"measured_bandwidth_bytes_per_s", c ? json(c->bandwidth) : json(nullptr)},
                       {"latency_floor_us", c && c->size_curve ? json(c->size_curve->latency_floor_us) : json(nullptr)},
                       {"driver_version", probe.driver_version}, {"runtime_version", probe.runtime_version}});
      }
      std::printf("%s\n", out.dump(2).c_str());
      return 0;
    }
    Table table({"#", "name", "arch", "SMs", "memory", "L2", "SM clock", "DRAM theoretical", "DRAM measured", "latency floor", "uuid"});
    for (const auto& d : probe.devices) {
      auto c = load_calibration(global.resolved_cache_dir(), d);
      table.add_row({std::to_string(d.index), d.name, d.arch(), std::to_string(d.sm_count),
                     format_bytes(static_cast<double>(d.memory_bytes)), format_bytes(static_cast<double>(d.l2_bytes)),
                     fmt::format("{} MHz", d.sm_clock_khz / 1000), fmt::format("{:.2f} TB/s", d.theoretical_bandwidth() / 1e12),
                     c ? fmt::format("{:.2f} TB/s ({})", c->bandwidth / 1e12, c->source) : "- (tkbench calibrate)",
                     c && c->size_curve ? fmt::format("{:.2f} µs", c->size_curve->latency_floor_us) : "-", d.uuid});
    }
    table.print(stdout, global.color_stdout());
    std::printf("driver %d.%d, CUDA runtime %d.%d\n", probe.driver_version / 1000, probe.driver_version % 1000 / 10,
                probe.runtime_version / 1000, probe.runtime_version % 1000 / 10);
    return 0;
  };
}

}  // namespace tkbench
