// The worker protocol against fake workers that crash, hang and talk nonsense.
#include <catch2/catch.hpp>

#include "profiler/remote_evaluation.hpp"
#include "tuner/worker_client.hpp"
#include "tuner/result_json.hpp"
#include "test_helpers.hpp"

using namespace tkbench;

namespace {
WorkerClient fake(const std::string& script, double watchdog = 5) {
  return WorkerClient({"/bin/sh", "-c", script}, watchdog);
}
const nlohmann::ordered_json kRequest = {{"op", "ping"}};
}  // namespace

TEST_CASE("a well-behaved worker: heartbeats, then a result", "[worker]") {
  auto w = fake(R"(while read line; do echo '{"type":"heartbeat"}'; echo '{"type":"result","answer":42}'; done)");
  auto r = w.call(kRequest);
  REQUIRE(r.kind == WorkerReply::Kind::result);
  CHECK(r.payload["answer"] == 42);
  CHECK(w.call(kRequest).kind == WorkerReply::Kind::result);
  CHECK(w.starts() == 1);  // the same process serves both
}

TEST_CASE("SIGINT and SIGTERM to the process group leave the worker to finish its config", "[worker]") {
  // As `timeout` or a cancelled CI job delivers them: to every process of the group at once.
  auto w = fake(R"(read line; kill -INT $$; kill -TERM $$; echo '{"type":"result","alive":1}')");
  auto r = w.call(kRequest);
  REQUIRE(r.kind == WorkerReply::Kind::result);
  CHECK(r.payload["alive"] == 1);
}

TEST_CASE("a worker that reports an error keeps its status and reason", "[worker]") {
  auto w = fake(R"(read line; echo '{"type":"error","status":"fault","reason":"an illegal memory access was encountered"}')");
  auto r = w.call(kRequest);
  REQUIRE(r.kind == WorkerReply::Kind::error);
  CHECK(r.payload["status"] == "fault");
  CHECK(r.reason == "an illegal memory access was encountered");
}

TEST_CASE("after a fatal error the next request goes to a fresh worker, not the dying one", "[worker]") {
  // Answers, then takes a while to exit: the next call must not be written into its pipe.
  auto w = fake(R"(read line; echo '{"type":"error","status":"fault","reason":"illegal address","fatal":true}'; sleep 0.3; exit 1)");
  CHECK(w.call(kRequest).kind == WorkerReply::Kind::error);
  CHECK(w.call(kRequest).kind == WorkerReply::Kind::error);  // a fresh worker answered, not "crashed"
  CHECK(w.starts() == 2);
}

TEST_CASE("a worker that retires after a result (CUPTI set up) is replaced for the next request", "[worker]") {
  // Answers with retire, then takes a while to exit, as a worker tearing down its CUDA context does.
  auto w = fake(R"(read line; echo '{"type":"result","retire":true}'; sleep 0.3; exit 0)");
  CHECK(w.call(kRequest).kind == WorkerReply::Kind::result);
  CHECK(w.call(kRequest).kind == WorkerReply::Kind::result);  // a fresh worker answered, not "crashed"
  CHECK(w.starts() == 2);
  auto stays = fake(R"(while read line; do echo '{"type":"result","retire":false}'; done)");
  CHECK(stays.call(kRequest).kind == WorkerReply::Kind::result);
  CHECK(stays.call(kRequest).kind == WorkerReply::Kind::result);
  CHECK(stays.starts() == 1);
}

TEST_CASE("a worker that says it is exiting but never does is killed after 10 s", "[worker]") {
  auto w = fake(R"(read line; echo '{"type":"error","status":"fault","reason":"illegal address","fatal":true}'; exec sleep 60)");
  auto start = std::chrono::steady_clock::now();
  CHECK(w.call(kRequest).kind == WorkerReply::Kind::error);
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(waited > 9);
  CHECK(waited < 15);
}

TEST_CASE("a worker that crashes is reported and replaced on the next call", "[worker]") {
  auto w = fake(R"(read line; kill -SEGV $$)");
  auto r = w.call(kRequest);
  CHECK(r.kind == WorkerReply::Kind::crashed);
  CHECK_THAT(r.reason, Catch::Contains("signal 11"));
  auto again = w.call(kRequest);
  CHECK(again.kind == WorkerReply::Kind::crashed);
  CHECK(w.starts() == 2);
  auto exits = fake("read line; exit 3");
  CHECK_THAT(exits.call(kRequest).reason, Catch::Contains("exited with status 3"));
}

TEST_CASE("a worker that hangs is killed by the watchdog", "[worker]") {
  auto w = fake("read line; exec sleep 60", 0.5);  // exec: no orphan left holding the pipes
  auto start = std::chrono::steady_clock::now();
  auto r = w.call(kRequest);
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.kind == WorkerReply::Kind::timed_out);
  CHECK_THAT(r.reason, Catch::Contains("no progress for 0 s") || Catch::Contains("no progress for 1 s"));
  CHECK(waited < 5);
}

TEST_CASE("heartbeats keep a slow worker alive past the watchdog", "[worker]") {
  auto w = fake(R"(read line; for i in 1 2 3 4 5 6; do sleep 0.2; echo '{"type":"heartbeat"}'; done; echo '{"type":"result"}')", 0.6);
  CHECK(w.call(kRequest).kind == WorkerReply::Kind::result);
}

TEST_CASE("a worker that answers garbage is killed and replaced", "[worker]") {
  auto w = fake("while read line; do echo 'Segmentation fault (core dumped)'; done");
  auto r = w.call(kRequest);
  CHECK(r.kind == WorkerReply::Kind::garbage);
  CHECK_THAT(r.reason, Catch::Contains("not JSON") && Catch::Contains("Segmentation fault"));
  auto unknown = fake(R"(read line; echo '{"type":"surprise"}')");
  CHECK(unknown.call(kRequest).kind == WorkerReply::Kind::garbage);
}

TEST_CASE("a worker binary that cannot start counts as a crash", "[worker]") {
  WorkerClient w({"/nonexistent/tkbench", "worker"}, 5);
  auto r = w.call(kRequest);
  CHECK(r.kind == WorkerReply::Kind::crashed);
  CHECK_THAT(r.reason, Catch::Contains("exited with status 127"));
}

TEST_CASE("with counters asked for, one worker counts and retires and a fresh one times", "[worker]") {
  // CUPTI set up in a process slows its later launches, so the time must not come from the counting worker.
  Measurement counted;
  counted.verification.verified = counted.verification.passed = true;
  counted.counters = Counters{{{"dram__bytes_read.sum", 4096.0}}, 1, 2.0};
  Measurement timed;
  timed.verification.verified = timed.verification.passed = true;
  timed.timing = TimingStats{};
  timed.timing->median_us = 1.5;
  auto answer = [](const Measurement& m, bool retire) {
    return nlohmann::ordered_json{{"type", "result"}, {"measurement", to_json(m)}, {"retire", retire}}.dump();
  };
  // The fake answers a request with metrics with counters and exits; one without, with a time.
  auto w = fake("read line; case \"$line\" in *'\"metrics\":[\"'*) echo '" + answer(counted, true) +
                "'; sleep 0.2; exit 0;; *) echo '" + answer(timed, false) + "';; esac");
  EvaluationRequest request;
  request.template_name = "copy";
  request.metrics = {"dram__bytes_read.sum"};
  Result r;
  evaluate_remotely(w, request, r);
  REQUIRE(r.status == Status::ok);
  REQUIRE(r.measurement);
  REQUIRE(r.measurement->timing);
  CHECK(r.measurement->timing->median_us == 1.5);
  REQUIRE(r.measurement->counters);
  CHECK(r.measurement->counters->values.at(0).second == 4096.0);
  CHECK(w.starts() == 2);
}

TEST_CASE("an evaluation request carries its throttle policy to the worker - an older client's gets the defaults", "[worker][throttle]") {
  TemplateSpec spec = test::parse_text(test::kValidManifest);
  EvaluationRequest request = EvaluationRequest::for_config(spec, make_problem(spec, {4096, 8192}, DType::bf16),
                                                            Config{{{"VEC", 4}, {"THREADS", 256}}});
  request.throttle.threshold = 0.8;  // --throttle-threshold 80
  request.throttle.budget_s = 2;
  auto j = evaluation_request_json(request);
  EvaluationRequest back = evaluation_request_from_json(j, spec);
  CHECK(back.throttle.threshold == Approx(0.8));
  CHECK(back.throttle.first_rest_s == Approx(0.05));
  CHECK(back.throttle.budget_s == Approx(2));
  j.erase("throttle");
  CHECK(evaluation_request_from_json(j, spec).throttle.threshold == Approx(ThrottlePolicy{}.threshold));
}
