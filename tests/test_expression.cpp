#include <catch2/catch.hpp>

#include "tuner/dtype.hpp"
#include "tuner/expression.hpp"

using namespace tkbench;

namespace {
const std::vector<std::string> kNames = {"M", "N", "VEC", "THREADS", "dtype"};
Expression expr(const std::string& text) { return Expression(text, {"m.toml", 7, 3}, kNames); }
Bindings values() { return {{"M", 4096}, {"N", 8192}, {"VEC", 8}, {"THREADS", 256}, {"dtype", dtype_code(DType::bf16)}}; }
}  // namespace

TEST_CASE("expressions compute arithmetic with the usual precedence", "[expression]") {
  CHECK(expr("2 + 3 * 4").evaluate({}) == 14);
  CHECK(expr("(2 + 3) * 4").evaluate({}) == 20);
  CHECK(expr("-N / 2 + 1").evaluate(values()) == -4095);
  CHECK(expr("2 ^ 10").evaluate({}) == 1024);
  CHECK(expr("N % 3").evaluate(values()) == 8192 % 3);
  CHECK(expr("M * N * 2").evaluate(values()) == 4096.0 * 8192 * 2);
}

TEST_CASE("expression functions: ceil_div / round_up / size / min / max", "[expression]") {
  CHECK(expr("ceil_div(M, 3)").evaluate(values()) == 1366);
  CHECK(expr("round_up(1000, 128)").evaluate({}) == 1024);
  CHECK(expr("size(dtype)").evaluate(values()) == 2);
  CHECK(expr("size(fp32)").evaluate({}) == 4);
  CHECK(expr("min(N, VEC * 2, 100)").evaluate(values()) == 16);
  CHECK(expr("max(32, N / VEC)").evaluate(values()) == 1024);
  CHECK(expr("is_pow2(THREADS) && !is_pow2(3)").evaluate(values()) == 1);
}

TEST_CASE("comparisons and logic give 0 or 1 - dtypes compare by name", "[expression]") {
  CHECK(expr("N % VEC == 0").evaluate(values()) == 1);
  CHECK(expr("THREADS <= 128 || VEC >= 8").evaluate(values()) == 1);
  CHECK(expr("THREADS < 128 && VEC >= 8").evaluate(values()) == 0);
  CHECK(expr("dtype == bf16").evaluate(values()) == 1);
  CHECK(expr("dtype != fp32").evaluate(values()) == 1);
}

TEST_CASE("division and modulo by zero are errors / not inf", "[expression]") {
  auto b = values();
  b["VEC"] = 0;
  CHECK_THROWS_WITH(expr("N / VEC").evaluate(b), Catch::Contains("m.toml:7:3") && Catch::Contains("division by zero"));
  CHECK_THROWS_WITH(expr("N % VEC == 0").evaluate(b), Catch::Contains("modulo by zero"));
  CHECK_THROWS_WITH(expr("ceil_div(N, VEC)").evaluate(b), Catch::Contains("division by zero"));
  // A zero divisor inside a comparison must not hide behind the comparison's result.
  CHECK_THROWS_WITH(expr("N / VEC > 1").evaluate(b), Catch::Contains("division by zero"));
}

TEST_CASE("unknown names and functions are named in the error", "[expression]") {
  CHECK_THROWS_WITH(expr("N % BLOCK == 0"), Catch::Contains("unknown name 'BLOCK'") && Catch::Contains("m.toml:7:3") &&
                                                Catch::Contains("known names: M, N, VEC"));
  CHECK_THROWS_WITH(expr("floor_div(N, 2)"), Catch::Contains("unknown function 'floor_div'"));
}

TEST_CASE("expressions that do not parse say why", "[expression]") {
  CHECK_THROWS_WITH(expr("N % (VEC"), Catch::Contains("in expression 'N % (VEC'") && Catch::Contains("parenthes"));
  CHECK_THROWS_WITH(expr("N +* 2"), Catch::Contains("in expression 'N +* 2'"));
  CHECK_THROWS_WITH(expr("  "), Catch::Contains("empty"));
}

TEST_CASE("evaluate_integer checks wholeness and range", "[expression]") {
  CHECK(expr("N / VEC").evaluate_integer(values(), "grid.x", 1, 1 << 30) == 1024);
  CHECK_THROWS_WITH(expr("N / 3").evaluate_integer(values(), "grid.x", 1, 1 << 30), Catch::Contains("not a whole number"));
  CHECK_THROWS_WITH(expr("N * 1024").evaluate_integer(values(), "block.x", 1, 1024), Catch::Contains("outside [1, 1024]"));
}

TEST_CASE("a missing binding is an error naming the variable", "[expression]") {
  CHECK_THROWS_WITH(expr("M + N").evaluate({{"M", 1}}), Catch::Contains("no value for 'N'"));
}
