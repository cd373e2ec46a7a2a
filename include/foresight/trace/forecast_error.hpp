// -----------------------------------------------------------------------------
// File: forecast_error.hpp
// -----------------------------------------------------------------------------
//
// One-step-ahead forecast errors of any `Forecaster` replayed over a workload
// user's demand, for the forecast-error CDF of `foresight evaluate --report`.
// The forecaster learns online from the first step (missing steps are skipped,
// not zero-filled); errors are collected at steps at or after `from`, as
// |actual - predicted mean| divided by the user's mean demand over those steps
// (so entities of any size compare).
#ifndef FORESIGHT_TRACE_FORECAST_ERROR_HPP_
#define FORESIGHT_TRACE_FORECAST_ERROR_HPP_

#include <cmath>
#include <span>
#include <vector>

#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/sim/workload.hpp"

namespace foresight {

template <Forecaster F>
std::vector<double> OneStepRelativeErrors(const Workload& w, std::size_t user, Resource r,
                                          const F& forecaster, absl::Time from) {
  std::vector<double> errors;
  auto state = forecaster.Fit(std::span<const double>());
  if (!state.ok()) return errors;
  double sum = 0.0;
  std::size_t seen = 0, n = 0;
  for (std::size_t t = 0; t < w.num_steps(); ++t) {
    const double y = w.Demand(user, t, r);
    if (std::isnan(y)) continue;
    if (w.time(t) >= from && seen > 0) {
      const double predicted = forecaster.Predict(*state, 1).mean(1);
      errors.push_back(std::abs(y - predicted));
      sum += y;
      ++n;
    }
    forecaster.Update(*state, y);
    ++seen;
  }
  const double mean = n > 0 ? sum / static_cast<double>(n) : 0.0;
  if (!(mean > 0)) return {};
  for (double& e : errors) e /= mean;
  return errors;
}

}  // namespace foresight

#endif  // FORESIGHT_TRACE_FORECAST_ERROR_HPP_
