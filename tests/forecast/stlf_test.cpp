// Stlf against forecast::stlf on the reference fixtures (stlf.json, made by
// tools/fixtures/make_stlf_fixtures.R): STL's last seasonal period, the ETS
// model chosen for the adjusted series, means and 95 % intervals; plus the
// online update, short histories and bad options.
#include "foresight/forecast/stlf.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "foresight/forecast/internal/synthetic.hpp"
#include "stat_fixtures.hpp"

namespace foresight {
namespace {

using testing::LoadFixture;
using testing::LoadSeries;
using testing::RelErr;

TEST_CASE("Stlf matches forecast::stlf on the reference fixtures") {
  int cases = 0;
  for (const auto& c : LoadFixture("stlf.json")) {
    const std::string name = c.at("series");
    const int m = c.at("m");
    const int h = c.at("h");
    CAPTURE(name);
    CAPTURE(m);
    const auto s = LoadSeries(name);
    const Stlf stlf({.season = m});
    const auto st = stlf.Fit(s.values);
    REQUIRE(st.ok());
    CHECK(st->ets.fit.Method() == c.at("method").get<std::string>());
    // STL is a port of R's stl.f: its seasonal component agrees to rounding.
    const auto season = c.at("last_season").get<std::vector<double>>();
    REQUIRE(st->seasonal.size() == season.size());
    const std::size_t n = s.values.size();
    for (std::size_t j = 0; j < season.size(); ++j) {
      const std::size_t t = n - season.size() + j;
      CHECK(std::abs(st->seasonal[t % season.size()] - season[j]) <
            1e-8 * (1.0 + std::abs(season[j])));
    }
    const auto mean = c.at("mean").get<std::vector<double>>();
    const auto lo95 = c.at("lower95").get<std::vector<double>>();
    const auto up95 = c.at("upper95").get<std::vector<double>>();
    REQUIRE(mean.size() == static_cast<std::size_t>(h));
    const Forecast fc = stlf.Predict(*st, h);
    std::vector<double> m1(mean.size()), sd(mean.size());
    Stlf::Moments(*st, m1, sd);
    for (int k = 1; k <= h; ++k) {
      CAPTURE(k);
      const std::size_t i = static_cast<std::size_t>(k - 1);
      // ETS's Nelder-Mead lands where R's does to ~1e-4 (ets_test.cpp).
      CHECK(RelErr(fc.mean(k), mean[i]) < 1e-3);
      CHECK(RelErr(1.959963984540054 * sd[i], up95[i] - mean[i]) < 1e-2);
      CHECK(RelErr(mean[i] - lo95[i], up95[i] - mean[i]) < 1e-9);  // symmetric, as ours
    }
    ++cases;
  }
  CHECK(cases == 6);
}

TEST_CASE("Stlf models a season ETS cannot take") {
  // taylor at its weekly period, 168 hours: Ets({.season = 168}) falls back to
  // a non-seasonal model, Stlf keeps the week's shape.
  const auto s = LoadSeries("taylor_hourly_long");
  const std::vector<double> train(s.values.begin(), s.values.end() - 48);
  const std::vector<double> test(s.values.end() - 48, s.values.end());
  const Stlf stlf({.season = 168});
  const Ets ets({.season = 168});
  const auto a = stlf.Fit(train);
  const auto b = ets.Fit(train);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(b->fit.season == 'N');
  const Forecast fa = stlf.Predict(*a, 48), fb = ets.Predict(*b, 48);
  double ea = 0.0, eb = 0.0;
  for (int k = 1; k <= 48; ++k) {
    ea += std::abs(fa.mean(k) - test[static_cast<std::size_t>(k - 1)]);
    eb += std::abs(fb.mean(k) - test[static_cast<std::size_t>(k - 1)]);
  }
  MESSAGE("MAE over the last 48 hours: stlf ", ea / 48, ", ets ", eb / 48);
  CHECK(ea < 0.5 * eb);
}

TEST_CASE("Stlf's Update steps the adjusted series by the stored season") {
  const auto y =
      internal::SyntheticSeries({.n = 300, .season1 = 24, .amp1 = 10, .noise = 1, .seed = 3});
  const Stlf stlf({.season = 24});
  auto st = stlf.Fit(y);
  REQUIRE(st.ok());
  EtsState ets = st->ets;
  const double next = 57.0;
  stlf.Update(*st, next);
  EtsStep(ets, next - st->seasonal[300 % 24]);
  CHECK(st->n == 301);
  std::vector<double> got(3), want(3), var(3);
  stlf.PredictMean(*st, got);
  EtsPredictMoments(ets, want, var);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(got[i] == doctest::Approx(std::max(0.0, want[i] + st->seasonal[(301 + i) % 24])));
  }
}

TEST_CASE("Stlf without two seasons of history is ETS ZZN on the series") {
  const auto y =
      internal::SyntheticSeries({.n = 40, .season1 = 24, .amp1 = 10, .noise = 1, .seed = 4});
  const auto st = Stlf({.season = 24}).Fit(y);
  REQUIRE(st.ok());
  CHECK(st->seasonal.empty());
  const auto plain = Ets({.season = 1, .model = "ZZN", .nonnegative = false}).Fit(y);
  REQUIRE(plain.ok());
  CHECK(st->ets.fit.Method() == plain->fit.Method());
}

TEST_CASE("Stlf refuses bad input and bad options") {
  const std::vector<double> y(100, 1.0);
  CHECK(Stlf({.season = 12, .s_window = 8}).Fit(y).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(Stlf({.season = 12, .s_window = 5}).Fit(y).status().code() ==
        absl::StatusCode::kInvalidArgument);
  std::vector<double> bad = y;
  bad[50] = NAN;
  const auto st = Stlf({.season = 12}).Fit(bad);
  REQUIRE_FALSE(st.ok());
  CHECK(std::string(st.status().message()).find("stlf") != std::string::npos);
}

}  // namespace
}  // namespace foresight
