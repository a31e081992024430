#pragma once
// `tkbench merge`: results documents of one search split into jobs (--shard,
// or one job per shape, per node) made into one. Every result is kept, each
// naming its GPU when the documents ran on several; a config measured twice
// on the same GPU (an overlap, or a document given twice) is kept once. The
// results come out in one canonical order, so merging the same results
// always writes the same document, whatever the order of the inputs. A
// shape's best is chosen among GPUs of one model: those feed the tuning cache.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuner/result.hpp"
#include "tuner/tuning_cache.hpp"

namespace tkbench {

struct MergeInput {
  std::string path;              // for messages
  nlohmann::ordered_json document;
};

// The fastest ok result of one template, shape, dtype and GPU model.
struct MergedBest {
  Result result;
  nlohmann::ordered_json device;   // the GPU it ran on (the document's `device` form)
  nlohmann::ordered_json figures;  // as its document recorded them
  int configs = 0;                 // results of this shape on this model
};

struct MergeOutcome {
  nlohmann::ordered_json document;        // a tkbench.results/1 document
  std::vector<Result> results;            // its results, parsed, each with its GPU's UUID when it has several
  std::vector<MergedBest> best;           // per template, shape, dtype and GPU model
  std::vector<std::string> notes;         // duplicates dropped, shards missing, filters that differ
  std::map<std::string, std::string> model_of_gpu;  // UUID -> model, for every GPU of the document
};

// Throws InputError naming the file for a document that is not tkbench.results/1 or a malformed record.
MergeOutcome merge_result_documents(const std::vector<MergeInput>& inputs);

// The tuning cache's key for a merged best (the --config filter the documents recorded).
TuningKey merged_tuning_key(const MergedBest& best, const std::string& config_filter);

}  // namespace tkbench
