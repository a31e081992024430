#include "tuner/manifest_parser.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "tuner/file_util.hpp"
#include "tuner/sha256.hpp"

namespace tkbench {
namespace {

class ManifestReader {
 public:
  explicit ManifestReader(const ManifestInput& input) : input_(input) {}

  TemplateSpec read() {
    toml::table root;
    try {
      root = toml::parse(input_.text, input_.display_path);
    } catch (const toml::parse_error& e) {
      throw InputError(fmt::format("{}: malformed TOML: {}", at(e.source()).str(), e.description()));
    }
    check_keys(root, {"name", "description", "source", "shape", "dtypes", "arch", "constraints", "compile_options",
                      "include_dirs", "defines", "std", "jit_compat", "excerpts", "kernel", "reference", "params", "default",
                      "roofline", "tolerance", "args", "model", "baseline"},
               "the manifest");

    TemplateSpec spec;
    spec.manifest_path = input_.display_path;
    spec.builtin = input_.builtin;
    spec.include_dir = input_.include_dir;
    spec.name = required_string(root, "name");
    if (!std::regex_match(spec.name, std::regex("[A-Za-z_][A-Za-z0-9_.-]*")))
      fail(root["name"].node(), fmt::format("template name '{}' must be letters, digits, '_', '.', '-'", spec.name));
    spec.description = optional_string(root, "description", "");
    spec.dims = name_list(root, "shape", "shape dim");
    spec.dtypes = dtype_list(root);
    spec.params = params(root);
    check_unique_names(spec, root);
    spec.compile_options = string_list(root, "compile_options", /*required=*/false);
    compile_settings(root, spec);
    spec.arch = optional_string(root, "arch", "");
    if (!spec.arch.empty() && !std::regex_match(spec.arch, std::regex(R"(sm_\d+a?)")))
      fail(root.get("arch"), fmt::format("arch '{}' must name a target such as \"sm_90a\" or \"sm_80\"", spec.arch));

    const auto config_names = spec.expression_names();
    spec.constraints = constraints(root, config_names);
    spec.kernel = kernel_rule(root, "kernel", spec, config_names, /*required=*/true).value();
    spec.reference = kernel_rule(root, "reference", spec, config_names, /*required=*/false);
    spec.default_config = default_config(root, spec);

    std::vector<std::string> problem_names = spec.dims;
    problem_names.push_back("dtype");
    roofline(root, spec, problem_names);
    spec.tolerance = tolerance(root, spec);
    spec.args = args(root, config_names);
    spec.reference_args = reference_args(root, spec);
    add_tensor_map_constraints(spec, config_names);
    add_shared_memory_constraint(spec, config_names);
    spec.model = model(root, config_names);
    spec.baseline = baseline(root, spec, problem_names);

    excerpts(root, spec);
    load_sources(root, spec);
    return spec;
  }

 private:
  const ManifestInput& input_;
  std::map<std::string, std::pair<std::string, std::filesystem::path>> excerpts_;  // include name -> text, its file's folder

  SourceLocation at(const toml::source_region& region) const {
    return {input_.display_path, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
  }
  SourceLocation at(const toml::node* node) const {
    if (!node) return {input_.display_path, 0, 0};
    return at(node->source());
  }
  [[noreturn]] void fail(const toml::node* node, const std::string& why) const {
    throw InputError(fmt::format("{}: {}", at(node).str(), why));
  }

  void check_keys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                  std::string_view where) const {
    for (const auto& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      std::string known;
      for (auto k : allowed) known += (known.empty() ? "" : ", ") + std::string(k);
      throw InputError(fmt::format("{}: unknown key '{}' in {}; allowed: {}", at(key.source()).str(), key.str(),
                                   where, known));
    }
  }

  std::string required_string(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (!node) fail(&table, fmt::format("missing required key '{}'", key));
    if (!node->is_string()) fail(node, fmt::format("'{}' must be a string", key));
    std::string value = node->as_string()->get();
    if (value.empty()) fail(node, fmt::format("'{}' must not be empty", key));
    return value;
  }
  std::string optional_string(const toml::table& table, std::string_view key, std::string fallback) const {
    const toml::node* node = table.get(key);
    if (!node) return fallback;
    if (!node->is_string()) fail(node, fmt::format("'{}' must be a string", key));
    return node->as_string()->get();
  }

  // An expression value: a TOML string, or a number (written without quotes).
  Expression expression(const toml::node* node, std::string_view what, const std::vector<std::string>& names) const {
    std::string text;
    if (node->is_string()) {
      text = node->as_string()->get();
    } else if (node->is_integer()) {
      text = std::to_string(node->as_integer()->get());
    } else if (node->is_floating_point()) {
      text = fmt::format("{}", node->as_floating_point()->get());
    } else {
      fail(node, fmt::format("{} must be an expression string such as \"ceil_div(M, ROWS)\"", what));
    }
    return Expression(text, at(node), names);
  }

  std::vector<std::string> string_list(const toml::table& table, std::string_view key, bool required) const {
    const toml::node* node = table.get(key);
    if (!node) {
      if (required) fail(&table, fmt::format("missing required key '{}'", key));
      return {};
    }
    const toml::array* array = node->as_array();
    if (!array) fail(node, fmt::format("'{}' must be an array of strings", key));
    std::vector<std::string> out;
    for (const auto& item : *array) {
      if (!item.is_string()) fail(&item, fmt::format("'{}' must contain only strings", key));
      out.push_back(item.as_string()->get());
    }
    return out;
  }

  std::vector<std::string> name_list(const toml::table& table, std::string_view key, std::string_view what) const {
    auto names = string_list(table, key, true);
    if (names.empty()) fail(table.get(key), fmt::format("'{}' must name at least one {}", key, what));
    for (const auto& n : names)
      if (!std::regex_match(n, std::regex("[A-Za-z_][A-Za-z0-9_]*")))
        fail(table.get(key), fmt::format("{} '{}' must be an identifier", what, n));
    return names;
  }

  std::vector<DType> dtype_list(const toml::table& root) const {
    std::vector<DType> out;
    for (const auto& name : string_list(root, "dtypes", true)) {
      auto dtype = parse_dtype(name);
      if (!dtype) fail(root.get("dtypes"), fmt::format("unknown dtype '{}'; known: {}", name, dtype_names_joined()));
      out.push_back(*dtype);
    }
    if (out.empty()) fail(root.get("dtypes"), "'dtypes' must name at least one dtype");
    return out;
  }

  std::vector<ParamSpec> params(const toml::table& root) const {
    std::vector<ParamSpec> out;
    const toml::node* node = root.get("params");
    if (!node) return out;  // a template with nothing to tune is allowed
    const toml::table* table = node->as_table();
    if (!table) fail(node, "[params] must be a table of NAME = [values]");
    for (const auto& [key, value] : *table) {
      ParamSpec param;
      param.name = std::string(key.str());
      param.where = at(key.source());
      if (!std::regex_match(param.name, std::regex("[A-Za-z_][A-Za-z0-9_]*")))
        fail(&value, fmt::format("parameter name '{}' must be an identifier", param.name));
      const toml::array* values = value.as_array();
      if (!values) fail(&value, fmt::format("parameter '{}' must be a list of values, e.g. [1, 2, 4]", param.name));
      if (values->empty()) fail(&value, fmt::format("parameter '{}' has an empty value list", param.name));
      bool all_bool = true, all_int = true;
      for (const auto& v : *values) {
        all_bool = all_bool && v.is_boolean();
        all_int = all_int && v.is_integer();
      }
      if (!all_bool && !all_int)
        fail(&value, fmt::format("parameter '{}' values must be all integers or all booleans", param.name));
      param.is_bool = all_bool;
      std::set<long long> seen;
      for (const auto& v : *values) {
        long long x = all_bool ? (v.as_boolean()->get() ? 1 : 0) : v.as_integer()->get();
        if (!seen.insert(x).second) fail(&v, fmt::format("parameter '{}' lists {} twice", param.name, x));
        param.values.push_back(x);
      }
      out.push_back(std::move(param));
    }
    // toml++ keeps keys sorted; present parameters in the order they were written.
    std::sort(out.begin(), out.end(), [](const ParamSpec& a, const ParamSpec& b) {
      return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
    });
    return out;
  }

  void check_unique_names(const TemplateSpec& spec, const toml::table& root) const {
    std::set<std::string> seen;
    auto reserved = builtin_expression_names();
    reserved.push_back("dtype");
    reserved.push_back("num_sms");
    reserved.push_back("max_shared_bytes");
    for (const auto& f : expression_functions()) reserved.push_back(f);
    auto claim = [&](const std::string& name, const toml::node* node) {
      if (std::find(reserved.begin(), reserved.end(), name) != reserved.end())
        fail(node, fmt::format("'{}' is a reserved name (dtype names, 'dtype', 'num_sms', 'max_shared_bytes' and "
                               "functions)", name));
      if (!seen.insert(name).second) fail(node, fmt::format("'{}' is used twice as a dim or parameter", name));
    };
    for (const auto& d : spec.dims) claim(d, root.get("shape"));
    for (const auto& p : spec.params) claim(p.name, root.get("params"));
  }

  std::vector<Constraint> constraints(const toml::table& root, const std::vector<std::string>& names) const {
    std::vector<Constraint> out;
    const toml::node* node = root.get("constraints");
    if (!node) return out;
    const toml::array* array = node->as_array();
    if (!array) fail(node, "'constraints' must be an array of expression strings");
    for (const auto& item : *array) {
      if (!item.is_string()) fail(&item, "each constraint must be an expression string, e.g. \"N % VEC == 0\"");
      out.push_back({expression(&item, "a constraint", names)});
    }
    return out;
  }

  std::vector<Expression> expression_list(const toml::table& table, std::string_view key,
                                          const std::vector<std::string>& names) const {
    const toml::node* node = table.get(key);
    if (!node) fail(&table, fmt::format("missing required key '{}' (1 to 3 expressions: x, y, z)", key));
    std::vector<Expression> out;
    if (const toml::array* array = node->as_array()) {
      if (array->empty() || array->size() > 3) fail(node, fmt::format("'{}' takes 1 to 3 expressions (x, y, z)", key));
      for (const auto& item : *array) out.push_back(expression(&item, key, names));
    } else {
      out.push_back(expression(node, key, names));
    }
    return out;
  }

  void check_name_expression(const std::string& name, const toml::node* node, const TemplateSpec& spec) const {
    static const std::regex placeholder(R"(\{([^{}]*)\})");
    for (std::sregex_iterator it(name.begin(), name.end(), placeholder), end; it != end; ++it) {
      std::string p = (*it)[1];
      bool known = p == "dtype" || spec.find_param(p) ||
                   std::find(spec.dims.begin(), spec.dims.end(), p) != spec.dims.end();
      if (!known)
        fail(node, fmt::format("name expression '{}' uses {{{}}}, which is not 'dtype', a parameter or a shape dim",
                               name, p));
    }
  }

  std::optional<KernelRule> kernel_rule(const toml::table& root, std::string_view key, const TemplateSpec& spec,
                                        const std::vector<std::string>& names, bool required) const {
    const toml::node* node = root.get(key);
    if (!node) {
      if (required) fail(&root, fmt::format("missing required table [{}]", key));
      return std::nullopt;
    }
    const toml::table* table = node->as_table();
    if (!table) fail(node, fmt::format("[{}] must be a table with name, grid, block", key));
    if (key == "reference")
      check_keys(*table, {"name", "grid", "block", "shared_bytes", "cluster", "args"}, "[reference]");
    else
      check_keys(*table, {"name", "grid", "block", "shared_bytes", "cluster"}, fmt::format("[{}]", key));
    KernelRule rule;
    rule.name = required_string(*table, "name");
    rule.where = at(table->get("name"));
    check_name_expression(rule.name, table->get("name"), spec);
    rule.grid = expression_list(*table, "grid", names);
    rule.block = expression_list(*table, "block", names);
    if (const toml::node* smem = table->get("shared_bytes"))
      rule.shared_bytes = expression(smem, "shared_bytes", names);
    else
      rule.shared_bytes = Expression("0", at(node), names);
    if (table->get("cluster")) rule.cluster = expression_list(*table, "cluster", names);
    return rule;
  }

  std::map<std::string, long long> default_config(const toml::table& root, const TemplateSpec& spec) const {
    std::map<std::string, long long> out;
    const toml::node* node = root.get("default");
    if (!node) return out;
    const toml::table* table = node->as_table();
    if (!table) fail(node, "[default] must be a table of PARAM = value");
    for (const auto& [key, value] : *table) {
      const ParamSpec* param = spec.find_param(key.str());
      if (!param) fail(&value, fmt::format("[default] names '{}', which is not a parameter", key.str()));
      long long v = 0;
      if (value.is_integer()) v = value.as_integer()->get();
      else if (value.is_boolean()) v = value.as_boolean()->get() ? 1 : 0;
      else fail(&value, fmt::format("[default] value of '{}' must be one of its listed values", key.str()));
      if (std::find(param->values.begin(), param->values.end(), v) == param->values.end())
        fail(&value, fmt::format("[default] sets {} = {}, which is not in its value list", key.str(), v));
      out[std::string(key.str())] = v;
    }
    return out;
  }

  void roofline(const toml::table& root, TemplateSpec& spec, const std::vector<std::string>& names) const {
    const toml::node* node = root.get("roofline");
    if (!node || !node->as_table())
      fail(node ? node : &root, "missing table [roofline] with 'bytes' (ideal DRAM bytes) and 'flops'");
    const toml::table& table = *node->as_table();
    check_keys(table, {"bytes", "flops", "pipe"}, "[roofline]");
    const toml::node* bytes = table.get("bytes");
    if (!bytes) fail(node, "[roofline] needs 'bytes': the fewest DRAM bytes the problem must move");
    spec.ideal_bytes = expression(bytes, "roofline.bytes", names);
    const toml::node* flops = table.get("flops");
    spec.flops = flops ? expression(flops, "roofline.flops", names) : Expression("0", at(node), names);
    if (const toml::node* pipe = table.get("pipe")) {
      auto value = pipe->value<std::string>();
      if (!value || (*value != "fp32" && *value != "tensor"))
        fail(pipe, "[roofline] pipe must be \"fp32\" (CUDA cores) or \"tensor\" (tensor cores at the dtype's rate)");
      spec.compute_pipe = *value;
    }
  }

  std::map<DType, double> tolerance(const toml::table& root, const TemplateSpec& spec) const {
    // Defaults: relative L2 error a correct kernel stays well inside at fp32 accumulation.
    std::map<DType, double> out = {{DType::bf16, 1e-2}, {DType::fp16, 2e-3}, {DType::fp32, 1e-5},
                                   {DType::fp64, 1e-12}, {DType::i8, 0.0},   {DType::i32, 0.0},
                                   {DType::i64, 0.0}};
    if (const toml::node* node = root.get("tolerance")) {
      const toml::table* table = node->as_table();
      if (!table) fail(node, "[tolerance] must be a table of DTYPE = relative error");
      for (const auto& [key, value] : *table) {
        auto dtype = parse_dtype(key.str());
        if (!dtype) fail(&value, fmt::format("[tolerance] names unknown dtype '{}'", key.str()));
        auto v = value.value<double>();
        if (!v || *v < 0 || *v >= 1) fail(&value, "a tolerance must be a number in [0, 1)");
        out[*dtype] = *v;
      }
    }
    std::map<DType, double> used;
    for (auto d : spec.dtypes) used[d] = out[d];
    return used;
  }

  InitDistribution init_distribution(const toml::node* node) const {
    std::string text = node->is_string() ? std::string(node->as_string()->get()) : "";
    static const std::regex form(R"(\s*(normal|uniform)\s*\(\s*([-+0-9.eE]+)\s*,\s*([-+0-9.eE]+)\s*\)\s*)");
    std::smatch m;
    if (!std::regex_match(text, m, form))
      fail(node, fmt::format("init '{}' must be normal(mean, std) or uniform(low, high)", text));
    InitDistribution d;
    d.kind = m[1] == "normal" ? InitDistribution::Kind::normal : InitDistribution::Kind::uniform;
    try {
      d.a = std::stod(m[2]);
      d.b = std::stod(m[3]);
    } catch (const std::exception&) {
      fail(node, fmt::format("init '{}' has a number that does not parse", text));
    }
    if (d.kind == InitDistribution::Kind::normal && !(d.b > 0))
      fail(node, "normal(mean, std) needs std > 0: constant inputs hide bugs");
    if (d.kind == InitDistribution::Kind::uniform && !(d.b > d.a))
      fail(node, "uniform(low, high) needs low < high: constant inputs hide bugs");
    return d;
  }

  // An output's own comparison: tolerance, and scale / scale_group for
  // quantized outputs compared dequantized (code times its block's scale).
  void output_comparison(const toml::table& table, ArgSpec& arg, const std::vector<std::string>& names) const {
    const bool output = arg.kind == ArgKind::output || arg.kind == ArgKind::inout;
    for (auto k : {"tolerance", "scale", "scale_group"})
      if (table.get(k) && !output) fail(table.get(k), fmt::format("'{}' applies to outputs only", k));
    if (const toml::node* t = table.get("tolerance")) {
      auto v = t->value<double>();
      if (!v || !(*v >= 0)) fail(t, "tolerance must be a number >= 0: the relative L2 error allowed for this output");
      arg.tolerance = *v;
    }
    const toml::node* scale = table.get("scale");
    const toml::node* group = table.get("scale_group");
    if (scale) {
      auto name = scale->value<std::string>();
      if (!name || name->empty()) fail(scale, "scale must name the output that holds this one's scales");
      arg.scale = *name;
      if (!group) fail(scale, fmt::format("'{}' has a scale but no scale_group: the elements per scale (e.g. \"32\" or \"N\")", arg.name));
    }
    if (group) {
      if (!scale) fail(group, "scale_group goes with scale (the output holding the scales)");
      arg.scale_group = expression(group, "scale_group", names);
    }
  }

  std::optional<DType> arg_dtype(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (!node) return std::nullopt;
    std::string text = node->is_string() ? std::string(node->as_string()->get()) : "";
    if (text == "{dtype}") return std::nullopt;
    auto dtype = parse_dtype(text);
    if (!dtype) fail(node, fmt::format("{} '{}' must be \"{{dtype}}\" or one of {}", key, text, dtype_names_joined()));
    return dtype;
  }

  std::vector<Expression> expression_list(const toml::table& table, std::string_view key, const std::vector<std::string>& names,
                                          std::size_t min_size, std::size_t max_size) const {
    const toml::node* node = table.get(key);
    if (!node) fail(&table, fmt::format("missing required key '{}'", key));
    const toml::array* array = node->as_array();
    if (!array || array->size() < min_size || array->size() > max_size)
      fail(node, fmt::format("'{}' must be an array of {} to {} expressions", key, min_size, max_size));
    std::vector<Expression> out;
    for (const auto& e : *array) out.push_back(expression(&e, key, names));
    return out;
  }

  // A tensor map's keys: the buffer it describes (an earlier buffer argument),
  // global dims (1 to 5, innermost first), byte strides of the outer dims, the
  // box one copy moves, element strides, the swizzle, L2 promotion and the
  // out-of-bounds fill. Expressions may use the config.
  TensorMapSpec tensor_map(const toml::table& table, const toml::node& item, const std::vector<ArgSpec>& earlier,
                           const std::vector<std::string>& names) const {
    TensorMapSpec map;
    map.buffer = required_string(table, "buffer");
    auto buffer = std::find_if(earlier.begin(), earlier.end(), [&](const ArgSpec& a) { return a.name == map.buffer; });
    if (buffer == earlier.end() || !buffer->is_buffer())
      fail(table.get("buffer"), fmt::format("tensor map buffer '{}' must be a buffer argument listed before it", map.buffer));
    for (auto k : {"dtype", "reference_dtype", "count", "value", "init"})
      if (table.get(k)) fail(table.get(k), fmt::format("'{}' does not apply to a tensor map (its buffer has them)", k));
    map.dims = expression_list(table, "dims", names, 1, 5);
    map.strides = expression_list(table, "strides", names, map.dims.size() - 1, map.dims.size() - 1);
    map.box = expression_list(table, "box", names, map.dims.size(), map.dims.size());
    if (table.get("element_strides"))
      map.element_strides = expression_list(table, "element_strides", names, map.dims.size(), map.dims.size());
    const toml::node* swizzle = table.get("swizzle");
    map.swizzle = swizzle ? expression(swizzle, "swizzle", names) : Expression("0", at(&item), names);
    const toml::node* l2 = table.get("l2_promotion");
    map.l2_promotion = l2 ? expression(l2, "l2_promotion", names) : Expression("256", at(&item), names);
    if (const toml::node* fill = table.get("oob_fill")) {
      auto value = fill->value<std::string>();
      if (!value || (*value != "zero" && *value != "nan"))
        fail(fill, "oob_fill must be \"zero\" (out-of-bounds elements read as 0) or \"nan\"");
      map.oob_nan = *value == "nan";
    }
    return map;
  }

  // What cuTensorMapEncodeTiled would refuse, as constraints: configs that
  // break them are invalid offline, with the rule's text in the reason.
  void add_tensor_map_constraints(TemplateSpec& spec, const std::vector<std::string>& names) const {
    struct MapAt {
      const TensorMapSpec* map;
      SourceLocation where;
      std::string name;  // "a_map", or "globals.a_map" for a struct field
    };
    std::vector<MapAt> maps;
    for (const auto& arg : spec.args) {
      if (arg.kind == ArgKind::tensor_map) maps.push_back({&arg.tensor_map, arg.where, arg.name});
      for (const auto& field : arg.structure.fields)
        if (field.kind == FieldKind::tensor_map) maps.push_back({&field.tensor_map, field.where, arg.name + "." + field.name});
    }
    std::vector<Constraint> added;
    for (const auto& [map_ptr, where, map_name] : maps) {
      const TensorMapSpec& map = *map_ptr;
      const ArgSpec& buffer = *spec.find_arg(map.buffer);
      const std::string size = fmt::format("size({})", buffer.dtype ? std::string(dtype_info(*buffer.dtype).name) : "dtype");
      const std::string swizzle = "(" + map.swizzle.text() + ")";
      const std::string inner_bytes = fmt::format("({}) * {}", map.box[0].text(), size);
      std::vector<std::string> rules = {
          fmt::format("{0} == 0 || {0} == 32 || {0} == 64 || {0} == 128", swizzle),  // the swizzles TMA has
          fmt::format("{} % 16 == 0", inner_bytes),                                 // a box row is whole 16-byte pieces
          fmt::format("{0} == 0 || {1} <= {0}", swizzle, inner_bytes),              // a box row fits the swizzle span
      };
      for (const auto& b : map.box) rules.push_back(fmt::format("({0}) >= 1 && ({0}) <= 256", b.text()));  // box dims
      for (const auto& st : map.strides) rules.push_back(fmt::format("({0}) % 16 == 0", st.text()));      // TMA strides
      for (const auto& e : map.element_strides) rules.push_back(fmt::format("({0}) >= 1 && ({0}) <= 8", e.text()));
      if (map.l2_promotion.text() != "256")  // the default needs no rule (and adds none to `show`)
        rules.push_back(fmt::format("{0} == 0 || {0} == 64 || {0} == 128 || {0} == 256", "(" + map.l2_promotion.text() + ")"));
      for (const auto& rule : rules) added.push_back({Expression(rule, where, names), "tensor map " + map_name});
    }
    for (auto& c : added) spec.constraints.push_back(std::move(c));
  }

  // include_dirs (relative to the manifest's folder, or absolute), defines,
  // std and jit_compat; then the folders of --include-dir / TKBENCH_INCLUDE_PATH.
  void compile_settings(const toml::table& root, TemplateSpec& spec) const {
    namespace fs = std::filesystem;
    for (const auto& dir : string_list(root, "include_dirs", false)) {
      fs::path path(dir);
      if (path.is_relative()) {
        if (input_.include_dir.empty()) fail(root.get("include_dirs"), "include_dirs of a built-in template must be absolute");
        path = fs::path(input_.include_dir) / path;
      }
      std::error_code ec;
      if (!fs::is_directory(path, ec))
        fail(root.get("include_dirs"), fmt::format("include folder '{}' does not exist (relative entries start at the "
                                                   "manifest's folder); fix: correct the path, or leave it out and pass "
                                                   "--include-dir DIR", path.string()));
      spec.include_dirs.push_back(fs::absolute(path, ec).lexically_normal().string());
    }
    for (const auto& dir : input_.extra_include_dirs) spec.include_dirs.push_back(dir);
    static const std::regex define(R"([A-Za-z_][A-Za-z0-9_]*(=.*)?)");
    for (const auto& d : string_list(root, "defines", false))
      if (!std::regex_match(d, define))
        fail(root.get("defines"), fmt::format("define '{}' must be NAME or NAME=VALUE (given to NVRTC as -D)", d));
      else
        spec.defines.push_back(d);
    spec.cxx_standard = optional_string(root, "std", "c++17");
    if (!std::regex_match(spec.cxx_standard, std::regex("c\\+\\+(11|14|17|20)")))
      fail(root.get("std"), fmt::format("std '{}' must be \"c++11\", \"c++14\", \"c++17\" or \"c++20\" (NVRTC's -std)",
                                        spec.cxx_standard));
    if (const toml::node* jit = root.get("jit_compat")) {
      if (!jit->is_boolean()) fail(jit, "jit_compat must be true or false");
      spec.jit_compat = jit->as_boolean()->get();
    }
  }

  // [[excerpts]]: the device part of a file from an include folder, cut
  // between two marker lines, handed to NVRTC as a header under `name`: a
  // kernel file whose host part (main, benchmarks, <iostream>) NVRTC cannot
  // compile, used as it is in the user's checkout.
  void excerpts(const toml::table& root, const TemplateSpec& spec) {
    const toml::node* node = root.get("excerpts");
    if (!node) return;
    const toml::array* array = node->as_array();
    if (!array || !array->is_array_of_tables()) fail(node, "'excerpts' must be written as [[excerpts]] tables");
    for (const auto& item : *array) {
      const toml::table& t = *item.as_table();
      check_keys(t, {"name", "file", "from", "until"}, "[[excerpts]]");
      const std::string name = required_string(t, "name"), file = required_string(t, "file");
      const std::string from = optional_string(t, "from", ""), until = optional_string(t, "until", "");
      std::filesystem::path found;
      for (const auto& dir : spec.include_dirs)
        if (std::error_code ec; std::filesystem::is_regular_file(std::filesystem::path(dir) / file, ec)) {
          found = std::filesystem::path(dir) / file;
          break;
        }
      if (found.empty()) {
        std::string dirs;
        for (const auto& d : spec.include_dirs) dirs += (dirs.empty() ? "" : ", ") + d;
        fail(t.get("file"), fmt::format("excerpt '{}': '{}' is in no include folder ({}); fix: pass the folder it is "
                                        "relative to, e.g. --include-dir /path/to/ThunderKittens",
                                        name, file, dirs.empty() ? "none given" : dirs));
      }
      const std::string text = read_file(found).value_or("");
      std::istringstream lines(text);
      std::string out, line;
      int number = 0, first = 0;
      bool in = from.empty(), ended = false;
      while (std::getline(lines, line)) {
        ++number;
        if (!in && line.find(from) != std::string::npos) in = true;
        if (in && !until.empty() && first && line.find(until) != std::string::npos) {
          ended = true;
          break;
        }
        if (!in) continue;
        if (!first) first = number;
        out += line + "\n";
      }
      if (!first) fail(t.get("from"), fmt::format("excerpt '{}': no line of {} contains '{}'", name, found.string(), from));
      if (!until.empty() && !ended)
        fail(t.get("until"), fmt::format("excerpt '{}': no line of {} after '{}' contains '{}'", name, found.string(), from, until));
      // NVRTC's messages point at the user's file and its own line numbers.
      excerpts_[name] = {fmt::format("#line {} \"{}\"\n{}", first, found.string(), out), found.parent_path()};
    }
  }

  // [reference] args: the reference kernel's parameters by argument name, for
  // a reference whose signature differs from the kernel's (a kernel that
  // takes one struct; a reference that takes the buffers it points at).
  std::vector<std::string> reference_args(const toml::table& root, const TemplateSpec& spec) const {
    const toml::table* reference = root.get("reference") ? root.get("reference")->as_table() : nullptr;
    if (!reference || !reference->get("args")) return {};
    const toml::node* node = reference->get("args");
    std::vector<std::string> names = string_list(*reference, "args", true);
    if (names.empty()) fail(node, "[reference] args must name the reference's parameters in order");
    for (const auto& n : names) {
      const ArgSpec* a = spec.find_arg(n);
      if (!a) fail(node, fmt::format("[reference] args names '{}', which is not an [[args]] entry", n));
      if (a->kind == ArgKind::struct_value) fail(node, fmt::format("[reference] args: '{}' is a struct; name the buffers and scalars it holds", n));
    }
    return names;
  }

  // A power of two of at least `minimum`, for `align` keys.
  long long alignment(const toml::node* node, long long minimum, std::string_view what) const {
    if (!node) return 0;
    long long v = node->is_integer() ? node->as_integer()->get() : -1;
    if (v < 1 || v > 4096 || (v & (v - 1)) != 0 || v < minimum)
      fail(node, fmt::format("{} align must be a power of two from {} to 4096 (C++'s alignas)", what, minimum));
    return v;
  }

  // A struct argument's fields, in declaration order ([[args.fields]]).
  StructSpec struct_spec(const toml::table& table, const toml::node& item, const std::vector<ArgSpec>& earlier,
                         const std::vector<std::string>& names) const {
    StructSpec out;
    out.align = alignment(table.get("align"), 1, "a struct's");
    const toml::node* node = table.get("fields");
    const toml::array* array = node ? node->as_array() : nullptr;
    if (!array || array->empty() || !array->is_array_of_tables())
      fail(node ? node : &item, "a struct needs its fields in order, as [[args.fields]] tables with name and kind");
    std::set<std::string> seen;
    for (const auto& f : *array) {
      const toml::table& ft = *f.as_table();
      StructField field;
      field.where = at(&f);
      field.name = required_string(ft, "name");
      if (!seen.insert(field.name).second) fail(ft.get("name"), fmt::format("field '{}' is listed twice", field.name));
      const std::string kind = required_string(ft, "kind");
      if (kind == "pointer") {
        check_keys(ft, {"name", "kind", "buffer", "align"}, "a pointer field");
        field.kind = FieldKind::pointer;
        field.buffer = required_string(ft, "buffer");
        const ArgSpec* buffer = nullptr;
        for (const auto& a : earlier)
          if (a.name == field.buffer) buffer = &a;
        if (!buffer || !buffer->is_buffer())
          fail(ft.get("buffer"), fmt::format("pointer field '{}': '{}' must be a buffer argument listed before the struct",
                                             field.name, field.buffer));
      } else if (kind == "scalar") {
        check_keys(ft, {"name", "kind", "dtype", "value", "align"}, "a scalar field");
        field.kind = FieldKind::scalar;
        const std::string dtype = required_string(ft, "dtype");
        auto d = parse_dtype(dtype);
        if (!d) fail(ft.get("dtype"), fmt::format("field dtype '{}' must be one of {}", dtype, dtype_names_joined()));
        field.dtype = *d;
        const toml::node* value = ft.get("value");
        if (!value) fail(&f, fmt::format("scalar field '{}' needs a value expression", field.name));
        field.value = expression(value, "value", names);
      } else if (kind == "tensor_map") {
        check_keys(ft, {"name", "kind", "buffer", "dims", "strides", "box", "element_strides", "swizzle", "l2_promotion",
                        "oob_fill", "align"},
                   "a tensor_map field");
        field.kind = FieldKind::tensor_map;
        field.tensor_map = tensor_map(ft, f, earlier, names);
      } else if (kind == "padding") {
        check_keys(ft, {"name", "kind", "bytes", "align"}, "a padding field");
        field.kind = FieldKind::padding;
        const toml::node* bytes = ft.get("bytes");
        field.bytes = bytes && bytes->is_integer() ? bytes->as_integer()->get() : -1;
        if (field.bytes < 1 || field.bytes > 4096)
          fail(bytes ? bytes : &f, "a padding field needs bytes = 1 to 4096 (an empty C++ member, such as a "
                                   "compile-time dim, is 1 byte)");
      } else {
        fail(ft.get("kind"), fmt::format("field kind '{}' must be pointer, scalar, tensor_map or padding", kind));
      }
      field.align = alignment(ft.get("align"), 1, fmt::format("field '{}':", field.name));
      out.fields.push_back(std::move(field));
    }
    return out;
  }

  // A block over the arch's opt-in shared memory cannot launch: prune it
  // before compiling, whatever the manifest's own constraints say.
  void add_shared_memory_constraint(TemplateSpec& spec, const std::vector<std::string>& names) const {
    const Expression& bytes = spec.kernel.shared_bytes;
    if (bytes.names().empty()) return;  // a constant: the check command judges it once
    spec.constraints.push_back({Expression(fmt::format("({}) <= max_shared_bytes", bytes.text()), bytes.where(), names),
                                "[kernel] shared_bytes within the arch's opt-in limit"});
  }

  // [model]: let = ["name = expression", ...] evaluated in order, cost = "expression".
  std::optional<CostModel> model(const toml::table& root, std::vector<std::string> names) const {
    const toml::node* node = root.get("model");
    if (!node) return std::nullopt;
    const toml::table* table = node->as_table();
    if (!table) fail(node, "'model' must be a table: [model] with cost = \"expression\"");
    check_keys(*table, {"let", "cost"}, "[model]");
    CostModel model;
    if (const toml::node* let = table->get("let")) {
      const toml::array* array = let->as_array();
      if (!array) fail(let, "[model] let must be an array of \"name = expression\" strings");
      for (const auto& item : *array) {
        std::smatch m;
        const std::string text = item.is_string() ? item.as_string()->get() : "";
        if (!std::regex_match(text, m, std::regex(R"(\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*\S)\s*)")))
          fail(&item, "each [model] let entry must read \"name = expression\", e.g. \"tiles = ceil_div(M, BM) * ceil_div(N, BN)\"");
        const std::string name = m[1];
        const auto builtins = builtin_expression_names();
        if (std::find(names.begin(), names.end(), name) != names.end() ||
            std::find(builtins.begin(), builtins.end(), name) != builtins.end() ||
            std::find(expression_functions().begin(), expression_functions().end(), name) != expression_functions().end())
          fail(&item, fmt::format("[model] let name '{}' is already a dim, parameter, reserved name or earlier let", name));
        model.let.emplace_back(name, Expression(m[2], at(&item), names));
        names.push_back(name);
      }
    }
    const toml::node* cost = table->get("cost");
    if (!cost) fail(node, "[model] needs cost = \"expression\": the predicted relative time of a config (lower is better)");
    model.cost = expression(cost, "[model] cost", names);
    return model;
  }

  // [baseline]: the library timed beside the template. Names buffers of
  // [[args]], so it reads the same inputs and its output is checked the same way.
  std::optional<BaselineSpec> baseline(const toml::table& root, const TemplateSpec& spec,
                                       const std::vector<std::string>& names) const {
    const toml::node* node = root.get("baseline");
    if (!node) return std::nullopt;
    const toml::table* table = node->as_table();
    if (!table) fail(node, "[baseline] must be a table (library, a, b, d, b_layout, m, n, k)");
    check_keys(*table, {"library", "a", "b", "d", "b_layout", "m", "n", "k", "lda", "ldb"}, "[baseline]");
    BaselineSpec b;
    b.where = at(node);
    b.library = required_string(*table, "library");
    if (b.library != "cublas")
      fail(table->get("library"), fmt::format("baseline library '{}' is unknown; the one available is \"cublas\" (a GEMM "
                                              "through cuBLASLt)", b.library));
    auto buffer = [&](std::string_view key, bool output) {
      std::string arg_name = required_string(*table, key);
      const ArgSpec* arg = spec.find_arg(arg_name);
      if (!arg || !arg->is_buffer())
        fail(table->get(key), fmt::format("[baseline] {} = '{}' must name a buffer of [[args]]", key, arg_name));
      if (output && arg->kind == ArgKind::input)
        fail(table->get(key), fmt::format("[baseline] d = '{}' must be an output buffer", arg_name));
      return arg_name;
    };
    b.a = buffer("a", false);
    b.b = buffer("b", false);
    b.d = buffer("d", true);
    const std::string layout = optional_string(*table, "b_layout", "nk");
    if (layout != "nk" && layout != "kn")
      fail(table->get("b_layout"), "b_layout must be \"nk\" (B is N×K, D = A·Bᵀ) or \"kn\" (B is K×N, D = A·B)");
    b.b_kn = layout == "kn";
    auto dim = [&](std::string_view key, const char* fallback) {
      if (const toml::node* n = table->get(key)) return expression(n, fmt::format("baseline.{}", key), names);
      if (std::find(spec.dims.begin(), spec.dims.end(), fallback) == spec.dims.end())
        fail(node, fmt::format("[baseline] needs '{}': the shape has no dim named {}", key, fallback));
      return Expression(fallback, at(node), names);
    };
    b.m = dim("m", "M");
    b.n = dim("n", "N");
    b.k = dim("k", "K");
    // Leading dimensions (elements between rows) when rows are padded.
    auto leading = [&](std::string_view key, const Expression& fallback) {
      const toml::node* n = table->get(key);
      return n ? expression(n, fmt::format("baseline.{}", key), names) : fallback;
    };
    b.lda = leading("lda", b.k);
    b.ldb = leading("ldb", b.b_kn ? b.n : b.k);
    return b;
  }

  std::vector<ArgSpec> args(const toml::table& root, const std::vector<std::string>& names) const {
    std::vector<ArgSpec> out;
    const toml::node* node = root.get("args");
    if (!node) fail(&root, "missing [[args]]: the kernel's arguments in order");
    const toml::array* array = node->as_array();
    if (!array || !array->is_array_of_tables()) fail(node, "'args' must be written as [[args]] tables");
    std::set<std::string> seen;
    for (const auto& item : *array) {
      const toml::table& table = *item.as_table();
      check_keys(table, {"name", "kind", "dtype", "reference_dtype", "tolerance", "scale", "scale_group", "count", "value", "init",
                         "buffer", "dims", "strides", "box", "element_strides", "swizzle", "l2_promotion", "oob_fill", "fields",
                         "align", "pass"},
                 "[[args]]");
      ArgSpec arg;
      arg.where = at(&item);
      arg.name = required_string(table, "name");
      if (!seen.insert(arg.name).second) fail(table.get("name"), fmt::format("argument '{}' is listed twice", arg.name));
      std::string kind = required_string(table, "kind");
      if (kind == "input") arg.kind = ArgKind::input;
      else if (kind == "output") arg.kind = ArgKind::output;
      else if (kind == "inout") arg.kind = ArgKind::inout;
      else if (kind == "scalar") arg.kind = ArgKind::scalar;
      else if (kind == "tensor_map") arg.kind = ArgKind::tensor_map;
      else if (kind == "struct") arg.kind = ArgKind::struct_value;
      else fail(table.get("kind"), fmt::format("kind '{}' must be input, output, inout, scalar, tensor_map or struct", kind));
      if (arg.kind != ArgKind::tensor_map)
        for (auto k : {"buffer", "dims", "strides", "box", "element_strides", "swizzle", "l2_promotion", "oob_fill"})
          if (table.get(k)) fail(table.get(k), fmt::format("'{}' applies to tensor maps only", k));
      if (arg.kind != ArgKind::struct_value)
        for (auto k : {"fields", "align"})
          if (table.get(k)) fail(table.get(k), fmt::format("'{}' applies to structs only (kind = \"struct\")", k));
      if (const toml::node* pass = table.get("pass")) {
        if (!pass->is_boolean()) fail(pass, "'pass' must be true or false");
        arg.passed = pass->as_boolean()->get();
        if (!arg.passed && arg.kind != ArgKind::scalar && !arg.is_buffer())
          fail(pass, "pass = false applies to buffers and scalars (a struct field or the reference names them)");
      }
      if (arg.kind == ArgKind::tensor_map) {
        arg.tensor_map = tensor_map(table, item, out, names);
        out.push_back(std::move(arg));
        continue;
      }
      if (arg.kind == ArgKind::struct_value) {
        arg.structure = struct_spec(table, item, out, names);
        for (auto k : {"dtype", "reference_dtype", "count", "value", "init"})
          if (table.get(k)) fail(table.get(k), fmt::format("'{}' does not apply to a struct (its fields have them)", k));
        out.push_back(std::move(arg));
        continue;
      }
      arg.dtype = arg_dtype(table, "dtype");
      arg.reference_dtype = arg_dtype(table, "reference_dtype");
      if (arg.reference_dtype && arg.kind == ArgKind::input)
        fail(table.get("reference_dtype"), "reference_dtype applies to outputs only");
      output_comparison(table, arg, names);
      if (arg.kind == ArgKind::scalar) {
        if (!table.get("dtype")) fail(&item, fmt::format("scalar '{}' needs a dtype (e.g. \"i64\", \"fp32\")", arg.name));
        if (arg.dtype == DType::e4m3 || arg.dtype == DType::e8m0)
          fail(table.get("dtype"), fmt::format("scalar '{}': FP8 types are for buffers; pass an fp32 scalar", arg.name));
        const toml::node* value = table.get("value");
        if (!value) fail(&item, fmt::format("scalar '{}' needs a value expression", arg.name));
        arg.value = expression(value, "value", names);
        for (auto k : {"count", "init"})
          if (table.get(k)) fail(table.get(k), fmt::format("'{}' does not apply to a scalar", k));
      } else {
        const toml::node* count = table.get("count");
        if (!count) fail(&item, fmt::format("buffer '{}' needs count: its number of elements", arg.name));
        arg.count = expression(count, "count", names);
        if (table.get("value")) fail(table.get("value"), "'value' applies to scalars only; buffers take count");
        const toml::node* init = table.get("init");
        if (arg.kind == ArgKind::output) {
          if (init) fail(init, "outputs are poisoned before each run; 'init' applies to input and inout buffers");
        } else {
          arg.init = init ? init_distribution(init) : InitDistribution{};
        }
      }
      out.push_back(std::move(arg));
    }
    // A scale names another output (its scales are written, not given).
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (out[i].scale.empty()) continue;
      const auto it = std::find_if(out.begin(), out.end(), [&](const ArgSpec& a) {
        return a.name == out[i].scale && (a.kind == ArgKind::output || a.kind == ArgKind::inout);
      });
      if (it == out.end() || it->name == out[i].name)
        fail((*array)[i].as_table()->get("scale"),
             fmt::format("scale '{}' of '{}' is not another output of this kernel: name the [[args]] output that holds its scales",
                         out[i].scale, out[i].name));
    }
    return out;
  }

  // Reads the source and, transitively, every header it includes that is
  // tkbench's or sits beside the manifest (handed to NVRTC by name), or lies
  // in an include folder (NVRTC reads those itself; tkbench hashes them).
  // Toolkit and system headers are covered by the NVRTC version in cache keys.
  void load_sources(const toml::table& root, TemplateSpec& spec) const {
    namespace fs = std::filesystem;
    std::string source_name = required_string(root, "source");
    auto text = input_.read_relative(source_name);
    if (!text) fail(root.get("source"), fmt::format("source file '{}' not found next to the manifest", source_name));
    spec.source = {source_name, *text};

    static const std::regex include(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
    struct Pending {
      std::string text;
      fs::path dir;  // a header from an include folder: where its own quoted includes start
    };
    std::vector<Pending> pending = {{*text, {}}};
    std::set<std::string> done;                            // names handed to NVRTC
    std::map<std::string, std::string> include_files;      // canonical path -> text, from include folders
    while (!pending.empty()) {
      Pending current = std::move(pending.back());
      pending.pop_back();
      std::istringstream lines(current.text);
      for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (!std::regex_search(line, m, include)) continue;
        const std::string name = m[2];
        if (auto excerpt = excerpts_.find(name); excerpt != excerpts_.end()) {
          if (done.insert(name).second) {
            spec.headers.push_back({name, excerpt->second.first});
            pending.push_back({excerpt->second.first, excerpt->second.second});
          }
          continue;
        }
        if (current.dir.empty() && !done.count(name)) {
          std::optional<std::string> header = input_.read_shared_header(name);
          if (!header) header = input_.read_relative(name);
          if (header) {
            done.insert(name);
            spec.headers.push_back({name, *header});
            pending.push_back({*header, {}});
            continue;
          }
        }
        std::vector<fs::path> candidates;
        if (m[1] == "\"" && !current.dir.empty()) candidates.push_back(current.dir / name);
        for (const auto& dir : spec.include_dirs) candidates.push_back(fs::path(dir) / name);
        for (const auto& candidate : candidates) {
          std::error_code ec;
          if (!fs::is_regular_file(candidate, ec)) continue;
          const std::string key = fs::weakly_canonical(candidate, ec).string();
          if (include_files.count(key)) break;
          auto header = read_file(candidate);
          if (!header) break;
          include_files[key] = *header;
          pending.push_back({*header, fs::path(key).parent_path()});
          break;
        }
      }
    }
    if (!include_files.empty()) {
      Sha256 includes;
      for (const auto& [path, header] : include_files) {
        includes.update(path);
        includes.update(header);
      }
      spec.include_hash = includes.hex_digest();
    }
    Sha256 hash;
    hash.update("tkbench-template-v1");
    hash.update(input_.text);
    hash.update(spec.source.text);
    for (const auto& h : spec.headers) {
      hash.update(h.name);
      hash.update(h.text);
    }
    if (!spec.include_hash.empty()) hash.update(spec.include_hash);
    spec.source_hash = hash.hex_digest();
  }
};

}  // namespace

TemplateSpec parse_manifest(const ManifestInput& input) { return ManifestReader(input).read(); }

std::string_view arg_kind_name(ArgKind kind) {
  switch (kind) {
    case ArgKind::input: return "input";
    case ArgKind::output: return "output";
    case ArgKind::inout: return "inout";
    case ArgKind::scalar: return "scalar";
    case ArgKind::tensor_map: return "tensor_map";
    case ArgKind::struct_value: return "struct";
  }
  return "?";
}

std::string_view field_kind_name(FieldKind kind) {
  switch (kind) {
    case FieldKind::pointer: return "pointer";
    case FieldKind::scalar: return "scalar";
    case FieldKind::tensor_map: return "tensor_map";
    case FieldKind::padding: return "padding";
  }
  return "?";
}

std::string InitDistribution::str() const {
  return fmt::format("{}({}, {})", kind == Kind::normal ? "normal" : "uniform", a, b);
}

const ArgSpec* TemplateSpec::find_arg(std::string_view arg_name) const {
  for (const auto& a : args)
    if (a.name == arg_name) return &a;
  return nullptr;
}

std::vector<const ArgSpec*> TemplateSpec::launch_args(bool for_reference) const {
  std::vector<const ArgSpec*> out;
  if (for_reference && !reference_args.empty()) {
    for (const auto& name : reference_args) out.push_back(find_arg(name));  // the parser checked every name
    return out;
  }
  for (const auto& a : args)
    if (a.passed) out.push_back(&a);
  return out;
}

const ParamSpec* TemplateSpec::find_param(std::string_view param_name) const {
  for (const auto& p : params)
    if (p.name == param_name) return &p;
  return nullptr;
}

std::vector<std::string> TemplateSpec::expression_names() const {
  std::vector<std::string> names = dims;
  for (const auto& p : params) names.push_back(p.name);
  names.push_back("dtype");
  names.push_back("num_sms");
  names.push_back("max_shared_bytes");
  return names;
}

double TemplateSpec::raw_space_size() const {
  double n = 1;
  for (const auto& p : params) n *= static_cast<double>(p.values.size());
  return n;
}

}  // namespace tkbench
