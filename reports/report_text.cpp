#include "reports/report_text.hpp"

#include <fmt/format.h>

#include "tuner/format_bytes.hpp"

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
  if (std::string curve = size_curve_summary(doc.peaks); !curve.empty()) out += sep + curve;
  return out;
}

std::string bound_phrase(const ReportPoint& best) {
  const RooflineFigures& f = best.figures;
  std::string large = fmt::format("{} of the {} roof", format_pct(f.pct_of_bound), f.bound_by);
  if (!f.has_size_roof()) return large;
  return fmt::format("{} of the size-aware roof ({} for these bytes), {}", format_pct(f.pct_of_size_roof),
                     format_us(1e6 * f.size_roof_seconds), large);
}

std::string size_roof_pct(const RooflineFigures& f) {
  return f.has_size_roof() && f.seconds > 0 ? format_pct(f.pct_of_size_roof) : "-";
}

std::string size_curve_summary(const DevicePeaks& peaks) {
  if (!peaks.size_curve()) return "";
  const BandwidthCurve& c = *peaks.size_curve();
  return fmt::format("size curve {} {} … {} {}, latency floor {}", format_bytes(c.points.front().bytes),
                     format_rate(c.points.front().bandwidth, "B/s"), format_bytes(c.points.back().bytes),
                     format_rate(c.points.back().bandwidth, "B/s"), format_us(c.latency_floor_us));
}

}  // namespace tkbench
