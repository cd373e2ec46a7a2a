// -----------------------------------------------------------------------------
// File: headroom.hpp
// -----------------------------------------------------------------------------
//
// `Headroom<ForecasterT>` is a decorator that plays the Forecaster role: it
// keeps the wrapped forecaster's mean and raises every quantile at a level of
// 1/2 or more to at least (1 + fraction) x the mean of its step:
//
//     q'(tau) = max(q(tau), (1 + fraction) * mean)    for tau >= 1/2,
//     q'(tau) = q(tau)                                  below.
//
// It is the Kubernetes VPA recommender's safety margin (a fixed fraction over
// the estimate), applied on top of a calibrated forecast instead of in place of
// one. A calibrated margin learns the size of what recurs in its window
// (spikes, the nightly job); it cannot learn a one-off step it has not yet
// seen, such as a deployment that lifts memory by 30 %, and a margin widened by
// one such step stays wide for a whole window. A relative floor covers steps
// up to `fraction` of the level at a fixed, proportional cost.
//
//   absl::StatusOr<Headroom<Conformal<PeakEnvelope>>> memory =
//       Headroom<Conformal<PeakEnvelope>>::Create(
//           Conformal<PeakEnvelope>(PeakEnvelope(e), c, kTailQuantileLevels),
//           {.fraction = 0.30});
//
// Levels below 1/2 are untouched, so the floor never narrows an interval from
// below; the floor is the same for every upper level of a step, so quantiles
// stay non-decreasing. A negative mean gets no floor (its (1 + fraction) x is
// lower still). State, Fit, Update and (when the wrapped forecaster is
// resource-aware) FitFor are the wrapped forecaster's; Predict costs the
// wrapped Predict plus O(horizon * levels).
//
// | type   | name     | description                                    | default |
// |--------|----------|------------------------------------------------|---------|
// | double | fraction | floor of the upper quantiles over the mean (>= 0, finite) | 0.15 |
#ifndef FORESIGHT_FORECAST_HEADROOM_HPP_
#define FORESIGHT_FORECAST_HEADROOM_HPP_

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/forecast/forecaster.hpp"

namespace foresight {

struct HeadroomOptions {
  double fraction = 0.15;
};

template <Forecaster ForecasterT>
class Headroom {
 public:
  using State = typename ForecasterT::State;

  // Fails with InvalidArgumentError when `fraction` is negative or not finite.
  static absl::StatusOr<Headroom> Create(ForecasterT inner, HeadroomOptions options = {}) {
    if (!std::isfinite(options.fraction) || options.fraction < 0.0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Headroom: fraction must be finite and >= 0, got ", options.fraction));
    }
    return Headroom(std::move(inner), options);
  }

  static std::string_view Name() { return "headroom"; }
  const ForecasterT& inner() const { return inner_; }
  const HeadroomOptions& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const { return inner_.Fit(history); }
  void Update(State& state, double y) const { inner_.Update(state, y); }
  // Forwarded so that wrapping keeps a per-resource forecaster resource-aware.
  absl::StatusOr<State> FitFor(Resource r, std::span<const double> history) const
    requires ResourceAwareForecaster<ForecasterT>
  {
    return inner_.FitFor(r, history);
  }

  Forecast Predict(const State& state, int horizon) const {
    Forecast f = inner_.Predict(state, horizon);
    const std::span<const double> levels = f.levels();
    for (int step = 1; step <= f.horizon(); ++step) {
      const double floor = (1.0 + options_.fraction) * f.mean(step);
      if (!(floor > f.mean(step))) continue;  // mean <= 0: no floor
      for (std::size_t k = 0; k < levels.size(); ++k) {
        if (levels[k] >= 0.5) f.quantile(step, k) = std::max(f.quantile(step, k), floor);
      }
    }
    return f;
  }

 private:
  Headroom(ForecasterT inner, HeadroomOptions options)
      : inner_(std::move(inner)), options_(options) {}

  ForecasterT inner_;
  HeadroomOptions options_;
};

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_HEADROOM_HPP_
