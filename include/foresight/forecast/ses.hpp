// -----------------------------------------------------------------------------
// File: ses.hpp
// -----------------------------------------------------------------------------
//
// `Ses` ("ses") is simple exponential smoothing, ETS(A,N,N), fitted as
// forecast::ses(initial = "optimal") fits it: alpha and the initial level
// minimise the in-sample one-step MSE (Nelder-Mead, 1e-4 <= alpha <= 0.9999).
// Forecasts are flat at the last level; quantiles are Gaussian with variance
// sigma^2 (1 + (h - 1) alpha^2). A convenience over `Ets` with model "ANN".
//
//   Ses ses;
//   auto state = ses.Fit(history);   // state->fit.alpha
//   Forecast f = ses.Predict(*state, 12);
//
// | type         | name        | description                          | default |
// |--------------|-------------|--------------------------------------|---------|
// | EtsCriterion | criterion   | kMse (forecast::ses) or kLik (ets)   | kMse    |
// | bool         | nonnegative | floor forecasts and quantiles at 0   | true    |
//
// Cold start: empty history -> zeros with confidence 0; fewer than 4 samples
// -> the naive level (alpha = 0.9999), see `EtsState::fallback`.
#ifndef FORESIGHT_FORECAST_SES_HPP_
#define FORESIGHT_FORECAST_SES_HPP_

#include <span>
#include <string_view>

#include "foresight/forecast/ets.hpp"

namespace foresight {

struct SesOptions {
  EtsCriterion criterion = EtsCriterion::kMse;
  bool nonnegative = true;
};

class Ses {
 public:
  using State = EtsState;
  Ses() = default;
  explicit Ses(SesOptions options) : options_(options) {}
  static std::string_view Name() { return "ses"; }
  const SesOptions& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    if (absl::Status s = internal::CheckFinite(history, "ses"); !s.ok()) return s;
    absl::StatusOr<EtsFit> fit = FitEtsModel(history, 'A', 'N', 'N', false, 1, options_.criterion);
    if (!fit.ok()) return EtsFallbackState(history);
    return MakeEtsState(*std::move(fit), history);
  }
  void Update(State& state, double y) const { EtsStep(state, y); }
  Forecast Predict(const State& state, int horizon) const {
    return EtsForecast(state, horizon, options_.nonnegative);
  }

 private:
  SesOptions options_;
};
static_assert(Forecaster<Ses>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_SES_HPP_
