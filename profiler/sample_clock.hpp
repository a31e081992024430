#pragma once
// The SM clock over one timed sample, from the clock probe
// (templates/runtime/runtime.cu) launched just before and just after it: one
// block per SM reads its SM's cycle counter and the global timer, and each SM
// read both times gives cycles over nanoseconds. NVML's reading, taken once
// the sample's kernel has ended, says little about a 3-6 ms GEMM that ran at
// the power cap (bench/results/2026-12-07f-h100). Pure logic: tested without a GPU.
#include <optional>
#include <span>

namespace tkbench {

// One SM's reading; the probe writes it at the SM's index.
struct ClockReading {
  unsigned long long ns = 0;      // %globaltimer
  unsigned long long cycles = 0;  // clock64() on that SM
  unsigned long long seq = 0;     // the probe launch that wrote it: older readings are not paired
};

// The probe's slots: readings for SM indexes below this (%smid can exceed the
// SM count where SMs are fused off; an H100 has 132 of 144).
constexpr int kClockProbeSlots = 256;

// The SM clock averaged over the sample, in MHz: the median over the SMs read
// by both probe launches (`seq` and `seq + 1`), each cycles over nanoseconds.
// nullopt where no SM was read twice, no time passed, or every figure lies
// outside 50 MHz .. 1.5x `max_mhz` (a counter reset).
std::optional<int> average_mhz(std::span<const ClockReading> before, std::span<const ClockReading> after,
                               unsigned long long seq, int max_mhz);

}  // namespace tkbench
