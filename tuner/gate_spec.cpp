#include "tuner/gate_spec.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "tuner/file_util.hpp"
#include "tuner/search_space.hpp"
#include "tuner/strategy.hpp"

namespace tkbench {
namespace {

class SpecReader {
 public:
  SpecReader(const std::string& path, const TemplateRegistry& registry) : path_(path), registry_(registry) {}

  GateSpec read(const std::string& text) {
    toml::table root;
    try {
      root = toml::parse(text, path_);
    } catch (const toml::parse_error& e) {
      throw InputError(fmt::format("{}: malformed TOML: {}", at(e.source()).str(), e.description()));
    }
    check_keys(root, {"max_regression", "min_sol", "max_time", "min_samples", "entry"}, "the gate spec");
    GateSpec spec;
    spec.path = path_;
    spec.max_regression = fraction(root, "max_regression");
    const std::optional<double> default_min_sol = fraction(root, "min_sol");
    if (auto t = number(root, "max_time")) {
      if (*t <= 0) fail(root.get("max_time"), "'max_time' must be a positive number of seconds");
      spec.max_time = *t;
    }
    if (auto n = number(root, "min_samples")) {
      if (*n < 10 || *n > 2000 || *n != static_cast<int>(*n))
        fail(root.get("min_samples"), "'min_samples' must be a whole number from 10 to 2000");
      spec.min_samples = static_cast<int>(*n);
    }
    const toml::node* entries = root.get("entry");
    if (!entries) fail(&root, "no [[entry]] tables: a gate spec lists what to measure, e.g.\n"
                              "[[entry]]\ntemplate = \"rmsnorm\"\nshapes = [\"4096x8192\"]\ndtype = \"bf16\"");
    const toml::array* list = entries->as_array();
    if (!list || !list->is_array_of_tables()) fail(entries, "'entry' must be a list of tables: write [[entry]]");
    for (const auto& node : *list) spec.entries.push_back(entry(*node.as_table(), default_min_sol));
    return spec;
  }

 private:
  std::string path_;
  const TemplateRegistry& registry_;

  SourceLocation at(const toml::source_region& region) const {
    return {path_, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
  }
  SourceLocation at(const toml::node* node) const { return node ? at(node->source()) : SourceLocation{path_, 0, 0}; }
  [[noreturn]] void fail(const toml::node* node, const std::string& why) const {
    throw InputError(fmt::format("{}: {}", at(node).str(), why));
  }
  // Errors of the shared parsers (shapes, dtypes, configs) get the line they come from.
  template <typename F>
  decltype(auto) located(const toml::node* node, F&& parse) const {
    try {
      return parse();
    } catch (const InputError& e) {
      fail(node, e.what());
    }
  }

  void check_keys(const toml::table& table, std::initializer_list<std::string_view> allowed, std::string_view where) const {
    for (const auto& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      std::string known;
      for (auto k : allowed) known += (known.empty() ? "" : ", ") + std::string(k);
      throw InputError(fmt::format("{}: unknown key '{}' in {}; allowed: {}", at(key.source()).str(), key.str(), where, known));
    }
  }

  std::optional<double> number(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (!node) return std::nullopt;
    if (auto i = node->as_integer()) return static_cast<double>(i->get());
    if (auto f = node->as_floating_point()) return f->get();
    fail(node, fmt::format("'{}' must be a number", key));
  }

  // 0.95, or "95%".
  std::optional<double> fraction(const toml::table& table, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (!node) return std::nullopt;
    // A floor of speed of light over 100% can never be met; a regression allowance can be anything.
    auto parse = key == "min_sol" ? parse_sol_floor : parse_fraction;
    if (auto s = node->as_string()) return located(node, [&] { return parse(s->get(), key); });
    auto value = number(table, key);
    return located(node, [&] { return parse(fmt::format("{}", *value), key); });
  }

  std::string string(const toml::table& table, std::string_view key, bool required) const {
    const toml::node* node = table.get(key);
    if (!node) {
      if (required) fail(&table, fmt::format("missing required key '{}'", key));
      return "";
    }
    if (!node->is_string()) fail(node, fmt::format("'{}' must be a string", key));
    return node->as_string()->get();
  }

  GateSpecEntry entry(const toml::table& table, std::optional<double> default_min_sol) const {
    check_keys(table, {"template", "shapes", "shape", "dtype", "config", "min_sol", "max_time_us", "strategy", "budget"},
               "an [[entry]]");
    GateSpecEntry e;
    e.where = at(&table);
    const std::string name = string(table, "template", true);
    e.spec = &located(table.get("template"), [&]() -> const TemplateSpec& { return registry_.get(name); });
    const TemplateSpec& spec = *e.spec;

    const toml::node* shapes = table.get("shapes") ? table.get("shapes") : table.get("shape");
    if (table.get("shapes") && table.get("shape")) fail(table.get("shape"), "write 'shapes' or 'shape', not both");
    if (!shapes) fail(&table, "missing required key 'shapes', e.g. shapes = [\"4096x8192\", \"16384x8192\"]");
    std::vector<std::pair<std::string, const toml::node*>> shape_texts;
    if (auto s = shapes->as_string()) shape_texts.emplace_back(s->get(), shapes);
    else if (auto a = shapes->as_array())
      for (const auto& item : *a) {
        if (!item.is_string()) fail(&item, "each shape must be a string such as \"4096x8192\"");
        shape_texts.emplace_back(item.as_string()->get(), &item);
      }
    else fail(shapes, "'shapes' must be a list of strings such as [\"4096x8192\"]");
    if (shape_texts.empty()) fail(shapes, "'shapes' must list at least one shape");

    const toml::node* dtype_node = table.get("dtype");
    const DType dtype = located(dtype_node, [&] { return parse_problem_dtype(string(table, "dtype", false), spec); });
    e.config_text = string(table, "config", false);
    e.filter = located(table.get("config"), [&] {
      try {
        return parse_config_filter(e.config_text, spec);
      } catch (const InputError& error) {  // its messages speak of the command line's --config
        std::string why = error.what();
        if (why.rfind("--config", 0) == 0) why.erase(0, 2);
        throw InputError(why);
      }
    });
    for (const auto& [text, node] : shape_texts) {
      Problem problem = located(node, [&] { return make_problem(spec, parse_shape(text, spec), dtype); });
      // An empty space is found now, with its reason, not after minutes on the GPU.
      located(table.get("config") ? table.get("config") : node, [&] { return SearchSpace(spec, problem).enumerate(e.filter); });
      e.problems.push_back(std::move(problem));
    }

    e.min_sol = table.get("min_sol") ? fraction(table, "min_sol") : default_min_sol;
    if (const toml::node* node = table.get("max_time_us")) {
      if (auto per_shape = node->as_table()) {
        for (const auto& [key, value] : *per_shape) {
          const std::string shape(key.str());
          if (std::none_of(e.problems.begin(), e.problems.end(), [&](const Problem& p) { return p.shape_str() == shape; }))
            fail(&value, fmt::format("max_time_us names shape '{}', which this entry does not measure", shape));
          if (!value.is_number() || value.value_or(0.0) <= 0) fail(&value, "max_time_us must be a positive number of microseconds");
          e.max_time_us_by_shape[shape] = value.value_or(0.0);
        }
      } else if (node->is_number() && node->value_or(0.0) > 0) {
        e.max_time_us = node->value_or(0.0);
      } else {
        fail(node, "max_time_us must be a positive number of microseconds, or a table { \"4096x8192\" = 40.0 }");
      }
    }
    e.strategy = string(table, "strategy", false);
    const auto& names = strategy_names();
    if (!e.strategy.empty() && std::find(names.begin(), names.end(), e.strategy) == names.end()) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      fail(table.get("strategy"), fmt::format("strategy '{}' is not one tkbench has; available: {}", e.strategy, list));
    }
    if (auto b = number(table, "budget")) {
      if (*b < 1 || *b != static_cast<double>(static_cast<long long>(*b))) fail(table.get("budget"), "'budget' must be a whole number >= 1");
      e.budget = static_cast<std::size_t>(*b);
    }
    return e;
  }
};

}  // namespace

std::optional<double> GateSpecEntry::max_time_for(const std::string& shape) const {
  if (auto it = max_time_us_by_shape.find(shape); it != max_time_us_by_shape.end()) return it->second;
  return max_time_us;
}

double parse_fraction(std::string_view text, std::string_view what) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  const bool percent = !s.empty() && s.back() == '%';
  if (percent) s.remove_suffix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !(value >= 0))
    throw InputError(fmt::format("{} '{}' is not a percentage such as 5% or a fraction such as 0.05", what, text));
  if (!percent && value > 1)
    throw InputError(fmt::format("{} '{}' is ambiguous: write {}% for a percentage, or a fraction such as {:g}", what, text, text,
                                 value / 100));
  return percent ? value / 100 : value;
}

double parse_sol_floor(std::string_view text, std::string_view what) {
  const double value = parse_fraction(text, what);
  if (value > 1)
    throw InputError(fmt::format("{} '{}' can never be met: a result reaches at most about 100% of its roof; give a floor "
                                 "up to 100%, such as 90%", what, text));
  return value;
}

GateSpec parse_gate_spec(const std::string& text, const std::string& path, const TemplateRegistry& registry) {
  return SpecReader(path, registry).read(text);
}

GateSpec load_gate_spec(const std::filesystem::path& path, const TemplateRegistry& registry) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(fmt::format("{}: no such file", path.string()));
  if (std::filesystem::is_directory(path, ec))
    throw InputError(fmt::format("{}: is a folder; --spec takes a gate spec file, a .toml with [[entry]] tables "
                                 "(e.g. bench/gate/rmsnorm.toml; docs/ci.md)", path.string()));
  auto text = read_file(path);
  if (!text) throw InputError(fmt::format("{}: cannot read it", path.string()));
  return parse_gate_spec(*text, path.string(), registry);
}

}  // namespace tkbench
