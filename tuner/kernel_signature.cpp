#include "tuner/kernel_signature.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

#include <fmt/format.h>

namespace tkbench {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// "T*" for a buffer, "T" for a scalar, in the C++ spelling of the dtype.
std::string expected_type(const ArgSpec& arg, DType dtype, bool reference) {
  DType d = arg.resolved_dtype(dtype);
  if (reference && arg.reference_dtype && arg.is_buffer()) d = *arg.reference_dtype;
  std::string type(dtype_info(d).cpp_type);
  return arg.is_buffer() ? type + "*" : type;
}

// Whether a demangled parameter type is what `expected` asks for: a buffer
// may point to const (or volatile) elements, or be a void pointer.
bool matches(const std::string& actual, const std::string& expected, bool buffer) {
  if (actual == expected) return true;
  if (!buffer || actual.empty() || actual.back() != '*') return false;
  std::string pointee = trim(actual.substr(0, actual.size() - 1));
  for (const char* qualifier : {" const", " volatile"})
    if (auto at = pointee.find(qualifier); at != std::string::npos) pointee.erase(at, std::string(qualifier).size());
  pointee = trim(pointee);
  return pointee + "*" == expected || pointee == "void";
}

std::string describe(const ArgSpec& arg, DType dtype, bool reference) {
  DType d = arg.resolved_dtype(dtype);
  if (reference && arg.reference_dtype && arg.is_buffer()) d = *arg.reference_dtype;
  return arg.is_buffer() ? fmt::format("an {} buffer of {}", arg_kind_name(arg.kind), dtype_info(d).name)
                         : fmt::format("a scalar of {}", dtype_info(d).name);
}

}  // namespace

std::optional<std::vector<std::string>> kernel_parameter_types(const std::string& lowered_name) {
  if (lowered_name.rfind("_Z", 0) != 0) return std::nullopt;
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(lowered_name.c_str(), nullptr, nullptr, &status),
                                                   std::free);
  if (status != 0 || !demangled) return std::nullopt;
  const std::string text = demangled.get();
  // The parameter list is the last parenthesised group: "void ns::k<...>(float*, long long)".
  if (text.empty() || text.back() != ')') return std::nullopt;
  int depth = 0;
  std::size_t open = std::string::npos;
  for (std::size_t i = text.size(); i-- > 0;) {
    if (text[i] == ')') ++depth;
    if (text[i] == '(' && --depth == 0) {
      open = i;
      break;
    }
  }
  if (open == std::string::npos) return std::nullopt;
  const std::string list = text.substr(open + 1, text.size() - open - 2);
  std::vector<std::string> types;
  std::string current;
  depth = 0;
  for (char c : list) {
    if (c == '<' || c == '(' || c == '[') ++depth;
    if (c == '>' || c == ')' || c == ']') --depth;
    if (c == ',' && depth == 0) {
      types.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trim(current).empty()) types.push_back(trim(current));
  if (types.size() == 1 && types.front() == "void") types.clear();
  return types;
}

std::vector<std::string> signature_mismatches(const std::vector<std::string>& parameters, const TemplateSpec& spec,
                                              DType dtype, const std::string& kernel_name, bool reference) {
  std::vector<std::string> out;
  const KernelRule& rule = reference && spec.reference ? *spec.reference : spec.kernel;
  const char* table = reference ? "[reference]" : "[kernel]";
  const std::vector<const ArgSpec*> args = spec.launch_args(reference);
  if (parameters.size() != args.size()) {
    std::string listed, taken;
    for (const ArgSpec* a : args) listed += (listed.empty() ? "" : ", ") + a->name;
    for (const auto& p : parameters) taken += (taken.empty() ? "" : ", ") + p;
    // Point at the first [[args]] entry the kernel has no parameter for, or at the kernel's name.
    const SourceLocation& where = parameters.size() < args.size() ? args[parameters.size()]->where : rule.where;
    out.push_back(fmt::format("{}: {} {} takes {} parameter{} ({}), but {} lists {} ({}); fix: list one [[args]] "
                              "entry per kernel parameter, in the kernel's order{}",
                              where.str(), table, kernel_name, parameters.size(), parameters.size() == 1 ? "" : "s", taken,
                              reference && !spec.reference_args.empty() ? "[reference] args" : "[[args]]", args.size(),
                              listed, reference ? " ([reference] args = [...] when the reference's differ)" : ""));
    return out;
  }
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const ArgSpec& arg = *args[i];
    if (!arg.is_buffer() && arg.kind != ArgKind::scalar) continue;  // other kinds are passed as the kernel declares them
    const std::string expected = expected_type(arg, dtype, reference);
    if (matches(parameters[i], expected, arg.is_buffer())) continue;
    out.push_back(fmt::format("{}: [[args]] '{}' is {}, so parameter {} of {} {} should be '{}', but it is '{}'; "
                              "fix: make the [[args]] entry's kind and dtype match the kernel's parameter, or the "
                              "parameter match the entry",
                              arg.where.str(), arg.name, describe(arg, dtype, reference), i + 1, table, kernel_name,
                              expected, parameters[i]));
  }
  return out;
}

}  // namespace tkbench
