// The HTML report: one self-contained file (inline CSS, SVG and a few lines
// of JavaScript; nothing fetched), readable offline. From the top: the GPUs
// and the shape furthest from its limit; the distance to the limit per shape;
// the log-log roofline with every evaluated config; per tuning run, time
// against each parameter's value; a sortable table of every result.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reports/html_writer.hpp"
#include "reports/report_formats.hpp"
#include "reports/report_text.hpp"
#include "reports/tensor_counters.hpp"

namespace tkbench {
namespace {

const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"};
std::string group_color(std::size_t group) { return kPalette[group % (sizeof kPalette / sizeof *kPalette)]; }

std::string verdict_color(const std::string& verdict) {
  return verdict_at_limit(verdict) ? "#1a7f37" : verdict == "near the limit" ? "#9a6700" : "#cf222e";
}

// Maps [lo, hi] to pixels [from, to], on a log10 or a linear scale.
struct Scale {
  double lo, hi, from, to;
  bool log;
  double operator()(double v) const {
    double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (v - lo) / (hi - lo);
    return from + t * (to - from);
  }
};

std::string si(double value) {  // 1e12 -> "1T"
  const char* units[] = {"", "k", "M", "G", "T", "P", "E"};
  int i = 0;
  while (std::fabs(value) >= 1000 && i < 6) value /= 1000, ++i;
  return fmt::format("{:g}{}", value, units[i]);
}

std::string point_tooltip(const Report& report, const ReportPoint& p) {
  const Result& r = report.result_of(p);
  const ShapeGroup& g = report.groups[p.group];
  std::string label = report.document_label(p.document);
  const RooflineFigures& f = p.figures;
  std::string text = fmt::format("{}{}\n{}\n{} · {} · {:.2f} FLOP/B\n{} of the {} roof", label.empty() ? "" : "[" + label + "] ",
                                 g.key(), r.config.str(), format_us(r.measurement->timing->median_us), format_rate(f.bandwidth, "B/s"),
                                 f.arithmetic_intensity, format_pct(f.pct_of_bound), f.bound_by);
  if (f.pct_of_measured > 0) text += fmt::format(" · {} of measured copy", format_pct(f.pct_of_measured));
  if (f.has_size_roof())
    text += fmt::format("\n{} of the size-aware roof ({}{})", format_pct(f.pct_of_size_roof), format_us(1e6 * f.size_roof_seconds),
                        f.latency_bound ? ", latency-bound" : "");
  if (f.dram_efficiency > 0) text += fmt::format("\nDRAM efficiency {}", format_pct(100 * f.dram_efficiency));
  if (f.achieved_occupancy > 0)
    text += fmt::format(" · occupancy {:.0f}% of {:.0f}%", 100 * f.achieved_occupancy, 100 * f.theoretical_occupancy);
  if (has_tensor_counters(f)) text += "\n" + tensor_counters_summary(f);
  if (p.best) text += "\nbest of its shape";
  return text;
}

// At most `length` characters (UTF-8 aware enough for names), with an ellipsis.
std::string shorten(const std::string& text, std::size_t length) {
  if (text.size() <= length) return text;
  std::size_t cut = length - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
  return text.substr(0, cut) + "…";
}

// Spreads labels apart vertically (at least `gap` px) keeping their order.
std::vector<double> spread_labels(std::vector<double> ys, double gap, double top, double bottom) {
  std::vector<std::size_t> order(ys.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return ys[a] < ys[b]; });
  for (std::size_t k = 1; k < order.size(); ++k)
    ys[order[k]] = std::max(ys[order[k]], ys[order[k - 1]] + gap);
  if (!order.empty() && ys[order.back()] > bottom) {  // pushed off the bottom: shift everything up
    double shift = ys[order.back()] - bottom;
    for (auto& y : ys) y = std::max(top, y - shift);
  }
  return ys;
}

std::string roofline_svg(const Report& report) {
  const double W = 960, H = 560, left = 78, right = 250, top = 24, bottom = 56;
  std::vector<const ReportPoint*> drawn;
  std::size_t no_flops = 0;
  double ai_lo = 1e30, ai_hi = 0, perf_lo = 1e30;
  for (const auto& p : report.points) {
    if (!p.timed) continue;
    if (p.figures.flops <= 0) { ++no_flops; continue; }
    drawn.push_back(&p);
    ai_lo = std::min(ai_lo, p.figures.arithmetic_intensity);
    ai_hi = std::max(ai_hi, p.figures.arithmetic_intensity);
    perf_lo = std::min(perf_lo, p.figures.flop_rate);
  }
  std::string svg = fmt::format(R"~(<svg class="chart roofline" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-labelledby="roofline-title">)~",
                                W, H, W, H);
  svg += R"~(<title id="roofline-title">Roofline: performance against arithmetic intensity, log-log</title>)~";
  if (drawn.empty()) {
    svg += fmt::format(R"~(<text x="{}" y="{}" class="note">No timed result with flops to place on a roofline{}.</text></svg>)~", 20, 40,
                       no_flops ? fmt::format(" ({} pure data-movement results are in the distance chart)", no_flops) : "");
    return svg;
  }
  double max_compute = 0, min_memory = 1e30, max_ridge = 0;
  for (const auto& doc : report.documents) {
    Roofs r = roofs_for(doc.peaks, doc.set.results.empty() ? DType::bf16 : doc.set.results.front().problem.dtype);
    max_compute = std::max({max_compute, r.fp32, r.tensor});
    if (r.memory() > 0) min_memory = std::min(min_memory, r.memory());
    if (r.memory() > 0 && r.fp32 > 0) max_ridge = std::max(max_ridge, r.fp32 / r.memory());
  }
  Scale x{std::pow(10, std::floor(std::log10(ai_lo / 4))), std::pow(10, std::ceil(std::log10(std::max(ai_hi * 4, max_ridge * 3)))),
          left, W - right, true};
  Scale y{std::min(perf_lo / 3, min_memory * x.lo), std::max(max_compute * 2, perf_lo * 10), H - bottom, top, true};
  // Axes, decade grid and labels, with units.
  svg += fmt::format(R"~(<rect x="{}" y="{}" width="{}" height="{}" class="plot"/>)~", left, top, W - right - left, H - bottom - top);
  for (double v = x.lo; v <= x.hi * 1.0001; v *= 10)
    svg += fmt::format(R"~(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" class="grid"/><text x="{0}" y="{3}" class="tick" text-anchor="middle">{4}</text>)~",
                       svg_number(x(v)), top, H - bottom, H - bottom + 16, fmt::format("{:g}", v));
  for (double v = std::pow(10, std::ceil(std::log10(y.lo))); v <= y.hi * 1.0001; v *= 10)
    svg += fmt::format(R"~(<line x1="{1}" x2="{2}" y1="{0}" y2="{0}" class="grid"/><text x="{3}" y="{0}" class="tick" text-anchor="end" dy="4">{4}</text>)~",
                       svg_number(y(v)), left, W - right, left - 6, si(v));
  svg += fmt::format(R"~(<text x="{}" y="{}" class="axis" text-anchor="middle">arithmetic intensity (FLOP/byte, from the manifest's ideal bytes and flops)</text>)~",
                     svg_number((left + W - right) / 2), H - 14);
  svg += fmt::format(R"~(<text transform="translate(18 {}) rotate(-90)" class="axis" text-anchor="middle">performance (FLOP/s)</text>)~",
                     svg_number((top + H - bottom) / 2));
  // Roofs, per distinct GPU (documents from the same GPU and calibration share
  // them): memory diagonals up to the highest compute roof, compute roofs from their ridge.
  const double slope_deg = -std::atan2(std::fabs(y(10) - y(1)), std::fabs(x(10) - x(1))) * 180 / M_PI;
  struct RoofSet { Roofs roofs; std::string labels; };
  std::vector<RoofSet> roof_sets;
  for (std::size_t d = 0; d < report.documents.size(); ++d) {
    const ResultDocument& doc = report.documents[d];
    Roofs r = roofs_for(doc.peaks, doc.set.results.empty() ? DType::bf16 : doc.set.results.front().problem.dtype);
    auto same = std::find_if(roof_sets.begin(), roof_sets.end(), [&](const RoofSet& s) {
      return s.roofs.memory_measured == r.memory_measured && s.roofs.memory_theoretical == r.memory_theoretical &&
             s.roofs.fp32 == r.fp32 && s.roofs.tensor == r.tensor && s.roofs.tensor_name == r.tensor_name;
    });
    if (same != roof_sets.end()) same->labels += ", " + report.document_label(d);
    else roof_sets.push_back({r, report.document_label(d)});
  }
  svg += R"~(<g class="roofs">)~";
  for (std::size_t d = 0; d < roof_sets.size(); ++d) {
    const Roofs& r = roof_sets[d].roofs;
    std::string prefix = roof_sets.size() > 1 ? roof_sets[d].labels + ": " : "";
    std::string dash = d == 0 ? "" : R"~( stroke-dasharray="2 3")~";
    const double top_compute = std::max(r.fp32, r.tensor);
    struct MemoryRoof { double bw; std::string name, cls; double label_x; };
    std::vector<MemoryRoof> memory;
    // Labels away from the points: the measured roof's left of them, the theoretical one's right of them.
    if (r.memory_measured > 0) memory.push_back({r.memory_measured, "measured copy", "roof-measured", std::max(x.lo * 1.3, ai_lo / 6)});
    memory.push_back({r.memory_theoretical, "theoretical DRAM", "roof-theoretical", ai_hi * 2.2});
    for (const auto& roof : memory) {
      double x_end = std::min(x.hi, top_compute / roof.bw);
      svg += fmt::format(R"~(<line x1="{}" y1="{}" x2="{}" y2="{}" class="{}"{}/>)~", svg_number(x(x.lo)), svg_number(y(roof.bw * x.lo)),
                         svg_number(x(x_end)), svg_number(y(roof.bw * x_end)), roof.cls, dash);
      double lx = roof.label_x * std::pow(2.5, static_cast<double>(d));
      svg += fmt::format(R"~(<text transform="translate({} {}) rotate({})" class="roof-label {}" dy="{}">{}{} {}</text>)~",
                         svg_number(x(lx)), svg_number(y(roof.bw * lx)), svg_number(slope_deg), roof.cls,
                         roof.cls == "roof-measured" ? 13 : -5, html_escape(prefix), roof.name, format_rate(roof.bw, "B/s"));
    }
    struct ComputeRoof { double flops; std::string name; };
    for (const ComputeRoof& c : {ComputeRoof{r.fp32, "FP32"}, ComputeRoof{r.tensor, r.tensor_name}}) {
      if (c.flops <= 0 || r.memory() <= 0) continue;
      double ridge = c.flops / r.memory();
      double x0 = std::max(x.lo, std::min(ridge, x.hi));
      svg += fmt::format(R"~(<line x1="{0}" y1="{2}" x2="{1}" y2="{2}" class="roof-compute"{3}/>)~", svg_number(x(x0)), svg_number(x(x.hi)),
                         svg_number(y(c.flops)), dash);
      if (ridge > x.hi)  // the ridge is off the chart: show the roof's level across, faint, so its height still reads
        svg += fmt::format(R"~(<line x1="{0}" y1="{2}" x2="{1}" y2="{2}" class="roof-compute-far"/>)~", svg_number(x(x.lo)), svg_number(x(x.hi)),
                           svg_number(y(c.flops)));
      svg += fmt::format(R"~(<text x="{}" y="{}" class="roof-label roof-compute-label" text-anchor="end" dy="-5">{}{} {}{}</text>)~",
                         svg_number(W - right - 4), svg_number(y(c.flops)), html_escape(prefix), html_escape(c.name),
                         format_rate(c.flops, "FLOP/s"), ridge > x.hi ? fmt::format(" (ridge at {:.0f} FLOP/B)", ridge) : "");
    }
  }
  svg += "</g>";
  // Every timed config as a point; the best of each shape larger, outlined and labelled.
  svg += R"~(<g class="points">)~";
  std::vector<const ReportPoint*> bests;
  for (const ReportPoint* p : drawn) {
    if (p->best) { bests.push_back(p); continue; }
    svg += fmt::format(R"~(<circle class="point" id="p{}" cx="{}" cy="{}" r="3" fill="{}"{}><title>{}</title></circle>)~",
                       p - report.points.data(), svg_number(x(p->figures.arithmetic_intensity)), svg_number(y(p->figures.flop_rate)),
                       p->document == 0 ? group_color(p->group) : "none",
                       p->document == 0 ? "" : fmt::format(R"~( stroke="{}")~", group_color(p->group)),
                       html_escape(point_tooltip(report, *p)));
  }
  std::vector<double> label_ys;
  for (const ReportPoint* p : bests) label_ys.push_back(y(p->figures.flop_rate) + 4);
  label_ys = spread_labels(label_ys, 13, top + 10, H - bottom - 4);
  for (std::size_t i = 0; i < bests.size(); ++i) {
    const ReportPoint* p = bests[i];
    double px = x(p->figures.arithmetic_intensity), py = y(p->figures.flop_rate);
    const ShapeGroup& g = report.groups[p->group];
    std::string label = report.document_label(p->document);
    double lx = std::min(px + 60, W - right - 150);
    svg += fmt::format(R"~(<circle class="point best" id="p{}" cx="{}" cy="{}" r="6" fill="{}" stroke="#111" stroke-width="1.5"><title>{}</title></circle>)~",
                       p - report.points.data(), svg_number(px), svg_number(py), p->document == 0 ? group_color(p->group) : "#fff",
                       html_escape(point_tooltip(report, *p)));
    svg += fmt::format(R"~(<line x1="{}" y1="{}" x2="{}" y2="{}" class="leader"/><text x="{}" y="{}" class="best-label" fill="{}">{}{} {}</text>)~",
                       svg_number(px + 7), svg_number(py), svg_number(lx - 3), svg_number(label_ys[i] - 4), svg_number(lx),
                       svg_number(label_ys[i]), verdict_color(g.verdict), label.empty() ? "" : "[" + label + "] ",
                       html_escape(g.problem.shape_str() + " " + std::string(dtype_info(g.problem.dtype).name)),
                       format_pct(p->figures.pct_of_bound));
  }
  svg += "</g>";
  // Legend: shapes by colour, roofs by line.
  double ly = top + 6;
  svg += fmt::format(R"~(<g class="legend"><text x="{}" y="{}" class="legend-title">shapes (best: outlined)</text>)~", W - right + 14, ly + 8);
  ly += 22;
  for (std::size_t i = 0; i < report.groups.size() && ly < H - 120; ++i, ly += 17) {
    const ShapeGroup& g = report.groups[i];
    std::string label = report.document_label(g.document);
    svg += fmt::format(R"~(<circle cx="{}" cy="{}" r="5" fill="{}"{}/><text x="{}" y="{}">{}{}</text>)~", W - right + 20, svg_number(ly),
                       g.document == 0 ? group_color(i) : "none", g.document == 0 ? "" : fmt::format(R"~( stroke="{}")~", group_color(i)),
                       W - right + 30, svg_number(ly + 4), label.empty() ? "" : "[" + label + "] ", html_escape(shorten(g.key(), 34)));
  }
  ly += 10;
  for (auto [cls, name] : {std::pair{"roof-measured", "memory roof: measured copy"}, std::pair{"roof-theoretical", "memory roof: theoretical"},
                           std::pair{"roof-compute", "compute roofs"}}) {
    svg += fmt::format(R"~(<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" class="{3}"/><text x="{4}" y="{5}">{6}</text>)~", W - right + 12,
                       W - right + 32, svg_number(ly), cls, W - right + 38, svg_number(ly + 4), name);
    ly += 17;
  }
  svg += "</g>";
  if (no_flops)
    svg += fmt::format(R"~(<text x="{}" y="{}" class="note">{} results with no flops (pure data movement) are in the distance chart only.</text>)~",
                       left + 6, top + 14, no_flops);
  return svg + "</svg>";
}

// One row per shape, furthest from its bound first: every config as a dot
// at its % of the bound, the best as a large marker, the theoretical memory
// roof as a tick (it sits above 100% of the measured one).
std::string distance_svg(const Report& report) {
  std::vector<std::size_t> order(report.groups.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto pct = [&](std::size_t i) {
    const ReportPoint* b = best_point(report, report.groups[i]);
    return b ? b->figures.pct_of_bound : -1.0;
  };
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return pct(a) < pct(b); });
  double x_max = 110;
  for (const auto& p : report.points)
    if (p.timed) x_max = std::max(x_max, p.figures.pct_of_bound + 5);
  for (const auto& doc : report.documents)
    if (doc.peaks.measured_bandwidth() > 0) x_max = std::max(x_max, 100 * doc.peaks.theoretical_bandwidth / doc.peaks.measured_bandwidth() + 4);
  x_max = std::ceil(x_max / 10) * 10;
  const double W = 960, left = 210, right = 330, top = 26, row = 28, bottom = 44;
  const double H = top + row * static_cast<double>(order.size()) + bottom;
  Scale x{0, x_max, left, W - right, false};
  std::string svg = fmt::format(R"~(<svg class="chart distance" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-labelledby="distance-title">)~",
                                W, svg_number(H), W, svg_number(H));
  svg += R"~(<title id="distance-title">Distance to the limit: % of the binding roof per shape</title>)~";
  svg += fmt::format(R"~(<rect x="{}" y="{}" width="{}" height="{}" class="plot"/>)~", left, top, W - right - left, svg_number(H - top - bottom));
  for (double v = 0; v <= x_max + 0.001; v += 10)
    svg += fmt::format(R"~(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" class="grid"/><text x="{0}" y="{3}" class="tick" text-anchor="middle">{4}%</text>)~",
                       svg_number(x(v)), top, svg_number(H - bottom), svg_number(H - bottom + 16), v);
  svg += fmt::format(R"~(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" class="roof-measured"/><text x="{0}" y="{3}" class="roof-label" text-anchor="middle">bound (100%)</text>)~",
                     svg_number(x(100)), top, svg_number(H - bottom), top - 8);
  svg += fmt::format(R"~(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" class="limit-line"><title>{3:.0f}%: at the limit</title></line>)~",
                     svg_number(x(kAtLimitPct)), top, svg_number(H - bottom), kAtLimitPct);
  svg += fmt::format(R"~(<text x="{}" y="{}" class="axis" text-anchor="middle">% of the binding roof (measured copy bandwidth for memory-bound shapes)</text>)~",
                     svg_number((left + W - right) / 2), svg_number(H - 8));
  for (std::size_t k = 0; k < order.size(); ++k) {
    const ShapeGroup& g = report.groups[order[k]];
    const double cy = top + row * (static_cast<double>(k) + 0.5);
    std::string label = report.document_label(g.document);
    std::string name = (label.empty() ? "" : "[" + label + "] ") + g.key();
    svg += fmt::format(R"~(<g class="shape-row"><text x="{}" y="{}" class="row-label" text-anchor="end"><title>{}</title>{}</text>)~", left - 8,
                       svg_number(cy + 4), html_escape(name), html_escape(shorten(name, 32)));
    const ReportPoint* best = best_point(report, g);
    if (best && !best->figures.compute_bound && report.documents[g.document].peaks.measured_bandwidth() > 0) {
      const auto& peaks = report.documents[g.document].peaks;
      double theoretical = 100 * peaks.theoretical_bandwidth / peaks.measured_bandwidth();
      svg += fmt::format(R"~(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" class="roof-theoretical"><title>theoretical DRAM bandwidth: {3} of the measured copy</title></line>)~",
                         svg_number(x(theoretical)), svg_number(cy - 9), svg_number(cy + 9), format_pct(theoretical));
    }
    for (std::size_t index : g.points) {
      const ReportPoint& p = report.points[index];
      if (!p.timed || p.best) continue;
      svg += fmt::format(R"~(<circle class="dot" cx="{}" cy="{}" r="2.5" fill="{}"><title>{}</title></circle>)~",
                         svg_number(x(std::min(p.figures.pct_of_bound, x_max))), svg_number(cy), group_color(p.group),
                         html_escape(point_tooltip(report, p)));
    }
    if (best) {
      svg += fmt::format(R"~(<circle class="dot best" cx="{}" cy="{}" r="7" fill="{}" stroke="#111" stroke-width="1.5"><title>{}</title></circle>)~",
                         svg_number(x(std::min(best->figures.pct_of_bound, x_max))), svg_number(cy), verdict_color(g.verdict),
                         html_escape(point_tooltip(report, *best)));
      const std::string sized = best->figures.has_size_roof() ? fmt::format(" · {} of size roof", size_roof_pct(best->figures)) : "";
      svg += fmt::format(R"~(<text x="{}" y="{}" class="row-verdict" fill="{}">{}{} · {}</text>)~", W - right + 10, svg_number(cy + 4),
                         verdict_color(g.verdict), format_pct(best->figures.pct_of_bound), sized, g.verdict);
    } else {
      svg += fmt::format(R"~(<text x="{}" y="{}" class="row-verdict" fill="{}">no valid config ({} failed)</text>)~", W - right + 10,
                         svg_number(cy + 4), verdict_color(g.verdict), g.failed);
    }
    svg += "</g>";
  }
  return svg + "</svg>";
}

// Time against one parameter's value for one tuning run: every config as a
// dot, the best per value joined by a line. A flat line: the knob does not matter.
std::string parameter_svg(const Report& report, const ShapeGroup& g, const ParameterEffect& e) {
  const double W = std::max(230.0, 84 + 30 * static_cast<double>(e.values.size())), H = 160, left = 52, right = 10, top = 22, bottom = 34;
  double lo = 1e30, hi = 0;
  for (std::size_t index : g.points) {
    const ReportPoint& p = report.points[index];
    if (!p.timed) continue;
    double us = report.result_of(p).measurement->timing->median_us;
    lo = std::min(lo, us), hi = std::max(hi, us);
  }
  if (hi <= 0) return "";
  double pad = std::max((hi - lo) * 0.08, hi * 0.01);
  Scale y{std::max(0.0, lo - pad), hi + pad, H - bottom, top, false};
  const std::size_t n = e.values.size();
  auto px = [&](std::size_t i) { return n == 1 ? (left + W - right) / 2 : left + 10 + (W - right - left - 20) * static_cast<double>(i) / (n - 1); };
  std::string svg = fmt::format(R"~(<svg class="chart param" viewBox="0 0 {0} {1}" width="{0}" height="{1}" role="img"><title>{2}: best time per value of {3}</title>)~",
                                W, H, html_escape(g.key()), html_escape(e.name));
  svg += fmt::format(R"~(<rect x="{}" y="{}" width="{}" height="{}" class="plot"/>)~", left, top, W - right - left, H - bottom - top);
  svg += fmt::format(R"~(<text x="{}" y="14" class="param-title" text-anchor="middle">{} <tspan class="swing">(best varies {:.0f}%)</tspan></text>)~",
                     svg_number((left + W - right) / 2), html_escape(e.name), 100 * e.swing);
  for (int t = 0; t <= 2; ++t) {
    double v = y.lo + (y.hi - y.lo) * t / 2;
    svg += fmt::format(R"~(<text x="{}" y="{}" class="tick" text-anchor="end" dy="3">{:.{}f}</text>)~", left - 4, svg_number(y(v)), v,
                       y.hi - y.lo < 3 ? 2 : 1);
  }
  svg += fmt::format(R"~(<text transform="translate(11 {}) rotate(-90)" class="axis" text-anchor="middle">time (µs)</text>)~",
                     svg_number((top + H - bottom) / 2));
  svg += fmt::format(R"~(<text x="{}" y="{}" class="axis" text-anchor="middle">{}</text>)~", svg_number((left + W - right) / 2), H - 4,
                     html_escape(e.name));
  std::string line;
  for (std::size_t i = 0; i < n; ++i) {
    svg += fmt::format(R"~(<text x="{}" y="{}" class="tick" text-anchor="middle">{}</text>)~", svg_number(px(i)), H - bottom + 13, e.values[i].value);
    if (e.values[i].configs) line += fmt::format("{}{},{}", line.empty() ? "" : " ", svg_number(px(i)), svg_number(y(e.values[i].best_us)));
  }
  for (std::size_t index : g.points) {
    const ReportPoint& p = report.points[index];
    if (!p.timed) continue;
    const Result& r = report.result_of(p);
    long long v = r.config.at(e.name);
    std::size_t i = 0;
    while (i < n && e.values[i].value != v) ++i;
    if (i == n) continue;
    svg += fmt::format(R"~(<circle cx="{}" cy="{}" r="2" class="param-dot"><title>{} · {}</title></circle>)~", svg_number(px(i)),
                       svg_number(y(r.measurement->timing->median_us)), html_escape(r.config.str()), format_us(r.measurement->timing->median_us));
  }
  if (!line.empty()) svg += fmt::format(R"~(<polyline points="{}" class="param-best" stroke="{}"/>)~", line, group_color(report.points[g.points.front()].group));
  return svg + "</svg>";
}

std::string cell(const std::string& text, const std::string& sort_value = "", const std::string& cls = "") {
  return fmt::format("<td{}{}>{}</td>", sort_value.empty() ? "" : fmt::format(R"~( data-v="{}")~", html_escape(sort_value)),
                     cls.empty() ? "" : fmt::format(R"~( class="{}")~", cls), html_escape(text));
}

// "0000004096x0000008192": sorts as text in numeric order.
std::string padded_shape(const Problem& problem) {
  std::string out;
  for (long long d : problem.dims) out += fmt::format("{}{:010}", out.empty() ? "" : "x", d);
  return out;
}

std::string results_table(const Report& report) {
  std::string out = R"~(<table class="sortable results"><thead><tr>)~";
  struct Column { const char* name; bool numeric; const char* help; };
  const Column columns[] = {{"doc", false, "results document"}, {"template", false, ""}, {"shape", false, ""}, {"dtype", false, ""},
                            {"config", false, ""}, {"status", false, ""}, {"time (µs)", true, "median per launch"},
                            {"GB/s", true, "ideal bytes / median time"}, {"% of copy", true, "of the measured copy bandwidth"},
                            {"% of size roof", true, "of a copy of the same bytes, never under the latency floor"},
                            {"% of bound", true, "of the roof that binds at this intensity"}, {"bound by", false, ""},
                            {"DRAM eff.", true, "ideal / measured DRAM bytes (counters)"},
                            {"occupancy", true, "achieved (counters) / theoretical"}, {"regs", true, "registers per thread"}};
  for (const auto& c : columns)
    out += fmt::format(R"~(<th data-type="{}"{}>{}</th>)~", c.numeric ? "num" : "text",
                       *c.help ? fmt::format(R"~( title="{}")~", c.help) : "", c.name);
  out += "</tr></thead><tbody>";
  for (std::size_t i = 0; i < report.points.size(); ++i) {
    const ReportPoint& p = report.points[i];
    const Result& r = report.result_of(p);
    const RooflineFigures& f = p.figures;
    std::string doc = report.documents.size() > 1 ? report.document_label(p.document) : report.documents[p.document].path;
    out += fmt::format(R"~(<tr data-point="p{}"{}{}>)~", i, p.best ? R"~( class="best")~" : "",
                       r.reason.empty() ? "" : fmt::format(R"~( title="{}")~", html_escape(r.reason.substr(0, 400))));
    out += cell(doc) + cell(r.template_name) + cell(r.problem.shape_str(), padded_shape(r.problem)) +
           cell(std::string(dtype_info(r.problem.dtype).name)) + cell(r.config.str()) +
           cell(std::string(status_name(r.status)), "", r.status == Status::ok ? "" : "bad");
    if (p.timed) {
      double us = r.measurement->timing->median_us;
      out += cell(fmt::format("{:.3f}", us), fmt::format("{}", us)) + cell(fmt::format("{:.0f}", f.bandwidth / 1e9), fmt::format("{}", f.bandwidth)) +
             cell(f.pct_of_measured > 0 ? format_pct(f.pct_of_measured) : "-", fmt::format("{}", f.pct_of_measured)) +
             cell(size_roof_pct(f), fmt::format("{}", f.pct_of_size_roof)) +
             cell(format_pct(f.pct_of_bound), fmt::format("{}", f.pct_of_bound)) + cell(f.bound_by);
    } else {
      out += cell("-", "") + cell("-", "") + cell("-", "") + cell("-", "") + cell("-", "") + cell("-");
    }
    out += cell(f.dram_efficiency > 0 ? format_pct(100 * f.dram_efficiency) : "-", fmt::format("{}", f.dram_efficiency));
    out += cell(f.achieved_occupancy > 0 ? fmt::format("{:.0f}% / {:.0f}%", 100 * f.achieved_occupancy, 100 * f.theoretical_occupancy)
                                         : f.theoretical_occupancy > 0 ? fmt::format("- / {:.0f}%", 100 * f.theoretical_occupancy) : "-",
                fmt::format("{}", f.achieved_occupancy > 0 ? f.achieved_occupancy : f.theoretical_occupancy));
    out += cell(r.compile ? std::to_string(r.compile->resources.registers) : "-", r.compile ? std::to_string(r.compile->resources.registers) : "");
    out += "</tr>";
  }
  return out + "</tbody></table>";
}

const char* const kStyle = R"~(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;margin:24px auto;max-width:1000px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px;border-bottom:1px solid #d0d7de;padding-bottom:3px}
.sub{color:#57606a;margin:2px 0}.callout{border-left:5px solid #cf222e;background:#fff5f5;padding:8px 12px;margin:14px 0;font-size:15px}
.callout.ok{border-color:#1a7f37;background:#f0fff4}.verdicts{margin:6px 0;padding-left:20px}.verdicts li{margin:2px 0}
.chart{display:block;max-width:100%;height:auto;font-size:11px}.plot{fill:#fff;stroke:#8c959f}.grid{stroke:#eaeef2}
.tick{fill:#57606a;font-size:10.5px}.axis{fill:#24292f;font-size:12px}.note{fill:#57606a;font-size:12px}
.roof-measured{stroke:#0969da;stroke-width:2.2}.roof-theoretical{stroke:#0969da;stroke-width:1.4;stroke-dasharray:6 4}
.roof-compute{stroke:#8250df;stroke-width:2}.roof-compute-far{stroke:#8250df;stroke-width:1;stroke-dasharray:1 5;opacity:.6}
.roof-label{font-size:11px;fill:#0969da}text.roof-label{stroke:none}.roof-compute-label{fill:#8250df}
.limit-line{stroke:#1a7f37;stroke-dasharray:3 3}.point{opacity:.55}.point.best{opacity:1}.point.hl,.dot.hl{stroke:#000;stroke-width:2.5;opacity:1}
.leader{stroke:#8c959f;stroke-width:.8}.best-label{font-size:11.5px;font-weight:600}.legend text{font-size:11px;fill:#24292f}
.legend-title{font-weight:600}.dot{opacity:.45}.dot.best{opacity:1}.row-label{font-size:12px;fill:#24292f}.row-verdict{font-size:12px;font-weight:600}
.params{display:flex;flex-wrap:wrap;gap:4px}.param-title{font-size:12px;font-weight:600}.swing{font-weight:400;fill:#57606a}
.param-dot{fill:#8c959f;opacity:.6}.param-best{fill:none;stroke-width:2}
table.results{border-collapse:collapse;font-size:12px;width:100%}table.results th,table.results td{border-bottom:1px solid #eaeef2;padding:3px 6px;text-align:right;white-space:nowrap}
table.results th:nth-child(-n+6),table.results td:nth-child(-n+6),table.results td:nth-child(11){text-align:left}
table.results th{cursor:pointer;background:#f6f8fa;position:sticky;top:0}table.results th.asc::after{content:" ▲"}table.results th.desc::after{content:" ▼"}
table.results tr.best td{font-weight:600;background:#f0fff4}table.results td.bad{color:#cf222e}table.results tr:hover td{background:#fff8c5}
.tablewrap{max-height:640px;overflow:auto;border:1px solid #d0d7de}footer{color:#57606a;font-size:12px;margin-top:24px}
)~";

// Sorting, and linking table rows to their points. Errors are recorded on
// <body data-errors> so a headless check can see them.
const char* const kScript = R"~(
(function () {
  window.addEventListener('error', function (e) { document.body.setAttribute('data-errors', String(e.message)); });
  function value(row, col, numeric) {
    var c = row.cells[col], v = c.hasAttribute('data-v') ? c.getAttribute('data-v') : c.textContent;
    if (!numeric) return v;
    var n = parseFloat(v);
    return isNaN(n) ? -Infinity : n;
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener('click', function () {
        var numeric = th.getAttribute('data-type') === 'num';
        var dir = th.classList.contains('asc') ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.classList.remove('asc', 'desc'); });
        th.classList.add(dir === 1 ? 'asc' : 'desc');
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = value(a, col, numeric), y = value(b, col, numeric);
          return dir * (numeric ? x - y : String(x).localeCompare(String(y)));
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var point = document.getElementById(row.getAttribute('data-point'));
      if (!point) return;
      row.addEventListener('mouseenter', function () { point.classList.add('hl'); });
      row.addEventListener('mouseleave', function () { point.classList.remove('hl'); });
    });
  });
  document.body.setAttribute('data-ready', '1');
})();
)~";

}  // namespace

std::string render_html(const Report& report) {
  std::string title = "tkbench roofline report";
  if (!report.documents.empty()) title += " — " + report.documents.front().peaks.device.name;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out += fmt::format("<title>{}</title><style>{}</style></head><body>\n", html_escape(title), kStyle);
  out += "<h1>tkbench roofline report</h1>\n";
  for (std::size_t d = 0; d < report.documents.size(); ++d) {
    const ResultDocument& doc = report.documents[d];
    std::string label = report.document_label(d);
    DType dtype = doc.set.results.empty() ? DType::bf16 : doc.set.results.front().problem.dtype;
    out += fmt::format("<p class=\"sub\"><b>{}{}</b> — {} results from <code>{}</code><br>roofs: {}</p>\n",
                       label.empty() ? "" : "[" + label + "] ", html_escape(document_title(doc)), doc.set.results.size(),
                       html_escape(doc.path), html_escape(roofs_summary(doc, dtype, " · ")));
  }
  if (report.furthest) {
    const ShapeGroup& g = report.groups[*report.furthest];
    const ReportPoint& best = *best_point(report, g);
    std::string label = report.document_label(g.document);
    out += fmt::format("<div class=\"callout{}\"><b>Furthest from the limit:</b> {}{} at <b>{}</b> — {}.</div>\n",
                       verdict_at_limit(g.verdict) ? " ok" : "", html_escape(g.key()), label.empty() ? "" : " [" + label + "]",
                       html_escape(bound_phrase(best)), html_escape(g.why));
  }
  out += "<h2>Distance to the limit, per shape</h2>\n<p class=\"sub\">Each row is one tuning run; every evaluated config is a dot, "
         "the best one the large marker (green ≥ 95%, amber ≥ 85%, red below; the dotted green line is 95%). The dashed blue tick is the theoretical DRAM "
         "bandwidth, which a copy never reaches.</p>\n";
  out += distance_svg(report) + "\n<ul class=\"verdicts\">";
  for (const auto& g : report.groups) {
    std::string label = report.document_label(g.document);
    const ReportPoint* best = best_point(report, g);
    out += fmt::format("<li><span style=\"color:{}\">●</span> <b>{}{}</b>: {}{} — {}</li>", verdict_color(g.verdict), html_escape(g.key()),
                       label.empty() ? "" : " [" + label + "]", g.verdict, best ? ", " + html_escape(bound_phrase(*best)) : "",
                       html_escape(g.why));
  }
  out += "</ul>\n<h2>Roofline</h2>\n<p class=\"sub\">Log-log. Memory roofs: the copy bandwidth measured on this GPU (solid) "
         "and the theoretical DRAM peak (dashed); compute roofs: FP32 and the tensor pipe of the dtype. Hover a point for its config "
         "and figures.</p>\n";
  out += roofline_svg(report) + "\n";
  out += "<h2>Which parameters matter</h2>\n<p class=\"sub\">Per tuning run, time against each parameter's value: grey dots "
         "are configs, the line joins the best per value. Parameters with the largest swing first.</p>\n";
  for (const auto& g : report.groups) {
    if (g.parameters.empty() || !g.best) continue;
    std::string label = report.document_label(g.document);
    out += fmt::format("<h3 style=\"font-size:14px;margin:12px 0 2px\">{}{}</h3><div class=\"params\">", html_escape(g.key()),
                       label.empty() ? "" : " [" + label + "]");
    for (const auto& e : g.parameters) out += parameter_svg(report, g, e);
    out += "</div>\n";
  }
  out += fmt::format("<h2>Every result ({})</h2>\n<p class=\"sub\">Click a header to sort. Failed configs have no time; hover "
                     "them for the reason.</p>\n<div class=\"tablewrap\">{}</div>\n",
                     report.points.size(), results_table(report));
  out += "<footer>Made by <code>tkbench report</code> from results documents; self-contained, no network needed.</footer>\n";
  out += fmt::format("<script>{}</script>\n</body></html>\n", kScript);
  return out;
}

}  // namespace tkbench
