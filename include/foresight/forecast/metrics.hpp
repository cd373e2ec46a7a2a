// -----------------------------------------------------------------------------
// File: metrics.hpp
// -----------------------------------------------------------------------------
//
// Forecast accuracy measures exactly as the M4 competition defines them
// (Makridakis, Spiliotis & Assimakopoulos 2020, and the competition's R code
// `smape_cal` / `mase_cal`):
//
//   sMAPE = (1/h) * sum_t 200 |y_t - f_t| / (|y_t| + |f_t|)
//   MASE  = (1/h) * sum_t |y_t - f_t| / scale,
//           scale = (1/(n-m)) * sum_{j=m+1..n} |x_j - x_{j-m}|   (in-sample seasonal naive)
//   OWA   = ( sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2 ) / 2
//   MSIS  = (1/h) * sum_t [ (U_t - L_t) + (2/a)(L_t - y_t) 1{y_t < L_t}
//                                       + (2/a)(y_t - U_t) 1{y_t > U_t} ] / scale
//           (prediction intervals [L, U] at level 1 - a; M4 used a = 0.05)
//
// where x_1..x_n is the in-sample (training) series, y_1..y_h the out-of-sample
// truth, f_1..f_h the forecasts and m the seasonal period. M4 computes OWA on
// the averages over all series of a set (`OwaOf(mean_smape, mean_mase, ...)`),
// not as an average of per-series OWAs; `M4Accumulator` does that.
//
// Edge cases (documented choices where the M4 code would produce NaN):
//   * a term with y_t = f_t = 0 contributes 0 to sMAPE;
//   * when n <= m the MASE scale falls back to lag 1 (as R's `forecast::accuracy`);
//   * a zero scale (a constant in-sample series) is a FailedPrecondition error.
#ifndef FORESIGHT_FORECAST_METRICS_HPP_
#define FORESIGHT_FORECAST_METRICS_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace foresight {

// Symmetric MAPE in percent (0..200) over the common length of `actual` and `forecast`.
inline absl::StatusOr<double> Smape(std::span<const double> actual,
                                    std::span<const double> forecast) {
  if (actual.size() != forecast.size() || actual.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("sMAPE: need equal non-empty lengths, got ",
                                                   actual.size(), " and ", forecast.size()));
  }
  double sum = 0.0;
  for (std::size_t t = 0; t < actual.size(); ++t) {
    const double denom = std::abs(actual[t]) + std::abs(forecast[t]);
    if (denom > 0.0) sum += 200.0 * std::abs(actual[t] - forecast[t]) / denom;
  }
  return sum / static_cast<double>(actual.size());
}

// The MASE denominator: in-sample mean absolute error of the seasonal naive
// forecast at lag `season` (lag 1 when the history is not longer than a season).
inline absl::StatusOr<double> MaseScale(std::span<const double> insample, int season) {
  std::size_t m = static_cast<std::size_t>(season < 1 ? 1 : season);
  if (insample.size() <= m) m = 1;
  if (insample.size() < 2) {
    return absl::InvalidArgumentError("MASE: the in-sample series needs at least 2 values");
  }
  double sum = 0.0;
  for (std::size_t j = m; j < insample.size(); ++j) sum += std::abs(insample[j] - insample[j - m]);
  const double scale = sum / static_cast<double>(insample.size() - m);
  if (!(scale > 0.0)) {
    return absl::FailedPreconditionError(
        absl::StrCat("MASE: the in-sample seasonal-naive scale at lag ", m, " is zero"));
  }
  return scale;
}

inline absl::StatusOr<double> Mase(std::span<const double> insample, std::span<const double> actual,
                                   std::span<const double> forecast, int season) {
  if (actual.size() != forecast.size() || actual.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("MASE: need equal non-empty lengths, got ",
                                                   actual.size(), " and ", forecast.size()));
  }
  absl::StatusOr<double> scale = MaseScale(insample, season);
  if (!scale.ok()) return scale.status();
  double sum = 0.0;
  for (std::size_t t = 0; t < actual.size(); ++t) sum += std::abs(actual[t] - forecast[t]);
  return sum / static_cast<double>(actual.size()) / *scale;
}

// Mean scaled interval score of central (1 - alpha) prediction intervals
// [lower_t, upper_t] (Gneiting & Raftery 2007; the M4 competition's MSIS with
// its a = 0.05 and MASE's scale):
//
//   MSIS = (1/h) sum_t [ (U_t - L_t) + (2/alpha) (L_t - y_t) 1{y_t < L_t}
//                                    + (2/alpha) (y_t - U_t) 1{y_t > U_t} ] / scale
//
// Lower is better: narrow intervals, with misses charged 2/alpha times the
// distance. InvalidArgument for unequal or empty lengths, alpha outside
// (0, 1), or a lower bound above its upper; MaseScale's errors otherwise.
inline absl::StatusOr<double> Msis(std::span<const double> insample, std::span<const double> actual,
                                   std::span<const double> lower, std::span<const double> upper,
                                   int season, double alpha) {
  if (actual.empty() || lower.size() != actual.size() || upper.size() != actual.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("MSIS: need equal non-empty lengths, got ", actual.size(), " values, ",
                     lower.size(), " lower and ", upper.size(), " upper bounds"));
  }
  if (!(alpha > 0.0 && alpha < 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("MSIS: alpha ", alpha, " is not in (0, 1)"));
  }
  absl::StatusOr<double> scale = MaseScale(insample, season);
  if (!scale.ok()) return scale.status();
  double sum = 0.0;
  for (std::size_t t = 0; t < actual.size(); ++t) {
    if (!(lower[t] <= upper[t])) {
      return absl::InvalidArgumentError(absl::StrCat("MSIS: lower bound ", lower[t],
                                                     " above upper bound ", upper[t],
                                                     " at step ", t + 1));
    }
    sum += upper[t] - lower[t];
    if (actual[t] < lower[t]) sum += 2.0 / alpha * (lower[t] - actual[t]);
    if (actual[t] > upper[t]) sum += 2.0 / alpha * (actual[t] - upper[t]);
  }
  return sum / static_cast<double>(actual.size()) / *scale;
}

// How many of `actual` fall inside [lower, upper] (bounds included), over the
// common length.
inline std::size_t IntervalHits(std::span<const double> actual, std::span<const double> lower,
                                std::span<const double> upper) {
  std::size_t hits = 0;
  const std::size_t n = std::min({actual.size(), lower.size(), upper.size()});
  for (std::size_t t = 0; t < n; ++t) hits += (actual[t] >= lower[t] && actual[t] <= upper[t]);
  return hits;
}

// Overall weighted average relative to Naive2 (1.0 = as good as Naive2).
inline double OwaOf(double smape, double mase, double naive2_smape, double naive2_mase) {
  return 0.5 * (smape / naive2_smape + mase / naive2_mase);
}

// Running means of sMAPE and MASE over the series of a set.
class M4Accumulator {
 public:
  void Add(double smape, double mase) {
    smape_sum_ += smape;
    mase_sum_ += mase;
    ++count_;
  }
  void Merge(const M4Accumulator& other) {
    smape_sum_ += other.smape_sum_;
    mase_sum_ += other.mase_sum_;
    count_ += other.count_;
  }
  std::size_t count() const { return count_; }
  double smape() const { return count_ ? smape_sum_ / static_cast<double>(count_) : NAN; }
  double mase() const { return count_ ? mase_sum_ / static_cast<double>(count_) : NAN; }
  // OWA of these means relative to `naive2`'s means over the same series.
  double Owa(const M4Accumulator& naive2) const {
    return OwaOf(smape(), mase(), naive2.smape(), naive2.mase());
  }

 private:
  double smape_sum_ = 0.0;
  double mase_sum_ = 0.0;
  std::size_t count_ = 0;
};

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_METRICS_HPP_
