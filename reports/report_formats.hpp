#pragma once
// The formats `tkbench report` writes. Each renders the same Report model;
// output is deterministic (document order, fixed number formats) so golden
// files can pin it.
#include <string>

#include <nlohmann/json.hpp>

#include "reports/report_model.hpp"

namespace tkbench {

std::string render_terminal(const Report& report, bool color);   // report_terminal.cpp
std::string render_markdown(const Report& report);               // report_markdown.cpp: a PR comment
std::string render_csv(const Report& report);                    // report_csv.cpp: one row per result
nlohmann::ordered_json render_json(const Report& report);        // report_json.cpp: "tkbench.report/1"
std::string render_html(const Report& report);                   // report_html.cpp: one self-contained file

}  // namespace tkbench
