#pragma once
// Arithmetic over shape dims, the dtype and config parameters, written in
// manifests: "N % VEC == 0", "ceil_div(M, ROWS)", "2*M*N*size(dtype)".
// Built on muParser, with its operators replaced by ours so that a division or
// modulo by zero is an error instead of a silent inf.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tuner/errors.hpp"

namespace tkbench {

// Values of the names an expression may use.
using Bindings = std::map<std::string, double, std::less<>>;

// Names every expression may use besides dims and parameters: the dtype codes.
std::vector<std::string> builtin_expression_names();
// Functions every expression may call.
const std::vector<std::string>& expression_functions();

class Expression {
 public:
  Expression() = default;
  // Parses `text` and checks that it uses only `known_names` (plus the builtin
  // names). Throws InputError naming `where`, the expression and the problem.
  Expression(std::string text, SourceLocation where, const std::vector<std::string>& known_names);

  // Throws InputError on division by zero, a missing binding or a result that
  // is not finite. Thread-safe.
  double evaluate(const Bindings& values) const;
  // evaluate(), checked to be a whole number in [min, max]; `what` names the
  // quantity in the error ("grid.x").
  long long evaluate_integer(const Bindings& values, const std::string& what, long long min, long long max) const;

  const std::string& text() const { return text_; }
  // The names the expression uses (dims, parameters, dtype names), sorted.
  std::vector<std::string> names() const;
  const SourceLocation& where() const { return where_; }
  bool empty() const { return !impl_; }

 private:
  struct Impl;
  std::string text_;
  SourceLocation where_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tkbench
