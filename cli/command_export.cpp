// `tkbench export results.json --format header|json`: best configs per shape.
#include "cli/commands.hpp"
#include "reports/export.hpp"
#include "tuner/errors.hpp"
#include "tuner/output_file.hpp"

namespace tkbench {

CommandRunner add_export_command(CLI::App& app, const GlobalOptions& global) {
  struct Args {
    std::vector<std::string> documents;
    std::string format = "header", output;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("export", "Best config per shape from results documents: a C++ dispatch header or JSON");
  cmd->add_option("documents", args->documents, "Results documents written by `tkbench tune`")->required();
  cmd->add_option("--format", args->format, "header: self-contained C++17 header; json: for other tooling")
      ->check(CLI::IsMember({"header", "json"}))->default_val("header");
  cmd->add_option("-o,--output", args->output, "Write here instead of stdout (see below)");
  cmd->footer(std::string(R"(
The header has, per template and dtype, a constexpr table of the fastest
verified config per tuned shape and lookup(shape), which picks the nearest tuned
shape. It needs only the C++17 standard library.

)" + std::string(kOutputPathHelp) + R"(

Example:
  tkbench export tkbench-results/rmsnorm.json -o tuned.hpp)"));
  return [&global, args]() -> int {
    if (!args->output.empty()) check_output_path(args->output);
    nlohmann::ordered_json device;
    auto entries = best_per_shape(args->documents, &device);
    std::string text = args->format == "header" ? export_header(entries, device, args->documents)
                                                : export_json(entries, device).dump(2) + "\n";
    if (args->output.empty()) {
      std::fputs(text.c_str(), stdout);
      return kExitOk;
    }
    write_output_file(args->output, text);
    if (!global.quiet) std::fprintf(stderr, "wrote %zu tuned shapes to %s\n", entries.size(), args->output.c_str());
    return kExitOk;
  };
}

}  // namespace tkbench
