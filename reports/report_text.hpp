#pragma once
// Wording and number formats every report format shares, so a figure reads
// the same in the terminal, in Markdown, in CSV and in HTML.
#include <string>

#include "reports/report_model.hpp"

namespace tkbench {

std::string format_us(double us);          // "33.55 µs" (3 significant decimals below 10 µs)
std::string format_pct(double pct);        // "93.1%"
std::string format_rate(double per_second, const char* unit);  // "4.31 TB/s", "66.9 TFLOP/s"
std::string format_driver(int version);    // 13000 -> "13.0"; 0 -> "unknown"
std::string format_date(const std::string& iso);  // "2026-11-22T00:57:03Z" -> "2026-11-22 00:57 UTC"

// "NVIDIA H200 (sm_90), CUDA driver 13.0, 2026-11-22 00:57 UTC"
std::string document_title(const ResultDocument& doc);
// "measured copy 4.31 TB/s · theoretical 4.81 TB/s · FP32 66.9 TFLOP/s · bf16 tensor 1071 TFLOP/s"
std::string roofs_summary(const ResultDocument& doc, DType dtype, const std::string& separator);
// The group's best in one phrase: "95.1% of the measured copy roof", led by
// "91.0% of the size-aware roof (12.3 µs for these bytes), " when it has one.
std::string bound_phrase(const ReportPoint& best);
// % of the size-aware roof, or "-" without one or a time.
std::string size_roof_pct(const RooflineFigures& f);
// "size curve 1 MiB 0.61 TB/s … 2 GiB 4.30 TB/s, latency floor 2.10 µs"; empty without a usable curve.
std::string size_curve_summary(const DevicePeaks& peaks);

}  // namespace tkbench
