// `tkbench report FILE... [-o report.html|.md|.csv|.json]`: roofline reports
// from results documents, on any machine (no GPU needed).
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "reports/report_formats.hpp"
#include "tuner/errors.hpp"
#include "tuner/output_file.hpp"

namespace tkbench {
namespace {

// The format from --format, else from the output's extension.
std::string pick_format(const std::string& format, const std::string& output) {
  if (!format.empty()) return format;
  std::string ext = std::filesystem::path(output).extension().string();
  if (ext == ".html" || ext == ".htm") return "html";
  if (ext == ".md" || ext == ".markdown") return "md";
  if (ext == ".csv") return "csv";
  if (ext == ".json") return "json";
  throw InputError(fmt::format("-o {}: cannot tell the format from '{}'; use .html, .md, .csv or .json, or --format", output,
                               ext.empty() ? "(no extension)" : ext));
}

}  // namespace

CommandRunner add_report_command(CLI::App& app, const GlobalOptions& global) {
  struct Args {
    std::vector<std::string> documents;
    std::string output, format;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("report", "Roofline report from results documents: terminal, Markdown, CSV, JSON or HTML");
  cmd->add_option("documents", args->documents, "Results documents (tkbench tune -o FILE); several are shown side by side")
      ->required();
  cmd->add_option("-o,--output", args->output, "Write the report here; the extension picks the format (see below)");
  cmd->add_option("--format", args->format, "html, md, csv, json or text, whatever the extension")
      ->check(CLI::IsMember({"html", "md", "csv", "json", "text"}));
  cmd->footer(std::string(R"(
Where each tuned shape stands against the limits of the GPU it ran on: the
copy bandwidth tkbench measured there (tkbench calibrate) and the theoretical
DRAM peak, the FP32 roof and the tensor roof of the dtype. Each shape gets the
% of the roof that binds at its arithmetic intensity, a verdict (at the limit
>= 95%, near >= 85%, far below), and one sentence on what is in the way (DRAM
efficiency and occupancy when the run had --counters, else footprint and
duration). The shape furthest from its limit is named first.

Formats:
  (no -o)       a table in the terminal (--json: the JSON report on stdout)
  report.html   one self-contained page, works offline: distance to the limit per
                shape, the log-log roofline with every config (hover for figures),
                time against each parameter, a sortable table of every result
  report.md     a PR comment: a table and a one-line verdict per shape
  report.csv    one row per result, flat columns (each parameter its own column)
  report.json   the computed report ("schema": "tkbench.report/1")

Several documents (two GPUs, or before/after a change) are labelled A, B, ...
and compared side by side with the speedup against A.

)" + std::string(kOutputPathHelp) + R"(

Examples:
  tkbench report tkbench-results/rmsnorm.json
  tkbench report rmsnorm.json -o report.html
  tkbench report before.json after.json -o comparison.md)"));
  return [&global, args]() -> int {
    std::vector<ResultDocument> documents;
    for (const auto& path : args->documents) documents.push_back(load_result_document(path));
    Report report = build_report(std::move(documents));
    if (!args->output.empty()) check_output_path(args->output);
    const std::string format = args->output.empty() ? (args->format.empty() ? (global.json ? "json" : "text") : args->format)
                                                    : pick_format(args->format, args->output);
    std::string text;
    if (format == "html") text = render_html(report);
    else if (format == "md") text = render_markdown(report);
    else if (format == "csv") text = render_csv(report);
    else if (format == "json") text = render_json(report).dump(2) + "\n";
    else text = render_terminal(report, args->output.empty() && global.color_stdout());
    if (args->output.empty()) {
      std::fputs(text.c_str(), stdout);
      return kExitOk;
    }
    write_output_file(args->output, text);
    if (!global.quiet)
      std::fprintf(stderr, "wrote %s: %zu results, %zu shapes, from %zu document%s\n", args->output.c_str(), report.points.size(),
                   report.groups.size(), report.documents.size(), report.documents.size() == 1 ? "" : "s");
    return kExitOk;
  };
}

}  // namespace tkbench
