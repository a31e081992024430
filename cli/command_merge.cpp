// `tkbench merge A.json B.json ... -o all.json`: the documents of one search
// run as several jobs (--shard parts, shapes per node, GPUs per host) made
// into one, its bests (per shape, among GPUs of one model) in the tuning cache.
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "reports/gpu_agreement.hpp"
#include "reports/terminal.hpp"
#include "tuner/diagnostics.hpp"
#include "tuner/errors.hpp"
#include "tuner/file_util.hpp"
#include "tuner/output_file.hpp"
#include "tuner/result_json.hpp"
#include "tuner/results_merge.hpp"
#include "tuner/time_util.hpp"

namespace tkbench {

CommandRunner add_merge_command(CLI::App& app, const GlobalOptions& global) {
  struct Args {
    std::vector<std::string> documents;
    std::string output;
    bool no_cache = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("merge", "Join results documents (tune --shard parts, jobs per node) into one; fill the tuning cache");
  cmd->add_option("documents", args->documents, "Results documents written by `tkbench tune`")->required();
  cmd->add_option("-o,--output", args->output, "The merged results document")->required();
  cmd->add_flag("--no-cache", args->no_cache, "Leave the tuning cache alone");
  cmd->footer(std::string(R"(
Every result of every document is kept, in one order (template, dtype, shape,
config), so merging the same results always writes the same document; a config
measured twice on one GPU is kept once. Results of several GPUs each name theirs
(`gpu`, a UUID in `devices`). A shape's best is chosen among GPUs of one model,
stored in the tuning cache (as `tune` does) and listed; GPUs of one model that
timed the same config differently beyond their noise are named. Merged
`--shard i/N` parts that leave one out are said to be incomplete.

)" + std::string(kOutputPathHelp) + R"(

Example (docs/cluster.md):
  tkbench tune rmsnorm --shape 16384x8192 --strategy random --budget 400 --shard 0/2 -o part0.json
  tkbench tune rmsnorm --shape 16384x8192 --strategy random --budget 400 --shard 1/2 -o part1.json
  tkbench merge part0.json part1.json -o all.json)"));
  return [&global, args]() -> int {
    check_output_path(args->output);
    std::vector<MergeInput> inputs;
    for (const auto& path : args->documents) {
      auto text = read_file(path);
      if (!text) throw InputError(fmt::format("{}: cannot read it; give results documents written by `tkbench tune -o`", path));
      MergeInput in{path, {}};
      try {
        in.document = nlohmann::ordered_json::parse(*text);
      } catch (const std::exception& e) {
        throw InputError(fmt::format("{}: not JSON ({}); give results documents written by `tkbench tune -o`", path, e.what()));
      }
      inputs.push_back(std::move(in));
    }
    MergeOutcome merged = merge_result_documents(inputs);
    write_output_file(args->output, merged.document.dump(2) + "\n");
    for (const auto& note : merged.notes) diagnostics().warn(note);
    for (const auto& d : same_model_disagreements(merged.results, merged.model_of_gpu)) diagnostics().warn(describe(d));

    if (!args->no_cache) {
      TuningCache cache(global.resolved_cache_dir());
      const std::string filter = merged.document.value("config_filter", "");
      for (const auto& best : merged.best) {
        const auto& figures = best.figures;
        TunedEntry entry{merged_tuning_key(best, filter), to_json(best.result.config),
                         best.result.measurement->timing->median_us,
                         figures.value("bandwidth", nlohmann::ordered_json()).is_number() ? figures.at("bandwidth").get<double>() : 0.0,
                         figures.value("pct_of_measured_bandwidth", nlohmann::ordered_json()).is_number()
                             ? figures.at("pct_of_measured_bandwidth").get<double>() : 0.0,
                         best.configs, std::filesystem::absolute(args->output).string(), utc_timestamp()};
        if (auto error = cache.store(entry)) diagnostics().warn("tuning cache not written: " + *error);
      }
    }

    if (global.json) {
      std::printf("%s\n", merged.document.dump(2).c_str());
      return kExitOk;
    }
    Table table({"template", "shape", "dtype", "GPU model", "best config", "time", "configs"});
    for (const auto& best : merged.best)
      table.add_row({best.result.template_name, best.result.problem.shape_str(), std::string(dtype_info(best.result.problem.dtype).name),
                     best.device.value("name", ""), best.result.config.str(),
                     fmt::format("{:.2f} µs", best.result.measurement->timing->median_us), std::to_string(best.configs)});
    table.print(stdout, global.color_stdout());
    std::printf("%zu results from %zu document%s in %s%s\n", merged.results.size(), inputs.size(), inputs.size() == 1 ? "" : "s",
                args->output.c_str(),
                args->no_cache ? "" : "; the bests are in the tuning cache");
    return kExitOk;
  };
}

}  // namespace tkbench
