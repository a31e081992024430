#include "tuner/results_merge.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "tuner/errors.hpp"
#include "tuner/result_json.hpp"
#include "tuner/result_set.hpp"
#include "tuner/results_journal.hpp"
#include "tuner/time_util.hpp"

namespace tkbench {
using json = nlohmann::ordered_json;

namespace {

struct Entry {
  Result result;
  json figures;
};

// template, dtype, dims, config values, GPU: a stable order for any input order.
auto order_key(const Result& r) {
  std::vector<long long> values;
  for (const auto& [name, value] : r.config.values) values.push_back(value);
  return std::make_tuple(r.template_name, std::string(dtype_info(r.problem.dtype).name), r.problem.dims, values, r.gpu);
}

// Which shards of which N the documents hold; a note for each one missing.
void note_missing_shards(const std::set<std::string>& shards, std::vector<std::string>& notes) {
  std::map<std::size_t, std::set<std::size_t>> seen;  // N -> indices
  for (const auto& s : shards) {
    const auto slash = s.find('/');
    if (slash == std::string::npos) continue;
    try {
      seen[std::stoul(s.substr(slash + 1))].insert(std::stoul(s.substr(0, slash)));
    } catch (const std::exception&) {
    }
  }
  for (const auto& [count, have] : seen)
    for (std::size_t i = 0; i < count; ++i)
      if (!have.count(i)) notes.push_back(fmt::format("shard {}/{} is not among the documents: the merged search is incomplete", i, count));
}

}  // namespace

MergeOutcome merge_result_documents(const std::vector<MergeInput>& inputs) {
  if (inputs.empty()) throw InputError("merge: give at least one results document");
  MergeOutcome out;
  ResultSet set;
  set.tool_version = TKBENCH_VERSION;
  std::vector<json> devices;  // each GPU once, by UUID, in order of appearance
  auto add_device = [&](const json& d) {
    const std::string uuid = d.value("uuid", "");
    for (const auto& have : devices)
      if (have.value("uuid", "") == uuid) return;
    devices.push_back(d);
    out.model_of_gpu[uuid] = d.value("name", "");
  };
  std::vector<Entry> entries;
  std::set<std::string> shards, filters;
  for (const auto& in : inputs) {
    const json& doc = in.document;
    if (!doc.is_object() || doc.value("schema", "") != ResultSet::kSchema)
      throw InputError(fmt::format("{}: not a {} document (tkbench tune's -o FILE)", in.path, ResultSet::kSchema));
    if (!doc.contains("device") || !doc.contains("results"))
      throw InputError(fmt::format("{}: has no `device` or `results`; is it a finished tune's document?", in.path));
    const std::string created = doc.value("created_at", "");
    if (set.created_at.empty() || (!created.empty() && created < set.created_at)) set.created_at = created;
    add_device(doc.at("device"));
    if (doc.contains("devices"))
      for (const auto& d : doc.at("devices")) add_device(d);
    shards.insert(doc.value("shard", ""));
    filters.insert(doc.value("config_filter", ""));
    const std::string own_gpu = doc.at("device").value("uuid", "");
    std::size_t index = 0;
    for (const auto& record : doc.at("results")) {
      ++index;
      Entry e;
      try {
        e.result = result_from_json(record);
      } catch (const std::exception& ex) {
        throw InputError(fmt::format("{}: result {} is malformed: {}", in.path, index, ex.what()));
      }
      if (e.result.gpu.empty()) e.result.gpu = own_gpu;  // named below only when the document has several GPUs
      e.figures = record.value("figures", json::object());
      entries.push_back(std::move(e));
    }
  }
  if (filters.size() > 1)
    out.notes.push_back("the documents searched under different --config filters; the merged document records none");
  set.config_filter = filters.size() == 1 ? *filters.begin() : "";
  if (shards.size() > 1 || !shards.count("")) note_missing_shards(shards, out.notes);

  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return order_key(a.result) < order_key(b.result); });
  std::size_t duplicates = 0;
  std::vector<Entry> kept;
  for (auto& e : entries) {
    if (!kept.empty() && order_key(kept.back().result) == order_key(e.result)) {
      ++duplicates;  // the same config on the same GPU twice: the first document's is kept
      continue;
    }
    kept.push_back(std::move(e));
  }
  if (duplicates)
    out.notes.push_back(fmt::format("{} result{} measured the same config on the same GPU as an earlier document: kept once",
                                    duplicates, duplicates == 1 ? "" : "s"));

  set.device = devices.front();
  if (devices.size() > 1) set.devices = devices;
  std::map<std::string, json> device_of;
  for (const auto& d : devices) device_of[d.value("uuid", "")] = d;

  // A shape's best per GPU model.
  std::map<std::string, std::size_t> best_at;  // template/shape/dtype/model -> index into out.best
  std::map<std::string, int> configs;
  std::vector<json> figures;
  for (auto& e : kept) {
    const Result& r = e.result;
    const std::string model = out.model_of_gpu[r.gpu];
    const std::string key = r.template_name + '\n' + r.problem.shape_str() + '\n' +
                            std::string(dtype_info(r.problem.dtype).name) + '\n' + model;
    ++configs[key];
    if (r.status == Status::ok && r.measurement && r.measurement->timing) {
      auto it = best_at.find(key);
      if (it == best_at.end()) {
        best_at[key] = out.best.size();
        out.best.push_back({r, device_of[r.gpu], e.figures, 0});
      } else if (r.measurement->timing->median_us < out.best[it->second].result.measurement->timing->median_us) {
        out.best[it->second] = {r, device_of[r.gpu], e.figures, 0};
      }
    }
    if (devices.size() == 1) e.result.gpu.clear();  // one GPU: results name none, as a single run's do
    set.results.push_back(e.result);
    figures.push_back(e.figures);
  }
  for (auto& b : out.best)
    b.configs = configs[b.result.template_name + '\n' + b.result.problem.shape_str() + '\n' +
                        std::string(dtype_info(b.result.problem.dtype).name) + '\n' + out.model_of_gpu[b.result.gpu]];
  out.results = set.results;
  out.document = ResultsJournal::document_json(set, figures);
  return out;
}

TuningKey merged_tuning_key(const MergedBest& best, const std::string& config_filter) {
  const json& d = best.device;
  return {d.value("name", ""), d.value("arch", ""), d.value("driver_version", 0) / 1000, d.value("runtime_version", 0),
          best.result.template_name, best.result.source_hash, best.result.problem.shape_str(),
          std::string(dtype_info(best.result.problem.dtype).name), config_filter};
}

}  // namespace tkbench
