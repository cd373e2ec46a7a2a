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
