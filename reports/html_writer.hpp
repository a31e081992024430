#pragma once
// Small helpers for writing HTML and SVG by hand: escaping (every piece of
// text from manifests and results goes through html_escape) and number
// formatting that keeps SVG coordinates short and deterministic.
#include <string>
#include <string_view>

namespace tkbench {

// & < > " ' -> entities: safe in element text and in quoted attributes.
std::string html_escape(std::string_view text);
// A coordinate with one decimal: "12.5".
std::string svg_number(double value);

}  // namespace tkbench
