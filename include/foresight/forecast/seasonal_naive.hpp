// -----------------------------------------------------------------------------
// File: seasonal_naive.hpp
// -----------------------------------------------------------------------------
//
// `SeasonalNaive` forecasts step h as the value one season earlier,
// y[t + h - m * ceil(h / m)], falling back to the last value until a full season
// has been seen. Quantiles come from its own recent errors.
//
//   SeasonalNaive daily(/*season=*/288);   // 5-minute samples, daily season
//
// | type | name   | description                      | default |
// |------|--------|----------------------------------|---------|
// | int  | season | samples per season (m >= 1)      | 24      |
#ifndef FORESIGHT_FORECAST_SEASONAL_NAIVE_HPP_
#define FORESIGHT_FORECAST_SEASONAL_NAIVE_HPP_

#include <algorithm>
#include <span>
#include <string_view>
#include <vector>

#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"

namespace foresight {
namespace internal {

struct SeasonalNaiveModel {
  int season = 24;

  struct State {
    std::vector<double> ring;  // the last `season` samples
    long long t = 0;           // samples seen
  };
  static std::string_view Name() { return "snaive"; }
  State Start() const { return State{std::vector<double>(static_cast<std::size_t>(M()), 0.0), 0}; }
  void Step(State& s, double y) const {
    s.ring[static_cast<std::size_t>(s.t % M())] = y;
    ++s.t;
  }
  void Point(const State& s, std::span<double> out) const {
    const long long m = M();
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (s.t == 0) {
        out[i] = 0.0;
      } else if (s.t < m) {
        out[i] = s.ring[static_cast<std::size_t>((s.t - 1) % m)];
      } else {
        const long long h = static_cast<long long>(i) + 1;
        const long long back = m * ((h + m - 1) / m);  // m * ceil(h / m)
        // Target sample index is t + h - 1; one season back (or more) is in the ring.
        out[i] = s.ring[static_cast<std::size_t>((s.t + h - 1 - back) % m)];
      }
    }
  }
  double Level(const State& s) const {
    const long long n = std::min<long long>(s.t, M());
    double sum = 0.0;
    for (long long i = 0; i < n; ++i) sum += s.ring[static_cast<std::size_t>(i)];
    return n > 0 ? sum / static_cast<double>(n) : 0.0;
  }
  long long M() const { return std::max(season, 1); }
};

}  // namespace internal

class SeasonalNaive : public internal::PointForecaster<internal::SeasonalNaiveModel> {
 public:
  // Past `errors.horizon` its error quantiles grow once per season, as a
  // seasonal naive forecast's do (`extrapolation_season` defaults to `season`).
  explicit SeasonalNaive(int season = 24, internal::ErrorQuantiles::Options errors = {})
      : PointForecaster(internal::SeasonalNaiveModel{season}, WithSeason(errors, season)) {}
  int season() const { return model().season; }
  // Before a season is seen it forecasts the last value (`WarmStartForecaster`).
  int WarmHistory() const { return std::max(season(), 1); }

 private:
  static internal::ErrorQuantiles::Options WithSeason(internal::ErrorQuantiles::Options e,
                                                      int season) {
    if (e.extrapolation_season == 0) e.extrapolation_season = std::max(season, 1);
    return e;
  }
};
static_assert(Forecaster<SeasonalNaive>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_SEASONAL_NAIVE_HPP_
