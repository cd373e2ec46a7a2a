// -----------------------------------------------------------------------------
// File: forecast.hpp
// -----------------------------------------------------------------------------
//
// `Forecast` is what every forecaster returns: for steps 1..H a mean and the
// quantiles at a fixed set of levels, plus a confidence score in [0, 1].
//
//   Forecast f = forecaster.Predict(state, /*horizon=*/12);
//   double p90_in_one_hour = f.Quantile(/*step=*/12, 0.90);  // interpolated
//
// Steps are 1-based (step 1 is the next sample). Quantiles at each step are
// non-decreasing in the level.
#ifndef FORESIGHT_FORECAST_FORECAST_HPP_
#define FORESIGHT_FORECAST_FORECAST_HPP_

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace foresight {

// The quantile levels forecasts carry unless a forecaster is told otherwise.
inline constexpr std::array<double, 9> kDefaultQuantileLevels = {0.05, 0.1, 0.25, 0.5, 0.75,
                                                                 0.9,  0.95, 0.98, 0.99};
// The default levels plus a tail, for limits that must rarely be undercut.
inline constexpr std::array<double, 13> kTailQuantileLevels = {
    0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 0.99999, 0.999999};

class Forecast {
 public:
  Forecast() = default;
  Forecast(int horizon, std::span<const double> levels)
      : horizon_(horizon),
        levels_(levels.begin(), levels.end()),
        mean_(static_cast<std::size_t>(horizon), 0.0),
        quantiles_(static_cast<std::size_t>(horizon) * levels.size(), 0.0) {}
  explicit Forecast(int horizon) : Forecast(horizon, kDefaultQuantileLevels) {}

  int horizon() const { return horizon_; }
  std::span<const double> levels() const { return levels_; }
  std::size_t num_levels() const { return levels_.size(); }

  double& mean(int step) { return mean_[Row(step)]; }
  double mean(int step) const { return mean_[Row(step)]; }
  std::span<const double> means() const { return mean_; }
  std::span<double> means() { return mean_; }

  // Quantile at level index `k` of `step`.
  double& quantile(int step, std::size_t k) { return quantiles_[Row(step) * levels_.size() + k]; }
  double quantile(int step, std::size_t k) const {
    return quantiles_[Row(step) * levels_.size() + k];
  }
  std::span<double> quantiles(int step) {
    return std::span<double>(quantiles_).subspan(Row(step) * levels_.size(), levels_.size());
  }
  std::span<const double> quantiles(int step) const {
    return std::span<const double>(quantiles_).subspan(Row(step) * levels_.size(), levels_.size());
  }

  // Quantile at probability `p`, linearly interpolated between stored levels and
  // clamped to the outermost ones.
  double Quantile(int step, double p) const {
    return InterpolateQuantile(levels_, quantiles(step), p);
  }

  // Confidence in [0, 1]: 0 for a cold model, near 1 for a model whose recent
  // errors are small relative to the level of the series.
  double confidence() const { return confidence_; }
  void set_confidence(double c) { confidence_ = std::clamp(c, 0.0, 1.0); }

  // Makes every step's quantiles non-decreasing and, when `floor_at_zero`,
  // non-negative (demand is never negative). Means are floored too.
  void Normalize(bool floor_at_zero = true) {
    for (int s = 1; s <= horizon_; ++s) {
      std::span<double> row = quantiles(s);
      std::sort(row.begin(), row.end());
      if (floor_at_zero) {
        for (double& v : row) v = std::max(v, 0.0);
        mean(s) = std::max(mean(s), 0.0);
      }
    }
  }

  // Equal when horizon, levels, every mean and quantile, and the confidence
  // compare equal.
  friend bool operator==(const Forecast&, const Forecast&) = default;

  // Index of `level` among `levels` (equal within 1e-12), or -1: where a
  // forecast keeps its P90, when it has one.
  static int LevelIndex(std::span<const double> levels, double level) {
    for (std::size_t k = 0; k < levels.size(); ++k) {
      if (std::abs(levels[k] - level) <= 1e-12) return static_cast<int>(k);
    }
    return -1;
  }

  static double InterpolateQuantile(std::span<const double> levels,
                                    std::span<const double> values, double p) {
    assert(!levels.empty() && levels.size() == values.size());
    if (p <= levels.front()) return values.front();
    if (p >= levels.back()) return values.back();
    const auto it = std::upper_bound(levels.begin(), levels.end(), p);
    const std::size_t hi = static_cast<std::size_t>(it - levels.begin());
    const std::size_t lo = hi - 1;
    const double w = (p - levels[lo]) / (levels[hi] - levels[lo]);
    return values[lo] + w * (values[hi] - values[lo]);
  }

 private:
  std::size_t Row(int step) const {
    assert(step >= 1 && step <= horizon_);
    return static_cast<std::size_t>(step - 1);
  }

  int horizon_ = 0;
  std::vector<double> levels_;
  std::vector<double> mean_;
  std::vector<double> quantiles_;  // horizon x levels, row-major
  double confidence_ = 0.0;
};

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_FORECAST_HPP_
