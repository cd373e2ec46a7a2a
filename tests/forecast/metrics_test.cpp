#include "foresight/forecast/metrics.hpp"

#include <doctest/doctest.h>

#include <vector>

namespace foresight {
namespace {

// Hand-computed: errors 1 and 2 against truths 7 and 8.
//   sMAPE = (200*1/(7+6) + 200*2/(8+10)) / 2 = (15.384615... + 22.222222...) / 2
//   scale at lag 2 on 1..6 = mean(|3-1|, |4-2|, |5-3|, |6-4|) = 2  -> MASE = 1.5 / 2
TEST_CASE("M4 sMAPE and MASE match hand-computed values") {
  const std::vector<double> insample = {1, 2, 3, 4, 5, 6};
  const std::vector<double> actual = {7, 8};
  const std::vector<double> forecast = {6, 10};
  CHECK(*Smape(actual, forecast) == doctest::Approx(18.803418803418804).epsilon(1e-12));
  CHECK(*MaseScale(insample, 2) == doctest::Approx(2.0));
  CHECK(*Mase(insample, actual, forecast, 2) == doctest::Approx(0.75));
  CHECK(*Mase(insample, actual, forecast, 1) == doctest::Approx(1.5));
}

// Hand-computed, alpha 0.1 (a 90 % interval), scale 2 as above:
//   t1: 7 in [6, 8]           -> width 2
//   t2: 8 below [9, 10]       -> width 1 + (2 / 0.1) * (9 - 8) = 21
//   t3: 3 in [2, 4]           -> width 2
//   MSIS = (2 + 21 + 2) / 3 / 2 = 4.1666...
TEST_CASE("MSIS and interval hits match hand-computed values") {
  const std::vector<double> insample = {1, 2, 3, 4, 5, 6};
  const std::vector<double> actual = {7, 8, 3};
  const std::vector<double> lower = {6, 9, 2};
  const std::vector<double> upper = {8, 10, 4};
  CHECK(*Msis(insample, actual, lower, upper, 2, 0.1) == doctest::Approx(25.0 / 6).epsilon(1e-12));
  // M4's 95 % (a = 0.05) charges the same miss twice as much: (2 + 41 + 2) / 3 / 2.
  CHECK(*Msis(insample, actual, lower, upper, 2, 0.05) == doctest::Approx(45.0 / 6).epsilon(1e-12));
  // Above the interval is charged the same way: 12 over [9, 10] -> 1 + 20 * 2 = 41.
  CHECK(*Msis(insample, std::vector<double>{12}, std::vector<double>{9}, std::vector<double>{10}, 2,
              0.1) == doctest::Approx(41.0 / 2));
  CHECK(IntervalHits(actual, lower, upper) == 2);
  CHECK(IntervalHits(std::vector<double>{4, 5}, std::vector<double>{4, 1},
                     std::vector<double>{9, 5}) == 2);  // bounds included
}

TEST_CASE("MSIS rejects what it cannot score") {
  const std::vector<double> insample = {1, 2, 3, 4, 5, 6};
  const std::vector<double> one = {7};
  CHECK_FALSE(Msis(insample, one, std::vector<double>{8}, std::vector<double>{6}, 1, 0.1).ok());
  CHECK(Msis(insample, one, std::vector<double>{8}, std::vector<double>{6}, 1, 0.1)
            .status()
            .message() == "MSIS: lower bound 8 above upper bound 6 at step 1");
  CHECK_FALSE(Msis(insample, one, one, one, 1, 0.0).ok());
  CHECK_FALSE(Msis(insample, one, one, one, 1, 1.0).ok());
  CHECK_FALSE(Msis(insample, one, std::vector<double>{1, 2}, one, 1, 0.1).ok());
  CHECK_FALSE(Msis(insample, {}, {}, {}, 1, 0.1).ok());
  CHECK(Msis(std::vector<double>{3, 3, 3}, one, one, one, 1, 0.1).status().code() ==
        absl::StatusCode::kFailedPrecondition);  // a constant history has no scale
}

TEST_CASE("MASE scale uses the seasonal lag, not lag 1") {
  // Period-2 zig-zag: lag-2 differences are all 0 except one jump of 4.
  const std::vector<double> insample = {0, 10, 0, 10, 4, 10};
  // lag 2: |0-0|,|10-10|,|4-0|,|10-10| -> 4/4 = 1; lag 1 would be (10+10+10+6+6)/5 = 8.4
  CHECK(*MaseScale(insample, 2) == doctest::Approx(1.0));
  CHECK(*MaseScale(insample, 1) == doctest::Approx(8.4));
  // History not longer than a season: falls back to lag 1.
  CHECK(*MaseScale(std::vector<double>{1, 3, 6}, 24) == doctest::Approx(2.5));
}

TEST_CASE("sMAPE edge cases and errors") {
  CHECK(*Smape(std::vector<double>{0, 5}, std::vector<double>{0, 5}) == 0.0);
  CHECK(*Smape(std::vector<double>{1}, std::vector<double>{-1}) == doctest::Approx(200.0));
  CHECK_FALSE(Smape(std::vector<double>{1, 2}, std::vector<double>{1}).ok());
  CHECK_FALSE(Smape({}, {}).ok());
  const auto flat = MaseScale(std::vector<double>{3, 3, 3, 3}, 1);
  CHECK(flat.status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("OWA is computed on the set averages relative to Naive2") {
  CHECK(OwaOf(10, 1, 20, 2) == doctest::Approx(0.5));
  M4Accumulator method, naive2;
  method.Add(10, 1.0);
  method.Add(20, 2.0);  // means 15, 1.5
  naive2.Add(10, 2.0);
  naive2.Add(30, 2.0);  // means 20, 2.0
  CHECK(method.count() == 2);
  // 0.5 * (15/20 + 1.5/2) = 0.75, while the mean of per-series OWAs would differ.
  CHECK(method.Owa(naive2) == doctest::Approx(0.75));
  M4Accumulator merged;
  merged.Merge(method);
  merged.Merge(method);
  CHECK(merged.smape() == doctest::Approx(15.0));
}

}  // namespace
}  // namespace foresight
