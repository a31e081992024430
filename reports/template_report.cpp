#include "reports/template_report.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "reports/terminal.hpp"
#include "tuner/struct_layout.hpp"

namespace tkbench {
namespace {
std::string join_dims(const TemplateSpec& s) {
  std::string out;
  for (const auto& d : s.dims) out += (out.empty() ? "" : " x ") + d;
  return out;
}
std::string join_dtypes(const TemplateSpec& s) {
  std::string out;
  for (auto d : s.dtypes) out += (out.empty() ? "" : ", ") + std::string(dtype_info(d).name);
  return out;
}
}  // namespace

void print_template_list(std::FILE* out, const std::vector<TemplateSpec>& templates, bool color) {
  Table table({"template", "shape", "dtypes", "params", "configs", "origin", "description"});
  for (const auto& t : templates)
    table.add_row({Cell(t.name, Style::bold), join_dims(t), join_dtypes(t), std::to_string(t.params.size()),
                   fmt::format("{:.0f}", t.raw_space_size()), t.builtin ? "built-in" : t.manifest_path, t.description});
  table.print(out, color);
}

void print_template_details(std::FILE* out, const TemplateSpec& s, const std::optional<SpaceAtShape>& at_shape,
                            bool color) {
  auto line = [&](const std::string& key, const std::string& value) {
    std::fprintf(out, "%s %s\n", styled(fmt::format("{:<13}", key + ":"), Style::bold, color).c_str(), value.c_str());
  };
  line("template", s.name);
  if (!s.description.empty()) line("description", s.description);
  line("manifest", s.manifest_path);
  line("source", fmt::format("{} (hash {})", s.source.name, s.source_hash.substr(0, 12)));
  line("shape", fmt::format("{}  (--shape takes {} number{} joined by 'x')", join_dims(s), s.dims.size(), s.dims.size() == 1 ? "" : "s"));
  line("dtypes", join_dtypes(s) + "  (the first is the default)");
  if (!s.arch.empty()) line("arch", s.arch + "  (compiled for it; other compute capabilities are refused)");
  line("kernel", s.kernel.name);
  line("reference", s.reference ? s.reference->name : styled("none: results are unverified", Style::yellow, color));
  line("ideal bytes", s.ideal_bytes.text());
  line("flops", s.flops.text());
  std::string tol;
  for (const auto& [d, t] : s.tolerance) tol += fmt::format("{}{}={:g}", tol.empty() ? "" : ", ", dtype_info(d).name, t);
  line("tolerance", tol + " (relative L2 error)");

  std::fprintf(out, "\n%s\n", styled("parameters", Style::bold, color).c_str());
  Table params({"name", "values", "default"});
  for (const auto& p : s.params) {
    std::string values;
    for (auto v : p.values) values += fmt::format("{}{}", values.empty() ? "" : ", ", p.is_bool ? (v ? "true" : "false") : std::to_string(v));
    auto d = s.default_config.find(p.name);
    std::string default_value = d == s.default_config.end() ? "-" : p.is_bool ? (d->second ? "true" : "false") : std::to_string(d->second);
    params.add_row({p.name, values, default_value});
  }
  params.print(out, color);
  std::string space = fmt::format("{:.0f} configs before constraints", s.raw_space_size());
  if (at_shape) {
    const Problem& problem = at_shape->problem;
    space += fmt::format(", {} valid at shape {} {}", at_shape->valid_configs, problem.shape_str(),
                         dtype_info(problem.dtype).name);
    if (at_shape->unlaunchable.count)
      space += fmt::format(" ({} more satisfy the constraints but cannot launch: {})", at_shape->unlaunchable.count,
                           at_shape->unlaunchable.first_reason);
  } else
    space += " (add --shape to count the valid ones)";
  std::fprintf(out, "space: %s\n", space.c_str());
  if (!s.constraints.empty()) {
    // With a shape: what each rule prunes before anything compiles, each
    // config counted for the first rule it breaks.
    const bool counted = at_shape && at_shape->pruned_by.size() == s.constraints.size();
    std::fprintf(out, "\n%s%s\n", styled("constraints", Style::bold, color).c_str(),
                 counted ? " (configs each removes at this shape, counted once)" : "");
    Table rules(counted ? std::vector<std::string>{"removes", "rule", "from"} : std::vector<std::string>{"rule", "from"});
    for (std::size_t i = 0; i < s.constraints.size(); ++i) {
      const auto& c = s.constraints[i];
      std::vector<Cell> row = {c.expr.text(), c.implied_by.empty() ? "manifest" : "implied: " + c.implied_by};
      if (counted) row.insert(row.begin(), Cell(std::to_string(at_shape->pruned_by[i])));
      rules.add_row(row);
    }
    rules.print(out, color);
  }
  if (s.model) {
    std::fprintf(out, "\n%s\n", styled("model", Style::bold, color).c_str());
    for (const auto& [name, e] : s.model->let) std::fprintf(out, "  %s = %s\n", name.c_str(), e.text().c_str());
    std::fprintf(out, "  cost = %s\n", s.model->cost.text().c_str());
    if (at_shape && !at_shape->model_best.empty()) {
      std::fprintf(out, "  best ranked at this shape (searches start here):\n");
      Table best({"rank", "predicted", "config"});
      const double first = at_shape->model_best.front().second;
      for (std::size_t i = 0; i < at_shape->model_best.size(); ++i)
        best.add_row({std::to_string(i + 1), fmt::format("{:.3f}", at_shape->model_best[i].second / first),
                      at_shape->model_best[i].first.str()});
      best.print(out, color);
    }
  }
  std::fprintf(out, "\n%s\n", styled("launch", Style::bold, color).c_str());
  auto exprs = [](const std::vector<Expression>& es) {
    std::string o;
    for (const auto& e : es) o += (o.empty() ? "" : ", ") + e.text();
    return "[" + o + "]";
  };
  std::fprintf(out, "  grid %s  block %s  dynamic shared %s\n", exprs(s.kernel.grid).c_str(), exprs(s.kernel.block).c_str(),
               s.kernel.shared_bytes.text().c_str());
  std::fprintf(out, "\n%s\n", styled("arguments", Style::bold, color).c_str());
  // The reference's own output dtype is shown only where a template sets one.
  const bool reference_dtypes = std::any_of(s.args.begin(), s.args.end(), [](const ArgSpec& a) { return a.reference_dtype.has_value(); });
  std::vector<std::string> header = {"#", "name", "kind", "dtype", "size / value", "init"};
  if (reference_dtypes) header.insert(header.begin() + 4, "reference_dtype");
  Table args(header);
  auto map_text = [&](const TensorMapSpec& m) {
    std::string t = "map of " + m.buffer + ": dims " + exprs(m.dims) + " box " + exprs(m.box) + " swizzle " + m.swizzle.text();
    if (!m.element_strides.empty()) t += " element strides " + exprs(m.element_strides);
    return t;
  };
  int parameter = 0;
  for (std::size_t i = 0; i < s.args.size(); ++i) {
    const auto& a = s.args[i];
    const std::string size = a.is_buffer() ? a.count.text() + " elements"
                             : a.kind == ArgKind::tensor_map ? map_text(a.tensor_map)
                             : a.kind == ArgKind::struct_value
                                 ? fmt::format("{} bytes, {} fields (layout below)", layout_struct(a.structure).size,
                                               a.structure.fields.size())
                                 : a.value.text();
    const bool typeless = a.kind == ArgKind::tensor_map || a.kind == ArgKind::struct_value;
    std::vector<Cell> row = {a.passed ? std::to_string(parameter++) : std::string("-"), a.name, std::string(arg_kind_name(a.kind)),
                             typeless ? "-" : a.dtype ? std::string(dtype_info(*a.dtype).name) : "{dtype}",
                             size,
                             a.kind == ArgKind::input || a.kind == ArgKind::inout ? a.init.str()
                                                                                  : (a.kind == ArgKind::output ? "poisoned" : "-")};
    if (reference_dtypes)
      row.insert(row.begin() + 4, a.reference_dtype ? Cell(std::string(dtype_info(*a.reference_dtype).name)) : Cell("-"));
    args.add_row(std::move(row));
  }
  args.print(out, color);
  if (std::any_of(s.args.begin(), s.args.end(), [](const ArgSpec& a) { return !a.passed; }))
    std::fprintf(out, "  (#: the kernel parameter; '-': allocated, filled and verified, but passed only through a struct or the reference)\n");
  if (!s.reference_args.empty()) {
    std::string names;
    for (const auto& n : s.reference_args) names += (names.empty() ? "" : ", ") + n;
    std::fprintf(out, "  the reference takes: %s\n", names.c_str());
  }

  for (const auto& a : s.args) {
    if (a.kind != ArgKind::struct_value) continue;
    const StructLayout layout = layout_struct(a.structure);
    std::fprintf(out, "\n%s\n", styled(fmt::format("struct {}: {} bytes, aligned to {} (C layout)", a.name, layout.size,
                                                     layout.align), Style::bold, color).c_str());
    Table fields({"offset", "size", "align", "field", "kind", "value"});
    for (std::size_t f = 0; f < layout.fields.size(); ++f) {
      const StructField& field = a.structure.fields[f];
      const FieldLayout& l = layout.fields[f];
      const std::string value = field.kind == FieldKind::pointer ? "-> " + field.buffer
                                : field.kind == FieldKind::scalar ? fmt::format("{} {}", dtype_info(field.dtype).name, field.value.text())
                                : field.kind == FieldKind::tensor_map ? map_text(field.tensor_map)
                                : "zeros";
      fields.add_row({std::to_string(l.offset), std::to_string(l.size), std::to_string(l.align), field.name,
                      std::string(field_kind_name(field.kind)), value});
    }
    fields.print(out, color);
  }
}

}  // namespace tkbench
