#include "tuner/expression.hpp"

#include <muParser.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <regex>

#include <fmt/format.h>

#include "tuner/dtype.hpp"

namespace tkbench {
namespace {

// Thrown from inside operator callbacks; caught in evaluate() and turned into
// an InputError that names the expression.
struct ArithmeticError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

double op_add(double a, double b) { return a + b; }
double op_sub(double a, double b) { return a - b; }
double op_mul(double a, double b) { return a * b; }
double op_div(double a, double b) {
  if (b == 0) throw ArithmeticError("division by zero");
  return a / b;
}
double op_mod(double a, double b) {
  if (b == 0) throw ArithmeticError("modulo by zero");
  return std::fmod(a, b);
}
double op_pow(double a, double b) { return std::pow(a, b); }
double op_lt(double a, double b) { return a < b; }
double op_le(double a, double b) { return a <= b; }
double op_gt(double a, double b) { return a > b; }
double op_ge(double a, double b) { return a >= b; }
double op_eq(double a, double b) { return a == b; }
double op_ne(double a, double b) { return a != b; }
double op_and(double a, double b) { return (a != 0) && (b != 0); }
double op_or(double a, double b) { return (a != 0) || (b != 0); }
double op_not(double a) { return a == 0; }

double fn_ceil_div(double a, double b) {
  if (b == 0) throw ArithmeticError("division by zero in ceil_div");
  return std::ceil(a / b);
}
double fn_round_up(double a, double b) {
  if (b == 0) throw ArithmeticError("division by zero in round_up");
  return std::ceil(a / b) * b;
}
double fn_size(double code) {
  auto dtype = dtype_from_code(code);
  if (!dtype) throw ArithmeticError(fmt::format("size() takes a dtype ({}), got {}", dtype_names_joined(), code));
  return static_cast<double>(dtype_info(*dtype).size);
}
double fn_floor(double a) { return std::floor(a); }
double fn_ceil(double a) { return std::ceil(a); }
double fn_log2(double a) { return std::log2(a); }
double fn_is_pow2(double a) { return a >= 1 && std::floor(a) == a && (static_cast<long long>(a) & (static_cast<long long>(a) - 1)) == 0; }

void configure(mu::Parser& parser) {
  parser.EnableBuiltInOprt(false);
  parser.DefineOprt("+", op_add, mu::prADD_SUB);
  parser.DefineOprt("-", op_sub, mu::prADD_SUB);
  parser.DefineOprt("*", op_mul, mu::prMUL_DIV);
  parser.DefineOprt("/", op_div, mu::prMUL_DIV);
  parser.DefineOprt("%", op_mod, mu::prMUL_DIV);
  parser.DefineOprt("^", op_pow, mu::prPOW, mu::oaRIGHT);
  parser.DefineOprt("<", op_lt, mu::prCMP);
  parser.DefineOprt("<=", op_le, mu::prCMP);
  parser.DefineOprt(">", op_gt, mu::prCMP);
  parser.DefineOprt(">=", op_ge, mu::prCMP);
  parser.DefineOprt("==", op_eq, mu::prCMP);
  parser.DefineOprt("!=", op_ne, mu::prCMP);
  parser.DefineOprt("&&", op_and, mu::prLAND);
  parser.DefineOprt("||", op_or, mu::prLOR);
  parser.DefineInfixOprt("!", op_not);
  parser.DefineFun("ceil_div", fn_ceil_div, false);
  parser.DefineFun("round_up", fn_round_up, false);
  parser.DefineFun("size", fn_size, false);
  parser.DefineFun("floor", fn_floor, false);
  parser.DefineFun("ceil", fn_ceil, false);
  parser.DefineFun("log2", fn_log2, false);
  parser.DefineFun("is_pow2", fn_is_pow2, false);
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<std::string> builtin_expression_names() {
  std::vector<std::string> names;
  for (const auto& info : all_dtypes()) names.emplace_back(info.name);
  return names;
}

const std::vector<std::string>& expression_functions() {
  // min and max are muParser's own (any number of arguments).
  static const std::vector<std::string> names = {"ceil_div", "round_up", "size", "min", "max", "floor", "ceil",
                                                 "log2", "is_pow2", "abs", "sqrt"};
  return names;
}

struct Expression::Impl {
  mu::Parser parser;
  // One slot per name the expression uses; std::map nodes never move, so the
  // pointers handed to muParser stay valid.
  std::map<std::string, double, std::less<>> slots;
  std::mutex mutex;  // muParser's Eval is not re-entrant
};

Expression::Expression(std::string text, SourceLocation where, const std::vector<std::string>& known_names)
    : text_(std::move(text)), where_(std::move(where)), impl_(std::make_shared<Impl>()) {
  auto fail = [&](const std::string& why) {
    throw InputError(fmt::format("{}: in expression '{}': {}", where_.str(), text_, why));
  };
  if (text_.find_first_not_of(" \t") == std::string::npos) fail("the expression is empty");

  // Calls of unknown functions make muParser say "unexpected parenthesis";
  // name them instead.
  static const std::regex call(R"(([A-Za-z_][A-Za-z0-9_]*)\s*\()");
  for (std::sregex_iterator it(text_.begin(), text_.end(), call), end; it != end; ++it) {
    std::string name = (*it)[1];
    const auto& fns = expression_functions();
    if (std::find(fns.begin(), fns.end(), name) == fns.end())
      fail(fmt::format("unknown function '{}'; available: {}", name, join(fns)));
  }

  configure(impl_->parser);
  std::vector<std::string> allowed = known_names;
  for (auto& n : builtin_expression_names()) allowed.push_back(n);
  try {
    impl_->parser.SetExpr(text_);
    // GetUsedVar parses the expression and lists every name it uses, defined or not.
    for (const auto& [name, unused] : impl_->parser.GetUsedVar()) {
      (void)unused;
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
        fail(fmt::format("unknown name '{}'; known names: {}", name, join(allowed)));
      impl_->slots.emplace(name, 0.0);
    }
    for (auto& [name, slot] : impl_->slots) impl_->parser.DefineVar(name, &slot);
    impl_->parser.SetExpr(text_);
  } catch (const mu::Parser::exception_type& e) {
    fail(e.GetMsg());
  }
}

double Expression::evaluate(const Bindings& values) const {
  if (!impl_) throw InputError("internal: evaluating an empty expression");
  std::lock_guard lock(impl_->mutex);
  for (auto& [name, slot] : impl_->slots) {
    auto it = values.find(name);
    if (it != values.end()) {
      slot = it->second;
      continue;
    }
    auto dtype = parse_dtype(name);
    if (!dtype) throw InputError(fmt::format("{}: in expression '{}': no value for '{}'", where_.str(), text_, name));
    slot = dtype_code(*dtype);
  }
  double result = 0;
  try {
    result = impl_->parser.Eval();
  } catch (const ArithmeticError& e) {
    throw InputError(fmt::format("{}: in expression '{}': {}", where_.str(), text_, e.what()));
  } catch (const mu::Parser::exception_type& e) {
    throw InputError(fmt::format("{}: in expression '{}': {}", where_.str(), text_, e.GetMsg()));
  }
  if (!std::isfinite(result))
    throw InputError(fmt::format("{}: expression '{}' is not finite ({})", where_.str(), text_, result));
  return result;
}

std::vector<std::string> Expression::names() const {
  std::vector<std::string> out;
  if (impl_)
    for (const auto& [name, slot] : impl_->slots) out.push_back(name);
  return out;
}

long long Expression::evaluate_integer(const Bindings& values, const std::string& what, long long min,
                                       long long max) const {
  double v = evaluate(values);
  if (std::floor(v) != v)
    throw InputError(fmt::format("{}: {} = '{}' is {}, not a whole number", where_.str(), what, text_, v));
  if (v < static_cast<double>(min) || v > static_cast<double>(max))
    throw InputError(
        fmt::format("{}: {} = '{}' is {}, outside [{}, {}]", where_.str(), what, text_, v, min, max));
  return static_cast<long long>(v);
}

std::string SourceLocation::str() const {
  if (file.empty()) return "<command line>";
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

}  // namespace tkbench
