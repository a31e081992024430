#include "tuner/tuning_cache.hpp"

#include <filesystem>

#include "tuner/file_util.hpp"
#include "tuner/sha256.hpp"

namespace tkbench {
using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {
std::optional<TunedEntry> parse(const std::string& text) {
  try {
    json j = json::parse(text);
    if (j.value("schema", "") != "tkbench.tuned/1") return std::nullopt;
    TunedEntry e;
    const json& k = j.at("key");
    e.key = {k.at("gpu_name"), k.at("arch"), k.at("driver_major"), k.at("cuda_version"), k.at("template"),
             k.at("source_hash"), k.at("shape"), k.at("dtype"), k.value("filter", "")};
    e.config = j.at("config");
    e.median_us = j.at("median_us");
    e.bandwidth = j.at("bandwidth");
    e.pct_of_measured = j.at("pct_of_measured");
    e.configs_evaluated = j.at("configs_evaluated");
    e.document = j.at("document");
    e.tuned_at = j.at("tuned_at");
    return e;
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable: treated as absent, tuned again
  }
}
}  // namespace

json TuningKey::to_json() const {
  json j = {{"gpu_name", gpu_name}, {"arch", arch}, {"driver_major", driver_major}, {"cuda_version", cuda_version},
            {"template", template_name}, {"source_hash", source_hash}, {"shape", shape}, {"dtype", dtype}};
  if (!filter.empty()) j["filter"] = filter;  // absent for the whole space: older entries keep their hash
  return j;
}

std::string TuningKey::hash() const { return sha256_hex(to_json().dump()); }

std::optional<TunedEntry> TuningCache::load(const TuningKey& key) const {
  auto text = read_file(fs::path(dir_) / (key.hash() + ".json"));
  if (!text) return std::nullopt;
  auto e = parse(*text);
  if (!e || e->key.hash() != key.hash()) return std::nullopt;
  return e;
}

std::optional<std::string> TuningCache::store(const TunedEntry& e) const {
  json j = {{"schema", "tkbench.tuned/1"}, {"key", e.key.to_json()}, {"config", e.config}, {"median_us", e.median_us},
            {"bandwidth", e.bandwidth}, {"pct_of_measured", e.pct_of_measured}, {"configs_evaluated", e.configs_evaluated},
            {"document", e.document}, {"tuned_at", e.tuned_at}};
  return write_file_atomically(fs::path(dir_) / (e.key.hash() + ".json"), j.dump(2) + "\n");
}

std::vector<TunedEntry> TuningCache::list() const {
  std::vector<TunedEntry> out;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir_, ec))
    if (f.path().extension() == ".json")
      if (auto text = read_file(f.path()))
        if (auto e = parse(*text)) out.push_back(*e);
  return out;
}

std::size_t TuningCache::clear() const {
  std::size_t n = list().size();
  std::error_code ec;
  fs::remove_all(dir_, ec);
  return n;
}

}  // namespace tkbench
