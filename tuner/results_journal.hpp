#pragma once
// The run's results on disk while it runs: FILE.journal holds a header line
// and one JSON line per evaluated config, each appended and fsynced, so a
// killed run loses nothing it finished. finalise() writes FILE (the results
// document) atomically and removes the journal.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuner/result_set.hpp"

namespace tkbench {

// What a run records besides its results: its GPUs and which part of the
// search it covers (ResultSet's fields of the same names).
struct JournalRun {
  std::vector<nlohmann::ordered_json> devices;  // several GPUs (--devices); empty: only `device`
  std::string shard;                            // "i/N"; empty: the whole search
  std::string config_filter;
};

class ResultsJournal {
 public:
  // Creates FILE.journal. With `resume`, first reads what an earlier run of
  // the same FILE left (its journal, else its finished document); a last line
  // cut off mid-write is ignored with a warning. Throws InputError when FILE
  // is no path for a file (a folder...) or the earlier run is not a tkbench
  // results document, EnvironmentError when the journal cannot be written.
  // A resumed run must cover the same shard as the run it continues (InputError).
  ResultsJournal(std::filesystem::path document, const nlohmann::ordered_json& device, bool resume,
                 const JournalRun& run = {});
  ~ResultsJournal();
  ResultsJournal(const ResultsJournal&) = delete;
  ResultsJournal& operator=(const ResultsJournal&) = delete;

  // Results already recorded (from the resumed run, then appended ones).
  const std::vector<Result>& results() const { return set_.results; }
  bool contains(const Result& candidate) const;
  // Appends one line and fsyncs it. Throws EnvironmentError when the disk refuses (full disk).
  void append(const Result& result, const nlohmann::ordered_json& figures);
  // Records a library baseline's result (ResultSet::baselines), fsynced like a result.
  void append_baseline(const Result& baseline);
  const ResultSet& set() const { return set_; }
  // Writes the document atomically and removes the journal.
  void finalise();

  // Throws InputError unless `document` or its journal is there to resume
  // from: checked before the GPU is looked for.
  static void check_resumable(const std::filesystem::path& document);

  const std::filesystem::path& document_path() const { return document_; }
  std::filesystem::path journal_path() const;
  static nlohmann::ordered_json document_json(const ResultSet& set, const std::vector<nlohmann::ordered_json>& figures);
  // The top-level fields of a document or journal header besides its results.
  static nlohmann::ordered_json header_json(const ResultSet& set);

 private:
  void write_line(const nlohmann::ordered_json& line);
  std::filesystem::path document_;
  ResultSet set_;
  std::vector<nlohmann::ordered_json> figures_;  // per result, derived figures at the time of measuring
  std::FILE* file_ = nullptr;
};

}  // namespace tkbench
