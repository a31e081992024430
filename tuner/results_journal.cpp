#include "tuner/results_journal.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "tuner/time_util.hpp"

#include "tuner/diagnostics.hpp"
#include "tuner/errors.hpp"
#include "tuner/file_util.hpp"
#include "tuner/output_file.hpp"
#include "tuner/result_json.hpp"

namespace tkbench {
using json = nlohmann::ordered_json;

namespace {
bool same_point(const Result& a, const Result& b) {
  return a.template_name == b.template_name && a.problem.dims == b.problem.dims && a.problem.dtype == b.problem.dtype &&
         a.config == b.config;
}
}  // namespace

std::filesystem::path ResultsJournal::journal_path() const {
  auto p = document_;
  p += ".journal";
  return p;
}

namespace {
// A resumed run covers the part of the search the first one did: another
// shard would mix two parts in one document.
void check_same_shard(const std::filesystem::path& file, const json& header, const std::string& shard) {
  const std::string recorded = header.value("shard", "");
  if (recorded == shard) return;
  throw InputError(fmt::format("{}: that run covered {}; resume it with {}", file.string(),
                               recorded.empty() ? "the whole search" : "--shard " + recorded,
                               recorded.empty() ? "no --shard" : "--shard " + recorded));
}

// The GPUs of the run resumed and of this one, each once (by UUID): results of
// either name theirs in the document.
void add_devices(ResultSet& set, const json& header) {
  if (!header.contains("devices")) return;
  if (set.devices.empty()) set.devices.push_back(set.device);
  for (const auto& d : header.at("devices")) {
    bool known = false;
    for (const auto& have : set.devices) known = known || have.value("uuid", "") == d.value("uuid", "");
    if (!known) set.devices.push_back(d);
  }
  if (set.devices.size() == 1) set.devices.clear();
}
}  // namespace

json ResultsJournal::header_json(const ResultSet& set) {
  json out = {{"schema", ResultSet::kSchema}, {"tool_version", set.tool_version}, {"created_at", set.created_at},
              {"device", set.device}};
  if (!set.devices.empty()) out["devices"] = set.devices;
  if (!set.shard.empty()) out["shard"] = set.shard;
  if (!set.config_filter.empty()) out["config_filter"] = set.config_filter;
  return out;
}

ResultsJournal::ResultsJournal(std::filesystem::path document, const json& device, bool resume, const JournalRun& run)
    : document_(std::move(document)) {
  set_.tool_version = TKBENCH_VERSION;
  set_.created_at = utc_timestamp();
  set_.device = device;
  set_.devices = run.devices;
  set_.shard = run.shard;
  set_.config_filter = run.config_filter;
  // A document path no file can take is refused now, not when the run ends.
  check_output_path(document_);

  if (resume) {
    if (std::filesystem::exists(journal_path())) {
      std::ifstream in(journal_path());
      std::string line;
      int number = 0;
      while (std::getline(in, line)) {
        ++number;
        if (line.empty()) continue;
        json j;
        try {
          j = json::parse(line);
        } catch (const std::exception&) {
          // Only the last line can be cut off by a kill mid-write; anything else is damage.
          if (in.peek() == EOF) {
            diagnostics().warn(fmt::format("{}:{}: the last line was cut off mid-write; that config will run again",
                                           journal_path().string(), number));
            break;
          }
          throw InputError(fmt::format("{}:{}: not a JSON line; the journal is damaged", journal_path().string(), number));
        }
        if (j.value("type", "") == "header") {
          if (j.value("schema", "") != ResultSet::kSchema)
            throw InputError(fmt::format("{}: not a {} journal", journal_path().string(), ResultSet::kSchema));
          check_same_shard(journal_path(), j, run.shard);
          add_devices(set_, j);
          set_.created_at = j.value("created_at", set_.created_at);
        } else if (j.value("type", "") == "baseline") {
          set_.baselines.push_back(result_from_json(j.at("result")));
        } else if (j.value("type", "") == "result") {
          set_.results.push_back(result_from_json(j.at("result")));
          figures_.push_back(j.value("figures", json::object()));
        }
      }
    } else if (std::filesystem::exists(document_)) {
      auto text = read_file(document_);
      json doc;
      try {
        doc = json::parse(text.value_or(""));
      } catch (const std::exception& e) {
        throw InputError(fmt::format("{}: cannot resume from it: {}", document_.string(), e.what()));
      }
      if (doc.value("schema", "") != ResultSet::kSchema)
        throw InputError(fmt::format("{}: not a {} document", document_.string(), ResultSet::kSchema));
      check_same_shard(document_, doc, run.shard);
      add_devices(set_, doc);
      set_.created_at = doc.value("created_at", set_.created_at);
      for (const auto& r : doc.at("results")) {
        set_.results.push_back(result_from_json(r));
        figures_.push_back(r.value("figures", json::object()));
      }
      for (const auto& b : doc.value("baselines", json::array())) set_.baselines.push_back(result_from_json(b));
    }
  }

  // A fresh journal holding what is known (minus any cut-off line) replaces
  // the old one atomically, so a crash right now loses nothing; then append.
  json header = {{"type", "header"}};
  header.update(header_json(set_));
  std::string text = header.dump() + "\n";
  for (std::size_t i = 0; i < set_.results.size(); ++i)
    text += json{{"type", "result"}, {"result", to_json(set_.results[i])}, {"figures", figures_[i]}}.dump() + "\n";
  for (const auto& b : set_.baselines) text += json{{"type", "baseline"}, {"result", to_json(b)}}.dump() + "\n";
  write_output_file(journal_path(), text);
  file_ = std::fopen(journal_path().c_str(), "a");
  if (!file_) throw EnvironmentError(fmt::format("cannot write {}: {}", journal_path().string(), std::strerror(errno)));
}

void ResultsJournal::check_resumable(const std::filesystem::path& document) {
  std::error_code ec;
  if (std::filesystem::is_directory(document, ec))
    throw InputError(fmt::format("--resume {}: is a folder; give the results document an interrupted tune wrote (its -o FILE)",
                                 document.string()));
  auto journal = document;
  journal += ".journal";
  if (!std::filesystem::exists(document, ec) && !std::filesystem::exists(journal, ec))
    throw InputError(fmt::format("--resume {}: no such file, nor {}; give the results document an interrupted tune wrote "
                                 "(its -o FILE), or leave --resume out to start afresh", document.string(), journal.string()));
}

ResultsJournal::~ResultsJournal() {
  if (file_) std::fclose(file_);
}

bool ResultsJournal::contains(const Result& candidate) const {
  for (const auto& r : set_.results)
    if (same_point(r, candidate)) return true;
  return false;
}

void ResultsJournal::write_line(const json& line) {
  std::string text = line.dump() + "\n";
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() || std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0)
    throw EnvironmentError(fmt::format("cannot write {}: {}; the results before this one are in it", journal_path().string(),
                                       std::strerror(errno)));
}

void ResultsJournal::append(const Result& result, const json& figures) {
  write_line({{"type", "result"}, {"result", to_json(result)}, {"figures", figures}});
  set_.results.push_back(result);
  figures_.push_back(figures);
}

void ResultsJournal::append_baseline(const Result& baseline) {
  write_line({{"type", "baseline"}, {"result", to_json(baseline)}});
  set_.baselines.push_back(baseline);
}

json ResultsJournal::document_json(const ResultSet& set, const std::vector<json>& figures) {
  json results = json::array();
  for (std::size_t i = 0; i < set.results.size(); ++i) {
    json r = to_json(set.results[i]);
    r["figures"] = i < figures.size() ? figures[i] : json::object();
    results.push_back(r);
  }
  json out = header_json(set);
  out["results"] = results;
  if (!set.baselines.empty()) {
    json baselines = json::array();
    for (const auto& b : set.baselines) baselines.push_back(to_json(b));
    out["baselines"] = baselines;
  }
  return out;
}

void ResultsJournal::finalise() {
  if (auto failure = try_write_output_file(document_, document_json(set_, figures_).dump(2) + "\n"))
    failure->raise(fmt::format("; the journal {} keeps every result", journal_path().string()));
  std::fclose(file_);
  file_ = nullptr;
  std::error_code ec;
  std::filesystem::remove(journal_path(), ec);
}

}  // namespace tkbench
