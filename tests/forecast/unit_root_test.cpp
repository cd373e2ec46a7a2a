// KPSS statistic, ndiffs, STL seasonal strength and nsdiffs against R
// (urca::ur.kpss, forecast::ndiffs / nsdiffs / seas.heuristic).
#include "foresight/forecast/internal/unit_root.hpp"

#include <doctest/doctest.h>

#include <string>

#include "foresight/forecast/internal/stats.hpp"
#include "stat_fixtures.hpp"

namespace foresight::internal {
namespace {

using testing::LoadFixture;
using testing::LoadSeries;
using testing::RelErr;

TEST_CASE("KpssStatistic matches urca::ur.kpss") {
  for (const auto& c : LoadFixture("kpss.json")) {
    const std::string name = c.at("series");
    CAPTURE(name);
    const auto y = LoadSeries(name).values;
    CHECK(RelErr(KpssStatistic(y, c.at("lag").get<int>()), c.at("stat").get<double>()) < 1e-10);
    const auto dy = Diff(y);
    const int lag = static_cast<int>(3.0 * std::sqrt(static_cast<double>(dy.size())) / 13.0);
    CHECK(RelErr(KpssStatistic(dy, lag), c.at("stat_diff").get<double>()) < 1e-10);
  }
}

TEST_CASE("Seasonal strength, nsdiffs and ndiffs match forecast") {
  for (const auto& c : LoadFixture("auto_arima.json")) {
    const std::string name = c.at("series");
    CAPTURE(name);
    const auto s = LoadSeries(name);
    if (s.m > 1) {
      CHECK(RelErr(SeasonalStrength(s.values, s.m), c.at("seasonal_strength").get<double>()) < 1e-8);
    }
    const int D = s.m > 1 ? Nsdiffs(s.values, s.m) : 0;
    CHECK(D == c.at("nsdiffs").get<int>());
    const auto x = D > 0 ? Diff(s.values, s.m) : s.values;
    CHECK(Ndiffs(x) == c.at("ndiffs").get<int>());
  }
}

TEST_CASE("KPSS p-value interpolates urca's table and clamps") {
  CHECK(KpssPValue(0.1) == doctest::Approx(0.10));
  CHECK(KpssPValue(0.463) == doctest::Approx(0.05));
  CHECK(KpssPValue(0.5185) == doctest::Approx(0.0375));
  CHECK(KpssPValue(5.0) == doctest::Approx(0.01));
}

TEST_CASE("Ndiffs: white noise needs none, a random walk one, an integrated walk two") {
  std::vector<double> noise(300), walk(300), walk2(300);
  unsigned s = 12345;
  auto rnd = [&] {
    s = s * 1103515245u + 12345u;
    return ((s >> 8) & 0xffff) / 65536.0 - 0.5;
  };
  double a = 0, b = 0;
  for (std::size_t i = 0; i < 300; ++i) {
    noise[i] = rnd();
    a += rnd();
    walk[i] = a;
    b += a;
    walk2[i] = b;
  }
  CHECK(Ndiffs(noise) == 0);
  CHECK(Ndiffs(walk) == 1);
  CHECK(Ndiffs(walk2) == 2);
}

}  // namespace
}  // namespace foresight::internal
