#pragma once
// Output of `tkbench bench` and `tkbench calibrate`.
#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

#include "profiler/device_peaks.hpp"
#include "tuner/result.hpp"
#include "tuner/template_spec.hpp"

namespace tkbench {

struct RooflineFigures;
// The counters part of a result: DRAM traffic and efficiency, occupancy, every metric.
void print_counters(std::FILE* out, const Result& result, const RooflineFigures& figures, bool color);
void print_bench_result(std::FILE* out, const Result& result, const TemplateSpec& spec, const DevicePeaks& peaks, bool color);
// "cuBLAS 1234.5 µs (verified): this config is 102.3% of cuBLAS", or why the library has no time.
void print_library_comparison(std::FILE* out, const Result& library, const Result& kernel, const TemplateSpec& spec, bool color);
// `libraries`: the [baseline] library's results, as "baselines" (empty: left out).
nlohmann::ordered_json bench_document(const std::vector<Result>& results, const std::vector<Result>& libraries,
                                      const TemplateSpec& spec, const DevicePeaks& peaks);

void print_calibration(std::FILE* out, const DevicePeaks& peaks, bool color);

}  // namespace tkbench
