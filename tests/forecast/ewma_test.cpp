// Ewma: the recursion, its bounds, and why the tracking policies use it for
// noisy rates (smaller one-step errors and steadier forecasts than LastValue).
#include "foresight/forecast/ewma.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/registry.hpp"
#include "foresight/testing/conformance.hpp"

namespace foresight {
namespace {

TEST_CASE("Ewma passes the Forecaster conformance test") {
  for (double alpha : {0.1, 0.5, 1.0}) {
    CAPTURE(alpha);
    const absl::Status s = testing::ForecasterConformance(Ewma(alpha));
    CHECK_MESSAGE(s.ok(), s.message());
  }
}

TEST_CASE("Ewma follows level += alpha (y - level), starting at the first sample") {
  const Ewma f(0.5);
  CHECK(f.alpha() == 0.5);
  absl::StatusOr<Ewma::State> st = f.Fit(std::vector<double>{4, 8, 2});
  REQUIRE(st.ok());
  // 4 -> 4 + 0.5 (8 - 4) = 6 -> 6 + 0.5 (2 - 6) = 4.
  Forecast p = f.Predict(*st, 3);
  for (int s = 1; s <= 3; ++s) CHECK(p.mean(s) == doctest::Approx(4.0));
  f.Update(*st, 10.0);
  CHECK(f.Predict(*st, 1).mean(1) == doctest::Approx(7.0));
  // A missing sample (NaN) is skipped, as for every point forecaster.
  f.Update(*st, std::numeric_limits<double>::quiet_NaN());
  CHECK(f.Predict(*st, 1).mean(1) == doctest::Approx(7.0));

  absl::StatusOr<Ewma::State> cold = f.Fit({});
  REQUIRE(cold.ok());
  CHECK(f.Predict(*cold, 1).mean(1) == 0.0);
}

TEST_CASE("Ewma with alpha 1 is LastValue") {
  const std::vector<double> x = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
  const Ewma e(1.0);
  const LastValue l;
  auto se = e.Fit(x);
  auto sl = l.Fit(x);
  REQUIRE(se.ok());
  REQUIRE(sl.ok());
  const Forecast fe = e.Predict(*se, 2);
  const Forecast fl = l.Predict(*sl, 2);
  for (int s = 1; s <= 2; ++s) {
    CHECK(fe.mean(s) == fl.mean(s));
    for (std::size_t k = 0; k < fe.quantiles(s).size(); ++k) {
      CHECK(fe.quantiles(s)[k] == doctest::Approx(fl.quantiles(s)[k]));
    }
  }
}

TEST_CASE("Ewma::Create rejects an alpha outside (0, 1]; the constructor clamps it") {
  for (double bad : {0.0, -0.5, 1.5, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()}) {
    CAPTURE(bad);
    absl::StatusOr<Ewma> e = Ewma::Create(bad);
    REQUIRE_FALSE(e.ok());
    CHECK(e.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(e.status().message()).find("alpha") != std::string::npos);
  }
  CHECK(Ewma::Create(0.25).ok());
  CHECK(Ewma(7.0).alpha() == 1.0);
  CHECK(Ewma(-1.0).alpha() > 0.0);
  // Fit names a non-finite history value.
  absl::StatusOr<Ewma::State> bad = Ewma(0.5).Fit(std::vector<double>{1.0, std::nan(""), 2.0});
  REQUIRE_FALSE(bad.ok());
  CHECK(std::string(bad.status().message()).find("ewma") != std::string::npos);
}

// A noisy rate around a slowly drifting level: the smoothed level misses by
// less than the last sample, its 0.9 quantile sits lower, and its point moves
// less from step to step (fewer limit changes for a tracking allocator).
TEST_CASE("on a noisy rate Ewma misses by less, and moves less, than LastValue") {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> noise(0.0, 0.4);
  std::vector<double> x;
  for (int t = 0; t < 3000; ++t) {
    const double level = 10.0 + 3.0 * std::sin(2.0 * 3.14159265358979 * t / 288.0);
    x.push_back(level * noise(rng));
  }
  auto score = [&](const auto& f, double& mae, double& q90, double& moves) {
    auto st = f.Fit(std::span<const double>(x.data(), 500));
    REQUIRE(st.ok());
    double err = 0.0, q = 0.0, moved = 0.0, prev = f.Predict(*st, 1).mean(1);
    for (std::size_t t = 500; t < x.size(); ++t) {
      const Forecast p = f.Predict(*st, 1);
      err += std::abs(x[t] - p.mean(1));
      q += p.Quantile(1, 0.9);
      moved += std::abs(p.mean(1) - prev);
      prev = p.mean(1);
      f.Update(*st, x[t]);
    }
    const double n = static_cast<double>(x.size() - 500);
    mae = err / n;
    q90 = q / n;
    moves = moved / n;
  };
  double mae_l, q90_l, moves_l, mae_e, q90_e, moves_e;
  score(LastValue(), mae_l, q90_l, moves_l);
  score(Ewma(0.3), mae_e, q90_e, moves_e);
  MESSAGE("LastValue MAE ", mae_l, " q90 ", q90_l, " moves ", moves_l, "; Ewma(0.3) MAE ", mae_e,
          " q90 ", q90_e, " moves ", moves_e);
  CHECK(mae_e < 0.85 * mae_l);
  CHECK(q90_e < q90_l);
  CHECK(moves_e < 0.5 * moves_l);
}

TEST_CASE("the registry builds ewma and ewma_auto") {
  for (const char* name : {"ewma", "ewma_auto"}) {
    absl::StatusOr<AnyForecaster> f = ForecasterRegistry::Default().Make(name, {.horizon = 3});
    REQUIRE(f.ok());
    CHECK(f->name() == name);
  }
}

TEST_CASE("AdaptiveEwma passes the Forecaster conformance test") {
  const absl::Status s = testing::ForecasterConformance(AdaptiveEwma());
  CHECK_MESSAGE(s.ok(), s.message());
}

TEST_CASE("AdaptiveEwma is the last value until errors say otherwise") {
  const AdaptiveEwma f;
  absl::StatusOr<AdaptiveEwma::State> st = f.Fit(std::vector<double>{5.0, 9.0});
  REQUIRE(st.ok());
  // Every candidate started at 5 and missed 9 by the same 4: the first
  // candidate (alpha 1) wins the tie.
  CHECK(f.alpha(*st) == 1.0);
  CHECK(f.Predict(*st, 2).mean(2) == 9.0);
}

// An app that is either running (its rate near 100) or not (near 0), for
// hours at a time, against a VM whose rate scatters around a drifting level.
TEST_CASE("AdaptiveEwma keeps the last value for on/off rates and smooths noisy ones") {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> small(0.0, 1.0);
  std::lognormal_distribution<double> noise(0.0, 0.4);
  std::vector<double> onoff, noisy;
  for (int t = 0; t < 4000; ++t) {
    onoff.push_back(((t / 37) % 2 == 0 ? 100.0 : 0.0) + std::abs(small(rng)));
    noisy.push_back((10.0 + 3.0 * std::sin(2.0 * 3.14159265358979 * t / 288.0)) * noise(rng));
  }
  const AdaptiveEwma f;
  absl::StatusOr<AdaptiveEwma::State> a = f.Fit(onoff);
  absl::StatusOr<AdaptiveEwma::State> b = f.Fit(noisy);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(f.alpha(*a) == 1.0);
  CHECK(f.alpha(*b) <= 0.3);
  // And it scores like the better fixed alpha on each: one-step MAE.
  auto mae = [](const auto& model, const std::vector<double>& x) {
    auto st = model.Fit(std::span<const double>(x.data(), 1000));
    double err = 0.0;
    for (std::size_t t = 1000; t < x.size(); ++t) {
      err += std::abs(x[t] - model.Predict(*st, 1).mean(1));
      model.Update(*st, x[t]);
    }
    return err / static_cast<double>(x.size() - 1000);
  };
  const double onoff_best = std::min(mae(Ewma(1.0), onoff), mae(Ewma(0.3), onoff));
  const double noisy_best = std::min(mae(Ewma(1.0), noisy), mae(Ewma(0.3), noisy));
  MESSAGE("on/off MAE: auto ", mae(f, onoff), ", last value ", mae(Ewma(1.0), onoff),
          ", alpha 0.3 ", mae(Ewma(0.3), onoff), "; noisy: auto ", mae(f, noisy),
          ", last value ", mae(Ewma(1.0), noisy), ", alpha 0.3 ", mae(Ewma(0.3), noisy));
  CHECK(mae(f, onoff) < 1.05 * onoff_best);
  CHECK(mae(f, noisy) < 1.05 * noisy_best);
}

TEST_CASE("AdaptiveEwma::Create names what is wrong with its options") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Bad {
    AdaptiveEwmaOptions options;
    const char* says;
  };
  for (const Bad& bad : {Bad{{.alphas = {}}, "candidate"},
                         Bad{{.alphas = {1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2}}, "candidate"},
                         Bad{{.alphas = {1.0, 0.0}}, "alpha"},
                         Bad{{.alphas = {1.5}}, "alpha"},
                         Bad{{.alphas = {nan}}, "alpha"},
                         Bad{{.error_decay = 0.0}, "error_decay"},
                         Bad{{.error_decay = nan}, "error_decay"}}) {
    absl::StatusOr<AdaptiveEwma> f = AdaptiveEwma::Create(bad.options);
    REQUIRE_FALSE(f.ok());
    CHECK(f.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(f.status().message()).find(bad.says) != std::string::npos);
  }
  CHECK(AdaptiveEwma::Create({.alphas = {1.0, 0.2}, .error_decay = 0.1}).ok());
}

}  // namespace
}  // namespace foresight
