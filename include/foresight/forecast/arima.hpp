// -----------------------------------------------------------------------------
// File: arima.hpp
// -----------------------------------------------------------------------------
//
// `Arima` is seasonal ARIMA(p,d,q)(P,D,Q)[m] with an optional mean (d + D = 0)
// or drift (d + D <= 1), fitted by exact Gaussian maximum likelihood the way
// R's stats::arima / forecast::Arima fit it:
//
//   * the series is differenced by (1 - B)^d (1 - B^m)^D and the regression
//     part (mean, drift) is removed; the ARMA likelihood of the result comes
//     from its state-space form and a Kalman filter (internal/kalman.hpp);
//   * start values are the conditional-sum-of-squares (CSS) estimates, then
//     BFGS (R's optimiser, internal/optim.hpp) maximises the likelihood over
//     AR parameters mapped through partial autocorrelations (tanh + Durbin-
//     Levinson, R's partrans), so every AR iterate is stationary; a
//     non-invertible MA part is reflected into the unit circle afterwards;
//   * a non-stationary CSS AR estimate is an error, as in R.
// Forecasts integrate the ARMA predictions back through the differences;
// quantiles come from the Gaussian predictive distribution with variance
// sigma^2 * sum psi_j^2 (psi: MA(inf) weights of the differenced model).
//
// Differences from R, on purpose: R keeps the differencing inside a diffuse
// state (kappa = 1e6) while we difference first. The likelihoods agree to
// ~1e-6 relative; forecast::Arima's sigma^2 also sums the tiny standardised
// residuals of the diffuse start, ours does not (~1e-4 relative).
//
//   Arima sarima({.order = {.p = 0, .d = 1, .q = 1, .P = 0, .D = 1, .Q = 1, .m = 12}});
//   auto state = sarima.Fit(history);     // StatusOr<ArimaState>
//   sarima.Update(*state, y);             // Kalman step, no refit
//   Forecast f = sarima.Predict(*state, 24);
//
// | type       | name          | description                                   | default |
// |------------|---------------|-----------------------------------------------|---------|
// | ArimaOrder | order         | (p,d,q)(P,D,Q)[m]                             | (0,0,0) |
// | bool       | include_mean  | estimate a mean when d + D == 0               | true    |
// | bool       | include_drift | estimate a drift when d + D <= 1              | false   |
// | bool       | nonnegative   | floor forecasts and quantiles at zero          | true    |
//
// Cold start (Fit with too little data for the order): the order is reduced
// to ARIMA(0,1,0), then to the mean model; an empty history predicts zeros
// with confidence 0. `ArimaState::fallback` says when that happened.
#ifndef FORESIGHT_FORECAST_ARIMA_HPP_
#define FORESIGHT_FORECAST_ARIMA_HPP_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/kalman.hpp"

namespace foresight {

struct ArimaOrder {
  int p = 0, d = 0, q = 0;
  int P = 0, D = 0, Q = 0;
  int m = 1;  // season length; seasonal terms are ignored when m <= 1
  bool operator==(const ArimaOrder&) const = default;
  std::string ToString() const;  // "ARIMA(p,d,q)(P,D,Q)[m]"
};

// One fitted model: coefficients in R's order and the information criteria.
struct ArimaFit {
  ArimaOrder order;
  std::vector<double> ar, ma, sar, sma;
  bool has_intercept = false, has_drift = false;
  double intercept = 0.0, drift = 0.0;
  double sigma2 = 0.0;     // forecast::Arima's: sum e^2 / (n* - npar + 1)
  double sigma2_ml = 0.0;  // stats::arima's: sum e^2 / n*
  double loglik = 0.0, aic = 0.0, aicc = 0.0, bic = 0.0;
  int nobs = 0;  // n* = n - d - m D
  int npar = 0;  // estimated coefficients + 1 (sigma^2)
  bool converged = false;
  // forecast's checkarima: the coefficient covariance from the numerical
  // Hessian exists and has a non-negative diagonal (only computed when
  // ArimaFitOptions::check_hessian is set; true otherwise).
  bool hessian_ok = true;
  std::vector<double> phi, theta;  // expanded ARMA polynomials of the differenced series
  std::vector<double> delta;       // y_t = w_t + sum_j delta_j y_{t-j}
  // Coefficients as R names them: ar1.., ma1.., sar1.., sma1.., intercept, drift.
  std::vector<std::pair<std::string, double>> Coefficients() const;
};

struct ArimaFitOptions {
  bool include_mean = true;
  bool include_drift = false;
  int max_iterations = 100;  // BFGS iterations, as R
  // Stop after the conditional-sum-of-squares fit (stats::arima method "CSS"):
  // sigma2 = CSS residual variance, loglik and information criteria NaN.
  bool css_only = false;
  // Compute the Hessian check of ArimaFit::hessian_ok (about 4 k^2 extra
  // likelihood evaluations for k coefficients); AutoArima turns it on.
  bool check_hessian = false;
};

// Fits one model. Errors: InvalidArgument for non-finite data, FailedPrecondition
// for too few observations or a non-stationary CSS start (R: an error too),
// Internal when the likelihood cannot be evaluated.
absl::StatusOr<ArimaFit> FitArima(std::span<const double> y, const ArimaOrder& order,
                                  const ArimaFitOptions& options = {});

// Online state of a fitted model: the Kalman filter of the differenced series,
// the last n_d undifferenced regression residuals, and the sample count.
struct ArimaState {
  ArimaFit fit;
  internal::ArmaFilter filter;
  std::vector<double> u_tail;  // last (d + m D) values of y - mean - drift * t
  long long t = 0;             // samples seen
  double last = 0.0;           // last sample
  double level = 0.0;          // typical magnitude (for the confidence score)
  bool fallback = false;       // the requested order could not be fitted
  bool cold = true;            // no data at all
};

// Point means and standard deviations for steps 1..h.
void ArimaPredictMoments(const ArimaState& state, std::span<double> mean, std::span<double> sd);

// Starts the online state from a fit by filtering the history.
ArimaState MakeArimaState(ArimaFit fit, std::span<const double> y);
void ArimaStep(ArimaState& state, double y);
Forecast ArimaForecast(const ArimaState& state, int horizon, bool nonnegative);
// Fits `order`, then the fallbacks described above; never fails on finite data.
absl::StatusOr<ArimaState> FitArimaWithFallback(std::span<const double> y, const ArimaOrder& order,
                                                const ArimaFitOptions& options);

struct ArimaOptions {
  ArimaOrder order;
  bool include_mean = true;
  bool include_drift = false;
  bool nonnegative = true;
};

class Arima {
 public:
  using State = ArimaState;
  Arima() = default;
  explicit Arima(ArimaOptions options) : options_(options) {}
  static std::string_view Name() { return "sarima"; }
  const ArimaOptions& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    return FitArimaWithFallback(history, options_.order,
                                {.include_mean = options_.include_mean,
                                 .include_drift = options_.include_drift});
  }
  void Update(State& state, double y) const { ArimaStep(state, y); }
  Forecast Predict(const State& state, int horizon) const {
    return ArimaForecast(state, horizon, options_.nonnegative);
  }

 private:
  ArimaOptions options_;
};
static_assert(Forecaster<Arima>);

}  // namespace foresight

#include "foresight/forecast/arima_impl.hpp"

#endif  // FORESIGHT_FORECAST_ARIMA_HPP_
