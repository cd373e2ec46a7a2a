// -----------------------------------------------------------------------------
// File: aggregate.hpp
// -----------------------------------------------------------------------------
//
// Forecasts at several time resolutions from one history, and forecasts of the
// system-wide total over users.
//
// Resolutions. `ForecastResolutions` turns a base-rate history (e.g. 5-minute
// samples) into one forecast per `Resolution{bucket, horizon}`: the history is
// averaged over non-overlapping buckets of `bucket` samples aligned to its end
// (so the newest bucket is the latest `bucket` samples), the resolution's own
// forecaster is fitted on that coarser series, and step h of its forecast is
// the mean demand over base samples (h-1)*bucket+1 .. h*bucket from now. With
// 5-minute data: {1, 12} (next hour at 5 min), {12, 24} (next day hourly),
// {288, 7} (next week daily). Each resolution has its own forecaster because
// the seasonal period differs (288, 24, 7). Phases of phase-aware forecasters
// count from the first complete bucket.
//
// Totals. `ForecastTotal` fits a forecaster on the sum of the users' histories
// (right-aligned: a user contributes 0 before its history starts), which
// captures their correlation empirically (top-down). `BottomUpSum` combines
// per-user forecasts: means add up, and the quantiles of the sum are Gaussian
// with variance (1 - rho) sum sigma_i^2 + rho (sum sigma_i)^2, where sigma_i
// comes from user i's 5%-95% spread and rho is a common correlation.
//
//   std::vector<HoltWinters> per_res = {HoltWinters({.season = 288}),
//                                       HoltWinters({.season = 24}),
//                                       HoltWinters({.season = 7})};
//   std::vector<Resolution> res = {{1, 12}, {12, 24}, {288, 7}};
//   auto forecasts = ForecastResolutions<HoltWinters>(per_res, res, history);
#ifndef FORESIGHT_FORECAST_AGGREGATE_HPP_
#define FORESIGHT_FORECAST_AGGREGATE_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/error_quantiles.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"

namespace foresight {

struct Resolution {
  int bucket = 1;    // base samples per step
  int horizon = 12;  // steps to forecast at this resolution
};

// Means over non-overlapping buckets aligned to the end of `y` (the oldest
// `y.size() % bucket` samples are dropped).
inline std::vector<double> BucketMeans(std::span<const double> y, int bucket) {
  const std::size_t b = static_cast<std::size_t>(std::max(bucket, 1));
  const std::size_t count = y.size() / b;
  const std::size_t skip = y.size() - count * b;
  std::vector<double> out(count, 0.0);
  for (std::size_t i = 0; i < count; ++i) {
    double sum = 0.0;
    for (std::size_t j = 0; j < b; ++j) sum += y[skip + i * b + j];
    out[i] = sum / static_cast<double>(b);
  }
  return out;
}

template <Forecaster F>
absl::StatusOr<std::vector<Forecast>> ForecastResolutions(std::span<const F> forecasters,
                                                          std::span<const Resolution> resolutions,
                                                          std::span<const double> history) {
  if (forecasters.size() != resolutions.size()) {
    return absl::InvalidArgumentError(absl::StrCat("ForecastResolutions: ", forecasters.size(),
                                                   " forecasters for ", resolutions.size(),
                                                   " resolutions"));
  }
  if (absl::Status s = internal::CheckFinite(history, "ForecastResolutions"); !s.ok()) return s;
  std::vector<Forecast> out;
  out.reserve(resolutions.size());
  for (std::size_t r = 0; r < resolutions.size(); ++r) {
    if (resolutions[r].bucket < 1 || resolutions[r].horizon < 1) {
      return absl::InvalidArgumentError(absl::StrCat("ForecastResolutions: resolution ", r,
                                                     " needs bucket >= 1 and horizon >= 1"));
    }
    const std::vector<double> coarse = BucketMeans(history, resolutions[r].bucket);
    absl::StatusOr<typename F::State> state = forecasters[r].Fit(coarse);
    if (!state.ok()) return state.status();
    out.push_back(forecasters[r].Predict(*state, resolutions[r].horizon));
  }
  return out;
}

// Sum of the users' histories, right-aligned to the longest.
inline std::vector<double> TotalSeries(std::span<const std::span<const double>> histories) {
  std::size_t n = 0;
  for (const auto& h : histories) n = std::max(n, h.size());
  std::vector<double> total(n, 0.0);
  for (const auto& h : histories) {
    const std::size_t off = n - h.size();
    for (std::size_t i = 0; i < h.size(); ++i) total[off + i] += h[i];
  }
  return total;
}

// Top-down forecast of the total over users.
template <Forecaster F>
absl::StatusOr<Forecast> ForecastTotal(const F& forecaster,
                                       std::span<const std::span<const double>> histories,
                                       int horizon) {
  for (std::size_t u = 0; u < histories.size(); ++u) {
    if (absl::Status s = internal::CheckFinite(histories[u], absl::StrCat("user ", u)); !s.ok()) {
      return s;
    }
  }
  const std::vector<double> total = TotalSeries(histories);
  absl::StatusOr<typename F::State> state = forecaster.Fit(total);
  if (!state.ok()) return state.status();
  return forecaster.Predict(*state, horizon);
}

// Bottom-up forecast of the total from per-user forecasts of equal horizon.
inline absl::StatusOr<Forecast> BottomUpSum(std::span<const Forecast> users, double correlation = 0.0,
                                            std::span<const double> levels = kDefaultQuantileLevels) {
  if (users.empty()) return Forecast(0, levels);
  const int H = users.front().horizon();
  for (std::size_t u = 0; u < users.size(); ++u) {
    if (users[u].horizon() != H) {
      return absl::InvalidArgumentError(absl::StrCat("BottomUpSum: user ", u, " has horizon ",
                                                     users[u].horizon(), ", expected ", H));
    }
  }
  if (!(correlation >= 0.0 && correlation <= 1.0)) {
    return absl::InvalidArgumentError("BottomUpSum: correlation must be in [0, 1]");
  }
  const double z90 = internal::NormalQuantile(0.95);
  Forecast f(H, levels);
  double conf = 0.0;
  for (const Forecast& u : users) conf += u.confidence();
  for (int s = 1; s <= H; ++s) {
    double mean = 0.0, var = 0.0, sd_sum = 0.0;
    for (const Forecast& u : users) {
      mean += u.mean(s);
      const double sd = std::max(0.0, u.Quantile(s, 0.95) - u.Quantile(s, 0.05)) / (2 * z90);
      var += sd * sd;
      sd_sum += sd;
    }
    const double sd = std::sqrt((1 - correlation) * var + correlation * sd_sum * sd_sum);
    f.mean(s) = mean;
    for (std::size_t k = 0; k < f.num_levels(); ++k) {
      f.quantile(s, k) = mean + internal::NormalQuantile(f.levels()[k]) * sd;
    }
  }
  f.Normalize(/*floor_at_zero=*/false);
  f.set_confidence(conf / static_cast<double>(users.size()));
  return f;
}

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_AGGREGATE_HPP_
