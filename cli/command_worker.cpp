// `tkbench worker`: the process that touches the GPU on behalf of bench,
// calibrate and tune. It reads one JSON request per line on stdin and answers
// JSON lines on stdout (heartbeats while busy, then a result or an error). A
// kernel fault poisons the CUDA context: the worker reports it and exits, and
// the coordinator starts a fresh one. Not meant to be run by hand.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/json_lines.hpp"
#include "profiler/cuda_check.hpp"
#include "profiler/evaluator.hpp"
#include "profiler/remote_evaluation.hpp"
#include "tuner/result_json.hpp"

namespace tkbench {
namespace {
using json = nlohmann::ordered_json;

// `fatal`: this worker exits right after the message (its CUDA context is
// unusable); the coordinator waits for it to end before the next request.
void send_error(const std::string& status, const std::string& reason, bool fatal = false) {
  send_json_line({{"type", "error"}, {"status", status}, {"reason", reason}, {"fatal", fatal}});
}
}  // namespace

CommandRunner add_worker_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("worker", "Internal: evaluates configs for the other commands, one JSON request per line");
  cmd->group("");  // hidden from --help
  return [&global]() -> int {
    auto registry = TemplateRegistry::load(TemplateRegistry::user_template_dirs(global.template_dirs),
                                           TemplateRegistry::user_include_dirs(global.include_dirs));
    KernelCache cache(global.resolved_cache_dir());
    Compiler compiler(cache.enabled() ? &cache : nullptr);
    std::unique_ptr<Evaluator> evaluator;
    auto heartbeat = [] { send_json_line({{"type", "heartbeat"}}); };

    for (std::string line; std::getline(std::cin, line);) {
      if (line.empty()) continue;
      try {
        json request = json::parse(line);
        if (!evaluator) evaluator = std::make_unique<Evaluator>(registry, compiler, require_device(global.device));
        const std::string op = request.at("op");
        if (op == "evaluate") {
          const TemplateSpec& spec = registry.get(request.at("template").get<std::string>());
          const EvaluationRequest evaluation = evaluation_request_from_json(request, spec);
          Measurement m = evaluation.baseline ? evaluator->evaluate_baseline(evaluation, heartbeat)
                                              : evaluator->evaluate(evaluation, heartbeat);
          // A worker that has set up CUPTI's profiler launches more slowly
          // from then on: it answers, then exits; the next request gets a fresh one.
          const bool retire = evaluator->profiler_touched();
          const EvaluationCost& cost = evaluator->last_cost();
          send_json_line({{"type", "result"},
                {"measurement", to_json(m)},
                {"retire", retire},
                {"cost_ms",
                 {{"load", cost.load_ms}, {"buffers", cost.buffers_ms}, {"verify", cost.verify_ms},
                  {"timing", cost.timing_ms}, {"counters", cost.counters_ms}}}});
          if (retire) return 0;
        } else if (op == "driver_copy") {
          StoppingRule rule;
          rule.max_seconds = request.at("rule").value("max_seconds", 1.0);
          rule.max_samples = request.at("rule").value("max_samples", 500);
          TimingStats t = evaluator->time_driver_copy(request.at("bytes").get<long long>(), rule, heartbeat);
          send_json_line({{"type", "result"}, {"timing", to_json(t)}});
        } else if (op == "ping") {
          send_json_line({{"type", "result"}});
        } else {
          send_error("error", "unknown op '" + op + "'");
        }
      } catch (const CompileFailure& e) {
        send_error("compile_error", e.what());
      } catch (const InputError& e) {
        send_error("bad_input", e.what());
      } catch (const EnvironmentError& e) {
        send_error("environment", e.what());
      } catch (const CudaError& e) {
        send_error("fault", e.what(), e.sticky);
        if (e.sticky) return 1;  // the context is unusable; the coordinator starts a new worker
      } catch (const std::exception& e) {
        send_error("fault", e.what());
      }
    }
    return 0;
  };
}

}  // namespace tkbench
