#include "foresight/forecast/aggregate.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/internal/synthetic.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/seasonal_naive.hpp"

namespace foresight {
namespace {

TEST_CASE("BucketMeans aligns buckets to the end") {
  const std::vector<double> y = {100, 1, 2, 3, 4, 5, 6};
  CHECK(BucketMeans(y, 2) == std::vector<double>{1.5, 3.5, 5.5});
  CHECK(BucketMeans(y, 1).size() == 7);
  CHECK(BucketMeans(y, 10).empty());
}

TEST_CASE("ForecastResolutions gives 5-minute, hourly and daily forecasts from one history") {
  // 5-minute samples: a daily sine, 14 days.
  const auto y = internal::SyntheticSeries({.n = 288 * 14, .season1 = 288, .amp1 = 30, .noise = 2});
  const std::vector<SeasonalNaive> f = {SeasonalNaive(288), SeasonalNaive(24), SeasonalNaive(7)};
  const std::vector<Resolution> res = {{1, 12}, {12, 24}, {288, 7}};
  auto out = ForecastResolutions<SeasonalNaive>(f, res, y);
  REQUIRE(out.ok());
  REQUIRE(out->size() == 3);
  CHECK((*out)[0].horizon() == 12);
  CHECK((*out)[1].horizon() == 24);
  CHECK((*out)[2].horizon() == 7);
  // Hourly step 1 = mean of the same hour yesterday.
  double hour = 0;
  for (std::size_t i = y.size() - 288; i < y.size() - 276; ++i) hour += y[i];
  CHECK((*out)[1].mean(1) == doctest::Approx(hour / 12));
  // Daily means are ~ the level (the sine averages out).
  CHECK((*out)[2].mean(1) == doctest::Approx(100.0).epsilon(0.02).scale(0));
  CHECK_FALSE(ForecastResolutions<SeasonalNaive>(std::span(f).first(2), res, y).ok());
}

TEST_CASE("Totals: top-down on the summed history and bottom-up with correlation") {
  std::vector<std::vector<double>> users;
  for (int u = 0; u < 4; ++u) {
    users.push_back(internal::SyntheticSeries({.n = 24 * 20, .level = 10.0 * (u + 1), .noise = 1,
                                               .seed = static_cast<std::uint64_t>(u + 1)}));
  }
  users[3].erase(users[3].begin(), users[3].begin() + 100);  // a newer user
  std::vector<std::span<const double>> spans(users.begin(), users.end());
  const auto total = TotalSeries(spans);
  CHECK(total.size() == 480);
  CHECK(total[0] == doctest::Approx(users[0][0] + users[1][0] + users[2][0]));
  CHECK(total[479] ==
        doctest::Approx(users[0][479] + users[1][479] + users[2][479] + users[3][379]));
  auto top = ForecastTotal(HoltWinters({.season = 24}),
                           std::span<const std::span<const double>>(spans), 24);
  REQUIRE(top.ok());
  CHECK(top->mean(1) == doctest::Approx(100.0).epsilon(0.1).scale(0));  // sin(2 pi 480 / 24) = 0

  std::vector<Forecast> per_user;
  HoltWinters hw({.season = 24});
  for (const auto& u : users) per_user.push_back(hw.Predict(*hw.Fit(u), 24));
  auto indep = BottomUpSum(per_user, 0.0);
  auto comon = BottomUpSum(per_user, 1.0);
  REQUIRE(indep.ok());
  REQUIRE(comon.ok());
  double sum_means = 0;
  for (const auto& f : per_user) sum_means += f.mean(3);
  CHECK(indep->mean(3) == doctest::Approx(sum_means));
  const double w_indep = indep->Quantile(3, 0.95) - indep->Quantile(3, 0.05);
  const double w_comon = comon->Quantile(3, 0.95) - comon->Quantile(3, 0.05);
  CHECK(w_comon > w_indep);
  double sum_width = 0;
  for (const auto& f : per_user) sum_width += f.Quantile(3, 0.95) - f.Quantile(3, 0.05);
  CHECK(w_comon == doctest::Approx(sum_width).epsilon(0.02).scale(0));  // comonotone: widths add
  CHECK_FALSE(BottomUpSum(per_user, 1.5).ok());
  per_user.push_back(Forecast(3));
  CHECK_FALSE(BottomUpSum(per_user).ok());
}

}  // namespace
}  // namespace foresight
