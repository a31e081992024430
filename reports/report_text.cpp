#include "reports/report_text.hpp"

#include <fmt/format.h>

namespace tkbench {

std::string format_us(double us) { return us < 10 ? fmt::format("{:.3f} µs", us) : fmt::format("{:.2f} µs", us); }

std::string format_pct(double pct) { return fmt::format("{:.1f}%", pct); }

std::string format_rate(double per_second, const char* unit) {
  if (per_second >= 1e15) return fmt::format("{:.0f} T{}", per_second / 1e12, unit);
  if (per_second >= 1e12) return fmt::format("{:.2f} T{}", per_second / 1e12, unit);
  if (per_second >= 1e9) return fmt::format("{:.0f} G{}", per_second / 1e9, unit);
  return fmt::format("{:.0f} M{}", per_second / 1e6, unit);
}

std::string format_driver(int version) {
  return version > 0 ? fmt::format("{}.{}", version / 1000, version % 1000 / 10) : "unknown";
}

std::string format_date(const std::string& iso) {
  // ISO 8601 UTC as tkbench writes it; anything else is shown as it is.
  if (iso.size() >= 16 && iso[10] == 'T') return iso.substr(0, 10) + " " + iso.substr(11, 5) + (iso.back() == 'Z' ? " UTC" : "");
  return iso.empty() ? "date unknown" : iso;
}

std::string document_title(const ResultDocument& doc) {
  const DeviceInfo& d = doc.peaks.device;
  return fmt::format("{} ({}), CUDA driver {}, {}", d.name, d.arch(), format_driver(doc.peaks.driver_version),
                     format_date(doc.set.created_at));
}

std::string roofs_summary(const ResultDocument& doc, DType dtype, const std::string& sep) {
  Roofs roofs = roofs_for(doc.peaks, dtype);
  std::string out = roofs.memory_measured > 0 ? fmt::format("measured copy {}", format_rate(roofs.memory_measured, "B/s"))
                                              : "not calibrated (no measured copy roof)";
  out += sep + fmt::format("theoretical DRAM {}", format_rate(roofs.memory_theoretical, "B/s"));
  if (roofs.fp32 > 0) out += sep + fmt::format("FP32 {}", format_rate(roofs.fp32, "FLOP/s"));
  if (roofs.tensor > 0) out += sep + fmt::format("{} {}", roofs.tensor_name, format_rate(roofs.tensor, "FLOP/s"));
  if (roofs.tensor_theoretical > roofs.tensor)
    out += sep + fmt::format("theoretical tensor {}", format_rate(roofs.tensor_theoretical, "FLOP/s"));
  return out;
}

std::string bound_phrase(const ReportPoint& best) {
  return fmt::format("{} of the {} roof", format_pct(best.figures.pct_of_bound), best.figures.bound_by);
}

}  // namespace tkbench
