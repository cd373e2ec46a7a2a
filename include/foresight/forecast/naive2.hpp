// -----------------------------------------------------------------------------
// File: naive2.hpp
// -----------------------------------------------------------------------------
//
// `Naive2` ("naive2") is the M4 competition's seasonally adjusted naive
// benchmark, the denominator of its OWA:
//
//   1. seasonal when n >= 3 m and |r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n)
//      (the M4 code's SeasonalityTest, including its acf lag.max =
//      floor(10 log10 n): a longer season is never seasonal);
//   2. if so, divide by the classical multiplicative seasonal indices;
//   3. forecast the last adjusted value, times the indices of the last season.
// Quantiles (M4 defines none) are Gaussian around it: a random walk on the
// adjusted series, sd_h = sigma sqrt(h) times the step's seasonal index, sigma
// the RMS of the adjusted one-step changes.
//
//   Naive2 naive2({.season = 24});
//   auto state = naive2.Fit(history);
//   Forecast f = naive2.Predict(*state, 48);
//
// | type | name        | description                         | default |
// |------|-------------|-------------------------------------|---------|
// | int  | season      | samples per season m (1 = none)     | 1       |
// | bool | nonnegative | floor forecasts and quantiles at 0  | true    |
//
// Cold start: empty history -> zeros with confidence 0. Update keeps the
// fitted seasonal indices and moves the last adjusted value.
#ifndef FORESIGHT_FORECAST_NAIVE2_HPP_
#define FORESIGHT_FORECAST_NAIVE2_HPP_

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/decompose.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"  // CheckFinite
#include "foresight/forecast/internal/stats.hpp"

namespace foresight {

struct Naive2Options {
  int season = 1;
  bool nonnegative = true;
};

struct Naive2State {
  std::vector<double> figure;  // multiplicative indices; empty = not seasonal
  double last = 0.0;           // last seasonally adjusted value
  double ss = 0.0;             // sum of squared adjusted changes
  long long n = 0;             // samples seen
  double magnitude = 0.0;
};

class Naive2 {
 public:
  using State = Naive2State;
  Naive2() = default;
  explicit Naive2(Naive2Options options) : options_(options) {}
  static std::string_view Name() { return "naive2"; }
  const Naive2Options& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    if (absl::Status s = internal::CheckFinite(history, "naive2"); !s.ok()) return s;
    State st;
    const int m = std::max(options_.season, 1);
    if (internal::SeasonalityTest(history, m, internal::SeasonalityRule::kM4)) {
      st.figure = internal::ClassicalDecompose(history, m, true).figure;
    }
    for (double y : history) Update(st, y);
    return st;
  }

  void Update(State& st, double y) const {
    if (!std::isfinite(y)) return;
    const std::size_t m = st.figure.size();
    const double x = m > 0 ? y / st.figure[static_cast<std::size_t>(st.n) % m] : y;
    if (st.n > 0) st.ss += (x - st.last) * (x - st.last);
    st.last = x;
    ++st.n;
    st.magnitude += (std::abs(y) - st.magnitude) / static_cast<double>(std::min<long long>(st.n, 1000));
  }

  Forecast Predict(const State& st, int horizon) const {
    Forecast fc(std::max(horizon, 0));
    if (horizon <= 0) return fc;
    const std::size_t h = static_cast<std::size_t>(horizon), m = st.figure.size();
    std::vector<double> mean(h), sd(h);
    const double sigma = st.n > 1 ? std::sqrt(st.ss / static_cast<double>(st.n - 1)) : 0.0;
    for (std::size_t i = 0; i < h; ++i) {
      const double s = m > 0 ? st.figure[(static_cast<std::size_t>(st.n) + i) % m] : 1.0;
      mean[i] = st.last * s;
      sd[i] = sigma * std::sqrt(static_cast<double>(i + 1)) * s;
    }
    internal::FillGaussianForecast(fc, mean, sd, options_.nonnegative);
    fc.set_confidence(internal::StatConfidence(static_cast<double>(st.n), sd[0], st.magnitude,
                                               false, st.n == 0));
    return fc;
  }

 private:
  Naive2Options options_;
};
static_assert(Forecaster<Naive2>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_NAIVE2_HPP_
