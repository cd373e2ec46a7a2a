// -----------------------------------------------------------------------------
// File: coverage.hpp
// -----------------------------------------------------------------------------
//
// `QuantileCoverage` checks whether quantile forecasts are calibrated. For
// each resource and quantile level it counts how often the value that came
// next fell at or below the forecast quantile. A calibrated P90 covers 90 %
// of what follows it; a P90 that covers 70 % is a P70 in disguise, and an
// allocator that sized limits on it under-provisions three times as often
// as it meant to.
//
//   QuantileCoverage c(forecast.levels());
//   c.Add(Resource::kMemory, actual, forecast.quantiles(1));   // one step later
//   double hit = c.Coverage(Resource::kMemory, 5);             // observed share at level 5
//   double gap = c.Coverage(Resource::kMemory, 5) - c.levels()[5];
//
// Quantiles must be non-decreasing in level, as every `Forecast`'s and
// `DemandOutlook`'s are: an observation is covered from the lowest level whose
// quantile reaches it upwards, so `Add` finds that level (a binary search) and
// counts it once, and `covered` sums those counts. A replay scores every user
// at every step; this keeps that to one increment per observation.
//
// The standard error `StandardError(r, k)` is the binomial one, sqrt(p (1 - p) / n):
// consecutive misses of a time series are correlated, so treat it as a lower
// bound on the real uncertainty.
#ifndef FORESIGHT_FORECAST_COVERAGE_HPP_
#define FORESIGHT_FORECAST_COVERAGE_HPP_

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "foresight/core/resources.hpp"
#include "foresight/forecast/forecast.hpp"

namespace foresight {

class QuantileCoverage {
 public:
  QuantileCoverage() = default;
  explicit QuantileCoverage(std::span<const double> levels) { Reset(levels); }

  // Forgets every count and scores `levels` from now on.
  void Reset(std::span<const double> levels) {
    levels_.assign(levels.begin(), levels.end());
    for (Resource r : kAllResources) {
      lowest_covered_[r].assign(levels_.size() + 1, 0);
      scored_[r] = 0;
    }
  }
  // Forgets every count, keeping the levels.
  void Clear() { Reset(std::vector<double>(levels_)); }
  // Forgets `r`'s counts (e.g. a resource a trace never measured).
  void Forget(Resource r) {
    std::fill(lowest_covered_[r].begin(), lowest_covered_[r].end(), 0);
    scored_[r] = 0;
  }

  std::span<const double> levels() const { return levels_; }
  bool empty() const {
    for (Resource r : kAllResources) {
      if (scored_[r] != 0) return false;
    }
    return true;
  }

  // Scores one observation of `r` against the quantiles forecast for it, one
  // per level and non-decreasing. A NaN actual (a missing sample) is not scored.
  void Add(Resource r, double actual, std::span<const double> quantiles) {
    if (std::isnan(actual)) return;
    assert(quantiles.size() == levels_.size());
    assert(std::is_sorted(quantiles.begin(), quantiles.end()));
    // The first quantile >= actual: covered at that level and every one above.
    const auto first = std::lower_bound(quantiles.begin(), quantiles.end(), actual);
    ++lowest_covered_[r][static_cast<std::size_t>(first - quantiles.begin())];
    ++scored_[r];
  }

  // Observations of `r` scored so far.
  std::uint64_t scored(Resource r) const { return scored_[r]; }
  // Observations of `r` at or below the quantile at level index `k`.
  std::uint64_t covered(Resource r, std::size_t k) const {
    std::uint64_t sum = 0;
    for (std::size_t j = 0; j <= k; ++j) sum += lowest_covered_[r][j];
    return sum;
  }
  // The observed share at or below level index `k`; NaN before any observation.
  double Coverage(Resource r, std::size_t k) const {
    if (scored_[r] == 0) return std::nan("");
    return static_cast<double>(covered(r, k)) / static_cast<double>(scored_[r]);
  }
  // Binomial standard error of `Coverage(r, k)` around the nominal level; NaN
  // before any observation.
  double StandardError(Resource r, std::size_t k) const {
    if (scored_[r] == 0) return std::nan("");
    const double p = levels_[k];
    return std::sqrt(p * (1.0 - p) / static_cast<double>(scored_[r]));
  }
  // Index of `level` among the levels (Forecast::LevelIndex), or -1.
  int LevelIndex(double level) const { return Forecast::LevelIndex(levels_, level); }

 private:
  std::vector<double> levels_;
  // Per resource, observations whose lowest covering level is k (index
  // levels().size(): above every quantile).
  PerResource<std::vector<std::uint64_t>> lowest_covered_;
  PerResource<std::uint64_t> scored_ = PerResource<std::uint64_t>::Filled(0);
};

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_COVERAGE_HPP_
