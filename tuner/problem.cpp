#include "tuner/problem.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "tuner/target_arch.hpp"

namespace tkbench {
namespace {

// Larger dims are surely a typo, and keep products exact in a double.
constexpr long long kMaxDim = 1LL << 40;

std::string dims_hint(const TemplateSpec& spec) {
  std::string names, example;
  for (std::size_t i = 0; i < spec.dims.size(); ++i) {
    if (i) {
      names += " x ";
      example += "x";
    }
    names += spec.dims[i];
    example += i == 0 ? "4096" : "8192";
  }
  return fmt::format("{} takes {} dim{} ({}), e.g. --shape {}", spec.name, spec.dims.size(),
                     spec.dims.size() == 1 ? "" : "s", names, example);
}

}  // namespace

std::vector<long long> parse_shape(std::string_view text, const TemplateSpec& spec) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t x = text.find('x', start);
    parts.push_back(text.substr(start, x == std::string_view::npos ? std::string_view::npos : x - start));
    if (x == std::string_view::npos) break;
    start = x + 1;
  }
  std::vector<long long> dims;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto part = parts[i];
    long long value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec == std::errc::result_out_of_range && end == part.data() + part.size())
      throw InputError(fmt::format("shape '{}': {} is out of range; a dim is at most 2^40 ({})", text, part, kMaxDim));
    if (part.empty() || ec != std::errc() || end != part.data() + part.size())
      throw InputError(fmt::format("shape '{}': '{}' is not a whole number; {}", text, part, dims_hint(spec)));
    std::string name = i < spec.dims.size() ? spec.dims[i] : fmt::format("dim {}", i + 1);
    if (value < 1) throw InputError(fmt::format("shape '{}': {} = {} must be at least 1", text, name, value));
    if (value > kMaxDim) throw InputError(fmt::format("shape '{}': {} = {} is larger than 2^40", text, name, value));
    dims.push_back(value);
  }
  if (dims.size() != spec.dims.size())
    throw InputError(fmt::format("shape '{}' has {} dim{}; {}", text, dims.size(), dims.size() == 1 ? "" : "s",
                                 dims_hint(spec)));
  return dims;
}

std::vector<std::vector<long long>> parse_shape_list(std::string_view text, const TemplateSpec& spec) {
  std::vector<std::vector<long long>> shapes;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) throw InputError(fmt::format("--shape '{}' has an empty entry; {}", text, dims_hint(spec)));
    auto dims = parse_shape(item, spec);
    if (std::find(shapes.begin(), shapes.end(), dims) == shapes.end()) shapes.push_back(std::move(dims));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return shapes;
}

DType parse_problem_dtype(std::string_view dtype_name, const TemplateSpec& spec) {
  std::string supported;
  for (auto d : spec.dtypes) supported += (supported.empty() ? "" : ", ") + std::string(dtype_info(d).name);
  if (dtype_name.empty()) return spec.dtypes.front();
  auto dtype = parse_dtype(dtype_name);
  if (!dtype || std::find(spec.dtypes.begin(), spec.dtypes.end(), *dtype) == spec.dtypes.end())
    throw InputError(fmt::format("{} does not support dtype '{}'; it supports {}", spec.name, dtype_name, supported));
  return *dtype;
}

Problem make_problem(const TemplateSpec& spec, std::vector<long long> dims, DType dtype) {
  Problem problem{spec.dims, std::move(dims), dtype};
  if (!spec.arch.empty()) {
    problem.num_sms = default_sm_count(spec.arch);
    problem.max_shared_bytes = max_shared_bytes_of(spec.arch);
  }
  return problem;
}

std::string Problem::shape_str() const {
  std::string out;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) out += 'x';
    out += std::to_string(dims[i]);
  }
  return out;
}

Bindings Problem::bindings() const {
  Bindings b;
  for (std::size_t i = 0; i < dims.size(); ++i) b[dim_names[i]] = static_cast<double>(dims[i]);
  b["dtype"] = dtype_code(dtype);
  b["num_sms"] = static_cast<double>(num_sms);
  b["max_shared_bytes"] = static_cast<double>(max_shared_bytes);
  return b;
}

}  // namespace tkbench
