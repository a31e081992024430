#include <catch2/catch.hpp>

#include <random>

#include "profiler/statistics.hpp"

using namespace tkbench;

TEST_CASE("summaries of known samples", "[statistics]") {
  auto s = summarize({5, 1, 4, 2, 3});
  CHECK(s.count == 5);
  CHECK(s.median == 3);
  CHECK(s.min == 1);
  CHECK(s.max == 5);
  CHECK(s.mean == Approx(3));
  CHECK(s.p10 == Approx(1.4));
  CHECK(s.p90 == Approx(4.6));
  CHECK(s.spread == Approx((4.6 - 1.4) / 3));
  CHECK(summarize({}).count == 0);
  CHECK(summarize({7}).rel_std_error == 1.0);  // one sample says nothing about its error
  CHECK(summarize({2, 4}).median == 3);
}

TEST_CASE("the median's standard error shrinks as 1/sqrt(n) and ignores a stray outlier", "[statistics]") {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(100.0, 1.0);  // 1% noise
  std::vector<double> small, large;
  for (int i = 0; i < 25; ++i) small.push_back(noise(rng));
  for (int i = 0; i < 400; ++i) large.push_back(noise(rng));
  double e_small = summarize(small).rel_std_error, e_large = summarize(large).rel_std_error;
  CHECK(e_small == Approx(1.2533 * 0.01 / 5).epsilon(0.35));
  CHECK(e_large == Approx(1.2533 * 0.01 / 20).epsilon(0.2));
  large.push_back(1e6);  // one pathological sample
  CHECK(summarize(large).rel_std_error == Approx(e_large).epsilon(0.05));
}

TEST_CASE("the stopping rule: converge, or hit a cap, never stop before min_samples", "[statistics]") {
  StoppingRule rule;  // 0.5%, >= 10 samples, <= 2000, <= 1 s
  std::mt19937_64 rng(3);
  std::normal_distribution<double> quiet(100.0, 0.5), loud(100.0, 30.0);
  std::vector<double> q;
  for (int i = 0; i < 9; ++i) q.push_back(quiet(rng));
  CHECK_FALSE(rule.should_stop(summarize(q), 0.0));  // 9 < min_samples
  q.push_back(quiet(rng));
  CHECK(rule.converged(summarize(q)));                 // 0.5% noise: SE of median ~0.2% at n = 10
  std::vector<double> l;
  for (int i = 0; i < 50; ++i) l.push_back(loud(rng));
  CHECK_FALSE(rule.converged(summarize(l)));
  CHECK_FALSE(rule.should_stop(summarize(l), 0.5));
  CHECK(rule.should_stop(summarize(l), 1.5));          // time cap
  for (int i = 0; i < 2000; ++i) l.push_back(loud(rng));
  CHECK(rule.should_stop(summarize(l), 0.1));          // sample cap
}
