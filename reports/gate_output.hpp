#pragma once
// The gate's verdict for people and CI systems: a terminal table, JUnit XML
// (one test case per gated entry), a Markdown summary for PR comments, and
// JSON ("schema": "tkbench.gate/1"). All read only the GateReport.
#include <cstdio>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reports/gate_compare.hpp"

namespace tkbench {

// "FAIL: 1 regression, 1 below floor (6 entries: 4 ok, 1 regression, 1 only in baseline)"
std::string gate_summary_line(const GateReport& report);

// The table, the reasons behind every verdict that is not plain ok, and the
// summary line. The table has each shape's best and the entries that need a
// look (failures, regressions, noise, one side only); `verbose`: every entry.
void print_gate_report(std::FILE* out, const GateReport& report, bool color, bool verbose);

std::string gate_junit_xml(const GateReport& report);
std::string gate_markdown(const GateReport& report);
nlohmann::ordered_json gate_json(const GateReport& report);

// Text made safe for XML attributes and content: the five entities escaped,
// control characters that XML 1.0 forbids dropped.
std::string xml_escape(std::string_view text);

}  // namespace tkbench
