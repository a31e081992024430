#include "tuner/result_json.hpp"

#include <cmath>

namespace tkbench {
using json = nlohmann::ordered_json;

namespace {
// Samples are kept to 5 significant digits (0.01% at worst, far below timing
// noise): a document with a few thousand samples per result stays small.
double round_significant(double x, int digits) {
  if (x == 0 || !std::isfinite(x)) return x;
  const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::fabs(x)))));
  return std::round(x * scale) / scale;
}

json rounded_samples(const std::vector<double>& samples) {
  json out = json::array();
  for (double x : samples) out.push_back(round_significant(x, 5));
  return out;
}
}  // namespace

json to_json(const Problem& p) {
  json dims = json::object();
  for (std::size_t i = 0; i < p.dims.size(); ++i) dims[p.dim_names[i]] = p.dims[i];
  return {{"shape", p.shape_str()}, {"dims", dims}, {"dtype", dtype_info(p.dtype).name}};
}

json to_json(const Config& c) {
  json out = json::object();
  for (const auto& [k, v] : c.values) out[k] = v;
  return out;
}

json to_json(const ResourceUsage& r) {
  return {{"registers", r.registers},         {"barriers", r.barriers},
          {"shared_static_bytes", r.shared_static_bytes}, {"stack_bytes", r.stack_bytes},
          {"spill_store_bytes", r.spill_store_bytes},     {"spill_load_bytes", r.spill_load_bytes},
          {"const_bytes", r.const_bytes}};
}

json to_json(const LaunchGeometry& g) {
  json out = {{"grid", g.grid}, {"block", g.block}, {"dynamic_shared_bytes", g.dynamic_shared_bytes}};
  if (g.is_cluster_launch()) out["cluster"] = g.cluster;  // absent: a plain launch (older documents too)
  return out;
}

json to_json(const Occupancy& o) {
  return {{"blocks_per_sm", o.blocks_per_sm}, {"active_warps", o.active_warps}, {"fraction", o.fraction},
          {"limiter", o.limiter}};
}

json to_json(const Verification& v) {
  return {{"verified", v.verified},   {"passed", v.passed},           {"tolerance", v.tolerance},
          {"rel_l2_error", v.rel_l2_error}, {"max_abs_error", v.max_abs_error}, {"nonfinite", v.nonfinite},
          {"first_bad_index", v.first_bad_index}, {"buffer", v.buffer}};
}

json to_json(const TimingStats& t) {
  return {{"l2", t.l2},
          {"graph", t.graph},
          {"launches_per_sample", t.launches_per_sample},
          {"buffer_sets", t.buffer_sets},
          {"samples", t.samples},
          {"median_us", t.median_us},
          {"min_us", t.min_us},
          {"max_us", t.max_us},
          {"mean_us", t.mean_us},
          {"spread", t.spread},
          {"rel_std_error", t.rel_std_error},
          {"converged", t.converged},
          {"sm_clock_mhz", {{"start", t.sm_clock_start_mhz}, {"end", t.sm_clock_end_mhz}, {"max", t.sm_clock_max_mhz},
                            {"samples_in_stream", t.samples_clocked_in_stream}}},
          {"throttled", t.throttled},
          {"throttle", {{"dropped_samples", t.throttle_dropped_samples}, {"rest_s", t.throttle_rest_s}}},
          {"samples_us", rounded_samples(t.samples_us)}};
}

json to_json(const Counters& c) {
  json values = json::object();
  for (const auto& [name, value] : c.values) values[name] = value;
  return {{"values", values}, {"passes", c.passes}, {"overhead_ms", c.overhead_ms}};
}

json to_json(const Measurement& m) {
  json out = {{"verification", to_json(m.verification)}, {"timing", m.timing ? to_json(*m.timing) : json(nullptr)},
              {"counters", m.counters ? to_json(*m.counters) : json(nullptr)}};
  if (!m.counters_unavailable.empty()) out["counters_unavailable"] = m.counters_unavailable;
  return out;
}

Verification verification_from_json(const json& j) {
  Verification v;
  v.verified = j.at("verified");
  v.passed = j.at("passed");
  v.tolerance = j.at("tolerance");
  v.rel_l2_error = j.at("rel_l2_error");
  v.max_abs_error = j.at("max_abs_error");
  v.nonfinite = j.at("nonfinite");
  v.first_bad_index = j.at("first_bad_index");
  v.buffer = j.at("buffer");
  return v;
}

TimingStats timing_from_json(const json& j) {
  TimingStats t;
  t.l2 = j.at("l2");
  t.graph = j.at("graph");
  t.launches_per_sample = j.at("launches_per_sample");
  t.buffer_sets = j.at("buffer_sets");
  t.samples = j.at("samples");
  t.median_us = j.at("median_us");
  t.min_us = j.at("min_us");
  t.max_us = j.at("max_us");
  t.mean_us = j.at("mean_us");
  t.spread = j.at("spread");
  t.rel_std_error = j.at("rel_std_error");
  t.converged = j.at("converged");
  t.sm_clock_start_mhz = j.at("sm_clock_mhz").at("start");
  t.sm_clock_end_mhz = j.at("sm_clock_mhz").at("end");
  t.sm_clock_max_mhz = j.at("sm_clock_mhz").at("max");
  t.samples_clocked_in_stream = j.at("sm_clock_mhz").value("samples_in_stream", 0);  // absent in older documents
  t.throttled = j.at("throttled");
  if (j.contains("throttle")) {  // absent in older documents
    t.throttle_dropped_samples = j.at("throttle").at("dropped_samples");
    t.throttle_rest_s = j.at("throttle").at("rest_s");
  }
  if (j.contains("samples_us")) t.samples_us = j.at("samples_us").get<std::vector<double>>();  // absent in older documents
  return t;
}

Measurement measurement_from_json(const json& j) {
  Measurement m;
  m.verification = verification_from_json(j.at("verification"));
  if (!j.at("timing").is_null()) m.timing = timing_from_json(j.at("timing"));
  if (j.contains("counters") && !j.at("counters").is_null()) {
    Counters c;
    for (const auto& [name, value] : j.at("counters").at("values").items()) c.values.emplace_back(name, value.get<double>());
    c.passes = j.at("counters").at("passes");
    c.overhead_ms = j.at("counters").at("overhead_ms");
    m.counters = c;
  }
  m.counters_unavailable = j.value("counters_unavailable", "");
  return m;
}

Result result_from_json(const json& j) {
  Result r;
  r.template_name = j.at("template");
  r.source_hash = j.at("source_hash");
  const json& problem = j.at("problem");
  for (const auto& [name, value] : problem.at("dims").items()) {
    r.problem.dim_names.push_back(name);
    r.problem.dims.push_back(value.get<long long>());
  }
  auto dtype = parse_dtype(problem.at("dtype").get<std::string>());
  if (!dtype) throw std::runtime_error("unknown dtype in a result");
  r.problem.dtype = *dtype;
  for (const auto& [name, value] : j.at("config").items()) r.config.values.emplace_back(name, value.get<long long>());
  const std::string status = j.at("status");
  for (Status s : {Status::ok, Status::compile_error, Status::wrong_result, Status::fault, Status::timeout, Status::skipped})
    if (status_name(s) == status) r.status = s;
  if (!j.at("reason").is_null()) r.reason = j.at("reason");
  r.baseline = j.value("baseline", "");
  if (!j.at("compile").is_null()) {
    const json& c = j.at("compile");
    CompileStats stats;
    stats.arch = c.at("arch");
    stats.name_expression = c.at("name_expression");
    stats.lowered_name = c.at("lowered_name");
    const json& res = c.at("resources");
    stats.resources = {res.at("registers"), res.at("barriers"), res.at("shared_static_bytes"), res.at("stack_bytes"),
                       res.at("spill_store_bytes"), res.at("spill_load_bytes"), res.at("const_bytes")};
    stats.geometry.grid = c.at("launch").at("grid").get<std::array<long long, 3>>();
    stats.geometry.block = c.at("launch").at("block").get<std::array<long long, 3>>();
    stats.geometry.dynamic_shared_bytes = c.at("launch").at("dynamic_shared_bytes");
    if (c.at("launch").contains("cluster")) stats.geometry.cluster = c.at("launch").at("cluster").get<std::array<long long, 3>>();
    const json& occ = c.at("theoretical_occupancy");
    stats.occupancy = {occ.at("blocks_per_sm"), occ.at("active_warps"), occ.at("fraction"), occ.at("limiter")};
    stats.compile_ms = c.at("compile_ms");
    stats.cache_hit = c.at("cache_hit");
    r.compile = stats;
  }
  if (j.contains("measurement") && !j.at("measurement").is_null()) r.measurement = measurement_from_json(j.at("measurement"));
  r.gpu = j.value("gpu", "");  // absent in single-GPU documents and those written before --devices
  return r;
}

json to_json(const Result& r) {
  json out = {{"template", r.template_name}, {"source_hash", r.source_hash}, {"problem", to_json(r.problem)},
              {"config", to_json(r.config)},  {"status", status_name(r.status)}};
  out["reason"] = r.reason.empty() ? json(nullptr) : json(r.reason);
  if (!r.baseline.empty()) out["baseline"] = r.baseline;
  if (r.compile) {
    const auto& c = *r.compile;
    out["compile"] = {{"arch", c.arch},
                      {"name_expression", c.name_expression},
                      {"lowered_name", c.lowered_name},
                      {"resources", to_json(c.resources)},
                      {"launch", to_json(c.geometry)},
                      {"theoretical_occupancy", to_json(c.occupancy)},
                      {"compile_ms", c.compile_ms},
                      {"cache_hit", c.cache_hit}};
  } else {
    out["compile"] = nullptr;
  }
  out["measurement"] = r.measurement ? to_json(*r.measurement) : json(nullptr);
  if (!r.gpu.empty()) out["gpu"] = r.gpu;
  return out;
}

json to_json(const TemplateSpec& s) {
  json params = json::array();
  for (const auto& p : s.params) params.push_back({{"name", p.name}, {"values", p.values}, {"bool", p.is_bool}});
  json dtypes = json::array();
  for (auto d : s.dtypes) dtypes.push_back(dtype_info(d).name);
  json constraints = json::array();
  for (const auto& c : s.constraints) constraints.push_back(c.expr.text());
  json args = json::array();
  for (const auto& a : s.args) {
    json arg = {{"name", a.name}, {"kind", arg_kind_name(a.kind)},
                {"dtype", a.dtype ? json(dtype_info(*a.dtype).name) : json("{dtype}")}};
    if (a.is_buffer()) {
      arg["count"] = a.count.text();
    } else if (a.kind == ArgKind::tensor_map) {
      auto texts = [](const std::vector<Expression>& es) {
        json out = json::array();
        for (const auto& e : es) out.push_back(e.text());
        return out;
      };
      arg["dtype"] = nullptr;  // the buffer's
      arg["buffer"] = a.tensor_map.buffer;
      arg["dims"] = texts(a.tensor_map.dims);
      arg["strides"] = texts(a.tensor_map.strides);
      arg["box"] = texts(a.tensor_map.box);
      arg["swizzle"] = a.tensor_map.swizzle.text();
    } else if (a.kind == ArgKind::struct_value) {
      arg["dtype"] = nullptr;
      json fields = json::array();
      for (const auto& f : a.structure.fields) {
        json field = {{"name", f.name}, {"kind", field_kind_name(f.kind)}};
        if (f.kind == FieldKind::pointer) field["buffer"] = f.buffer;
        if (f.kind == FieldKind::scalar) field["value"] = f.value.text();
        if (f.kind == FieldKind::tensor_map) field["buffer"] = f.tensor_map.buffer;
        fields.push_back(field);
      }
      arg["fields"] = fields;
    } else {
      arg["value"] = a.value.text();
    }
    if (a.kind == ArgKind::input || a.kind == ArgKind::inout) arg["init"] = a.init.str();
    args.push_back(arg);
  }
  auto rule = [](const KernelRule& k) {
    json grid = json::array(), block = json::array();
    for (const auto& e : k.grid) grid.push_back(e.text());
    for (const auto& e : k.block) block.push_back(e.text());
    return json{{"name", k.name}, {"grid", grid}, {"block", block}, {"shared_bytes", k.shared_bytes.text()}};
  };
  json tolerance = json::object();
  for (const auto& [d, t] : s.tolerance) tolerance[std::string(dtype_info(d).name)] = t;
  json model = nullptr;
  if (s.model) {
    json let = json::array();
    for (const auto& [name, e] : s.model->let) let.push_back(name + " = " + e.text());
    model = {{"let", let}, {"cost", s.model->cost.text()}};
  }
  json implied = json::array();  // constraints tkbench adds: index and origin
  for (std::size_t i = 0; i < s.constraints.size(); ++i)
    if (!s.constraints[i].implied_by.empty()) implied.push_back({{"index", i}, {"from", s.constraints[i].implied_by}});
  return {{"name", s.name},
          {"description", s.description},
          {"manifest", s.manifest_path},
          {"builtin", s.builtin},
          {"source", s.source.name},
          {"source_hash", s.source_hash},
          {"shape", s.dims},
          {"dtypes", dtypes},
          {"params", params},
          {"raw_space_size", s.raw_space_size()},
          {"constraints", constraints},
          {"implied_constraints", implied},
          {"model", model},
          {"default", s.default_config},
          {"kernel", rule(s.kernel)},
          {"reference", s.reference ? rule(*s.reference) : json(nullptr)},
          {"roofline", {{"bytes", s.ideal_bytes.text()}, {"flops", s.flops.text()}}},
          {"tolerance", tolerance},
          {"args", args}};
}

}  // namespace tkbench
