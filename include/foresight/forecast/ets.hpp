// -----------------------------------------------------------------------------
// File: ets.hpp
// -----------------------------------------------------------------------------
//
// `Ets` is exponential smoothing in the innovations state-space form
// ETS(error, trend, season) of Hyndman et al. (2008), fitted and selected as
// forecast::ets does:
//
//   * error {A, M} x trend {N, A, Ad} x season {N, A, M}, excluding the
//     unstable ones (A error with M season; M error needs positive data);
//   * initial states from a classical decomposition (Fourier regression when
//     fewer than three seasons), smoothing parameters started inside R's
//     bounds; all of them estimated jointly by Nelder-Mead (R's nmmin) on
//     n log(SSE) (+ 2 sum log|yhat| for M errors), subject to the "both"
//     bounds: usual (1e-4 <= beta <= alpha <= 0.9999, gamma <= 1 - alpha,
//     0.8 <= phi <= 0.98) and admissible (characteristic roots);
//   * the model with the smallest AICc wins ("ZZZ"); a fixed model string
//     such as "MAM" (damped chosen too unless `damped` is set) restricts it.
// Forecasts are the model's point forecasts; quantiles are Gaussian with
// forecast::forecast.ets's analytic variances (classes 1-3 of Hyndman et al.,
// i.e. every admissible model here).
//
//   Ets ets({.season = 24});                 // model "ZZZ"
//   auto state = ets.Fit(history);           // state->fit.Method() == "ETS(M,Ad,M)"
//   ets.Update(*state, y);                   // one state-space step, no refit
//   Forecast f = ets.Predict(*state, 48);
//
// | type        | name        | description                                        | default |
// |-------------|-------------|----------------------------------------------------|---------|
// | int         | season      | samples per season m (seasonal models need 2..24)  | 1       |
// | std::string | model       | 3 letters error/trend/season from {A,M,N,Z}; Z = choose | "ZZZ" |
// | int         | damped      | -1 choose, 0 never, 1 always (trend models)         | -1      |
// | EtsCriterion| criterion   | fit by likelihood or one-step MSE                   | kLik    |
// | Ic          | ic          | selection criterion (AICc, AIC, BIC)                | AICc    |
// | bool        | nonnegative | floor forecasts and quantiles at zero               | true    |
//
// Cold start: an empty history predicts zeros with confidence 0; a history
// too short for any model (or whose fits all fail) falls back to the naive
// level model ETS(A,N,N) with alpha = 0.9999 (`EtsState::fallback`).
#ifndef FORESIGHT_FORECAST_ETS_HPP_
#define FORESIGHT_FORECAST_ETS_HPP_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "foresight/forecast/forecaster.hpp"

namespace foresight {

enum class EtsCriterion { kLik, kMse };
enum class EtsIc { kAicc, kAic, kBic };

// One fitted model (forecast's "ets" object).
struct EtsFit {
  char error = 'A', trend = 'N', season = 'N';  // 'A'/'M', 'N'/'A', 'N'/'A'/'M'
  bool damped = false;
  int m = 1;
  double alpha = 0.0, beta = 0.0, gamma = 0.0, phi = 1.0;
  std::vector<double> initial_state;  // l, [b], [s_1 .. s_m] (s_m oldest, R's order)
  double loglik = 0.0, aic = 0.0, aicc = 0.0, bic = 0.0, mse = 0.0;
  double sigma2 = 0.0;  // sum e^2 / (n - #parameters), e relative for M errors
  int nparams = 0;      // smoothing parameters + initial states (R's length(par))
  std::string Method() const;  // "ETS(M,Ad,M)"
};

struct EtsOptions {
  int season = 1;
  std::string model = "ZZZ";
  int damped = -1;
  EtsCriterion criterion = EtsCriterion::kLik;
  EtsIc ic = EtsIc::kAicc;
  bool nonnegative = true;
};

// forecast::etsmodel for one fixed model. FailedPrecondition when the model
// has too many parameters for the data or cannot be fitted.
absl::StatusOr<EtsFit> FitEtsModel(std::span<const double> y, char error, char trend, char season,
                                   bool damped, int m, EtsCriterion criterion = EtsCriterion::kLik);
// forecast::ets model selection.
absl::StatusOr<EtsFit> FitEts(std::span<const double> y, const EtsOptions& options = {});

struct EtsState {
  EtsFit fit;
  std::vector<double> state;  // current l, [b], [s_1 .. s_m]
  long long t = 0;
  double level = 0.0;        // typical magnitude (confidence score)
  bool fallback = false;
  bool cold = true;
};

// Runs the fitted model over `y` to its final state.
EtsState MakeEtsState(EtsFit fit, std::span<const double> y);
void EtsStep(EtsState& state, double y);
// Point forecasts and forecast variances (forecast.ets, classes 1-3).
void EtsPredictMoments(const EtsState& state, std::span<double> mean, std::span<double> var);
Forecast EtsForecast(const EtsState& state, int horizon, bool nonnegative);
EtsState EtsFallbackState(std::span<const double> y);

class Ets {
 public:
  using State = EtsState;
  Ets() = default;
  explicit Ets(EtsOptions options) : options_(std::move(options)) {}
  static std::string_view Name() { return "ets"; }
  const EtsOptions& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const;
  void Update(State& state, double y) const { EtsStep(state, y); }
  Forecast Predict(const State& state, int horizon) const {
    return EtsForecast(state, horizon, options_.nonnegative);
  }
  // Predict's means alone (`MeanForecaster`), without the forecast
  // variances: what Conformal and Ensemble ask of a member every sample.
  void PredictMean(const State& state, std::span<double> out) const;

 private:
  EtsOptions options_;
};
static_assert(Forecaster<Ets>);

}  // namespace foresight

#include "foresight/forecast/ets_impl.hpp"

#endif  // FORESIGHT_FORECAST_ETS_HPP_
