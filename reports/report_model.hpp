#pragma once
// Report: what `tkbench report` computes from one or more results documents,
// before any format is chosen. Every output (terminal, Markdown, CSV, JSON,
// HTML) renders this one model, so they cannot disagree.
#include <optional>
#include <string>
#include <vector>

#include "reports/result_document.hpp"
#include "reports/roofline.hpp"
#include "reports/verdict.hpp"

namespace tkbench {

// One evaluated config of one document, placed under the roofline.
struct ReportPoint {
  std::size_t document = 0;     // index into Report::documents
  std::size_t result = 0;       // index into that document's results
  std::size_t group = 0;        // index into Report::groups
  RooflineFigures figures;
  bool timed = false;           // ok with a timing: drawn on the roofline
  bool best = false;            // the fastest of its group
};

// How one parameter's value moves the time: the best time among the group's
// timed configs that have each value ("which knobs matter").
struct ParameterEffect {
  std::string name;
  struct Value {
    long long value = 0;
    double best_us = 0;  // 0: no timed config with this value
    int configs = 0;     // timed configs with this value
  };
  std::vector<Value> values;  // ascending
  double swing = 0;           // slowest best / fastest best - 1: how much this knob matters
};

// One tuning run: a (template, shape, dtype) of one document.
struct ShapeGroup {
  std::size_t document = 0;
  std::string template_name;
  Problem problem;
  std::vector<std::size_t> points;      // into Report::points
  std::optional<std::size_t> best;      // into Report::points
  int evaluated = 0, failed = 0;
  std::vector<ParameterEffect> parameters;  // by swing, largest first
  // The template's [baseline] library on this shape, from the same document
  // (timed in the same run): its name, time, and the best config's % of it.
  std::string library;                  // "cublas"; empty: none in the document
  std::optional<double> library_us, pct_of_library;
  std::string verdict;                  // verdict_of(best), or "no valid config"
  std::string why;                      // one sentence: what the figures say is in the way
  std::string key() const;              // "rmsnorm 4096x8192 bf16": matches groups across documents
};

struct Report {
  std::vector<ResultDocument> documents;
  std::vector<ReportPoint> points;      // document order, then result order
  std::vector<ShapeGroup> groups;       // by document, template, dtype, then shape (numerically)
  // The group whose best is furthest below its judged roof (across all documents), latency-bound ones last.
  std::optional<std::size_t> furthest;

  const Result& result_of(const ReportPoint& p) const { return documents[p.document].set.results[p.result]; }
  std::string document_label(std::size_t index) const;  // "A", "B", ... when several documents
};

Report build_report(std::vector<ResultDocument> documents);

// Groups matched across documents by key, for side-by-side tables: one row
// per key (in group order), the group of each document that has it.
struct ComparedRow {
  std::string key;
  std::vector<std::optional<std::size_t>> groups;  // per document
};
std::vector<ComparedRow> compare_by_key(const Report& report);
// Whether any key appears in more than one document: then tables compare side
// by side; otherwise one table lists every document's shapes.
bool documents_overlap(const Report& report);

// Whether any point has a roof for its size (a document's GPU has a size
// curve): formats then add the "% of size roof" column.
bool has_size_roofs(const Report& report);

// The figures of a group's best point (nullptr when it has none).
const ReportPoint* best_point(const Report& report, const ShapeGroup& group);

// "134 MB": decimal units, as bandwidths are quoted.
std::string format_bytes_si(double bytes);

}  // namespace tkbench
