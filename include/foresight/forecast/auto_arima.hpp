// -----------------------------------------------------------------------------
// File: auto_arima.hpp
// -----------------------------------------------------------------------------
//
// `AutoArima` ("arima") chooses and fits a seasonal ARIMA model the way
// forecast::auto.arima(stepwise = TRUE, approximation = FALSE) does
// (Hyndman & Khandakar 2008):
//
//   1. D from the seasonal-strength heuristic (STL, strength > 0.64), only
//      when n > 2 m; d from repeated KPSS tests at 5% on the seasonally
//      differenced series (internal/unit_root.hpp);
//   2. a stepwise search over (p, q, P, Q, constant) from (2,d,2)(1,D,1),
//      (0,d,0)(0,D,0), (1,d,0)(1,D,0), (0,d,1)(0,D,1), moving one or two orders
//      at a time while the AICc improves, at most 94 models;
//   3. a model is rejected (AICc = inf) when its fit fails, its CSS start is
//      non-stationary, a root of its AR or MA polynomial lies within 1.01
//      of the unit circle, or its coefficient covariance (numerical Hessian)
//      is singular or has a negative variance (forecast's checkarima).
// A constant (mean or drift) is allowed only when d + D <= 1, as in R.
// Like R, long or finely seasonal series (n > 150 or m > 12) are searched with
// CSS fits scored by an offset-corrected CSS AICc, then the best models are
// refitted by exact ML until one survives (`approximation`, kAuto); kOff fits
// every candidate exactly (forecast's approximation = FALSE).
//
//   AutoArima arima({.season = 24});
//   auto state = arima.Fit(history);   // chosen model: state->fit.order
//   Forecast f = arima.Predict(*state, 48);
//
// | type | name        | description                                   | default |
// |------|-------------|-----------------------------------------------|---------|
// | int  | season      | samples per season m (1 = non-seasonal)        | 1       |
// | int  | max_p/max_q | largest non-seasonal AR / MA order             | 5 / 5   |
// | int  | max_P/max_Q | largest seasonal AR / MA order                 | 2 / 2   |
// | int  | max_d/max_D | largest number of (seasonal) differences       | 2 / 1   |
// | int  | d / D       | fixed differences (-1 = choose by tests)       | -1 / -1 |
// | Ic   | ic          | criterion to minimise (AICc, AIC, BIC)         | AICc    |
// | int  | nmodels     | most models the stepwise search may fit        | 94      |
// | bool | allow_drift / allow_mean | consider a drift / mean term      | true    |
// | Approximation | approximation | CSS search then exact refit (kAuto: n > 150 or m > 12) | kAuto |
// | bool | nonnegative | floor forecasts and quantiles at zero           | true    |
//
// Fallbacks: a constant series gets the mean model; when no candidate can be
// fitted (too short, all rejected) the state falls back to ARIMA(0,1,0)
// (`ArimaState::fallback`), and an empty history gives a cold state.
#ifndef FORESIGHT_FORECAST_AUTO_ARIMA_HPP_
#define FORESIGHT_FORECAST_AUTO_ARIMA_HPP_

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "foresight/forecast/arima.hpp"
#include "foresight/forecast/internal/stats.hpp"
#include "foresight/forecast/internal/unit_root.hpp"

namespace foresight {

struct AutoArimaOptions {
  enum class Ic { kAicc, kAic, kBic };
  int season = 1;
  int max_p = 5, max_q = 5, max_P = 2, max_Q = 2, max_d = 2, max_D = 1;
  int start_p = 2, start_q = 2, start_P = 1, start_Q = 1;
  int d = -1, D = -1;
  bool stationary = false;
  bool seasonal = true;
  bool allow_drift = true, allow_mean = true;
  int nmodels = 94;
  Ic ic = Ic::kAicc;
  // Search with CSS fits and refit the best exactly (R's approximation);
  // kAuto uses it when n > 150 or m > 12, as forecast::auto.arima.
  enum class Approximation { kAuto, kOn, kOff };
  Approximation approximation = Approximation::kAuto;
  bool nonnegative = true;
};

struct AutoArimaReport {
  int d = 0, D = 0;
  int models_fitted = 0;
};

namespace internal {

struct ArimaCandidate {
  ArimaFit fit;
  double ic = std::numeric_limits<double>::infinity();
};

// forecast's myarima: fit, score, and reject near-unit-root models.
// With `approximate`, the fit is CSS and the criteria come from its residual
// variance: AIC = offset + n* log(sigma2) + 2 npar (forecast's myarima).
inline ArimaCandidate ScoreArima(std::span<const double> y, const ArimaOrder& order, bool constant,
                                 AutoArimaOptions::Ic ic, bool approximate = false,
                                 double offset = 0.0) {
  ArimaCandidate c;
  const int diffs = order.d + order.D;
  absl::StatusOr<ArimaFit> fit =
      FitArima(y, order,
               {.include_mean = constant, .include_drift = diffs == 1 && constant,
                .css_only = approximate, .check_hessian = true});
  if (!fit.ok()) return c;
  c.fit = *std::move(fit);
  if (approximate) {
    const double nstar = c.fit.nobs, npar = c.fit.npar;
    c.fit.aic = offset + nstar * std::log(c.fit.sigma2) + 2 * npar;
    c.fit.bic = c.fit.aic + npar * (std::log(nstar) - 2);
    c.fit.aicc = c.fit.aic + 2 * npar * (npar + 1) / (nstar - npar - 1);
  }
  const double v = ic == AutoArimaOptions::Ic::kAicc  ? c.fit.aicc
                   : ic == AutoArimaOptions::Ic::kAic ? c.fit.aic
                                                      : c.fit.bic;
  if (!std::isfinite(v)) return c;
  double minroot = 2.0;
  if (!c.fit.phi.empty()) {
    std::vector<double> neg(c.fit.phi.size());
    for (std::size_t i = 0; i < neg.size(); ++i) neg[i] = -c.fit.phi[i];
    minroot = std::min(minroot, MinRootModulus(neg));
  }
  if (!c.fit.theta.empty()) minroot = std::min(minroot, MinRootModulus(c.fit.theta));
  if (minroot < 1.01 || !c.fit.hessian_ok) return c;
  c.ic = v;
  return c;
}

// Model with no ARMA part and a fixed constant (forecast's handling of a
// constant differenced series).
inline ArimaFit ConstantArimaFit(std::span<const double> y, int d, int D, int m, double intercept,
                                 double drift) {
  ArimaFit fit;
  fit.order = {.p = 0, .d = d, .q = 0, .P = 0, .D = D, .Q = 0, .m = std::max(m, 1)};
  fit.delta = DifferencingPolynomial(d, D, std::max(m, 1));
  fit.has_intercept = intercept != 0.0;
  fit.has_drift = drift != 0.0;
  fit.intercept = intercept;
  fit.drift = drift;
  std::vector<double> u(y.size());
  for (std::size_t t = 0; t < y.size(); ++t) u[t] = y[t] - intercept - drift * static_cast<double>(t + 1);
  const std::vector<double> w = ApplyDifferencing(u, fit.delta);
  double ss = 0.0;
  for (double v : w) ss += v * v;
  fit.nobs = static_cast<int>(w.size());
  fit.npar = 1;
  fit.sigma2 = fit.sigma2_ml = w.empty() ? 0.0 : ss / static_cast<double>(w.size());
  fit.converged = true;
  return fit;
}

}  // namespace internal

// forecast::auto.arima. Errors: InvalidArgument (non-finite), FailedPrecondition
// (empty, or no suitable model).
inline absl::StatusOr<ArimaFit> AutoArimaFit(std::span<const double> x,
                                             const AutoArimaOptions& opt = {},
                                             AutoArimaReport* report = nullptr) {
  using internal::ArimaCandidate;
  using internal::ScoreArima;
  if (absl::Status s = internal::CheckFinite(x, "arima"); !s.ok()) return s;
  const int n = static_cast<int>(x.size());
  if (n == 0) return absl::FailedPreconditionError("arima: empty history");
  AutoArimaReport rep;
  if (internal::IsConstant(x)) {
    if (report) *report = rep;
    return internal::ConstantArimaFit(x, 0, 0, 1, opt.allow_mean ? x[0] : 0.0, 0.0);
  }
  AutoArimaOptions::Ic ic = opt.ic;
  int m = opt.seasonal ? std::max(opt.season, 1) : 1;
  int max_p = std::min(opt.max_p, n / 3), max_q = std::min(opt.max_q, n / 3);
  int max_P = std::min(opt.max_P, n / 3 / m), max_Q = std::min(opt.max_Q, n / 3 / m);
  if (n <= 3) ic = AutoArimaOptions::Ic::kAic;
  int d = opt.d, D = opt.D;
  if (opt.stationary) d = D = 0;
  if (m == 1) {
    D = max_P = max_Q = 0;
  } else if (D < 0 && n <= 2 * m) {
    D = 0;
  } else if (D < 0) {
    D = internal::Nsdiffs(x, m, opt.max_D);
  }
  std::vector<double> dx = D > 0 ? internal::Diff(x, m, D) : std::vector<double>(x.begin(), x.end());
  if (d < 0) d = internal::Ndiffs(dx, 0.05, opt.max_d);
  if (d > 0) dx = internal::Diff(dx, 1, d);
  rep.d = d;
  rep.D = D;
  if (dx.empty()) return absl::FailedPreconditionError("arima: not enough data to difference");
  if (internal::IsConstant(dx)) {
    if (report) *report = rep;
    const double mdx = internal::Mean(dx);
    if (D > 0 && d == 0) return internal::ConstantArimaFit(x, 0, D, m, 0.0, mdx / m);
    if (D > 0 && d > 0) return internal::ConstantArimaFit(x, d, D, m, 0.0, 0.0);
    if (d == 2) return internal::ConstantArimaFit(x, 2, 0, 1, 0.0, 0.0);
    if (d == 1) return internal::ConstantArimaFit(x, 1, 0, 1, 0.0, mdx);
    return internal::ConstantArimaFit(x, 0, 0, 1, mdx, 0.0);
  }
  if (m > 1) {
    if (max_P > 0) max_p = std::min(max_p, m - 1);
    if (max_Q > 0) max_q = std::min(max_q, m - 1);
  }
  const bool approximate =
      opt.approximation == AutoArimaOptions::Approximation::kOn ||
      (opt.approximation == AutoArimaOptions::Approximation::kAuto && (n > 150 || m > 12));
  double offset = 0.0;
  if (approximate) {
    const absl::StatusOr<ArimaFit> base =
        FitArima(x, {.p = 0, .d = d, .q = 0, .P = 0, .D = D, .Q = 0, .m = m});
    if (base.ok()) offset = -2 * base->loglik - n * std::log(base->sigma2_ml);
  }
  const bool allowdrift = opt.allow_drift && (d + D) == 1;
  const bool allowmean = opt.allow_mean && (d + D) == 0;
  bool constant = allowdrift || allowmean;

  int start_p = opt.start_p, start_q = opt.start_q, start_P = opt.start_P, start_Q = opt.start_Q;
  if (n < 10) {
    start_p = std::min(start_p, 1);
    start_q = std::min(start_q, 1);
    start_P = start_Q = 0;
  }
  int p = start_p = std::min(start_p, max_p);
  int q = start_q = std::min(start_q, max_q);
  int P = start_P = std::min(start_P, max_P);
  int Q = start_Q = std::min(start_Q, max_Q);

  std::vector<std::array<int, 5>> tried;  // p, q, P, Q, constant
  std::vector<double> tried_ic;
  auto is_new = [&](int pp, int qq, int PP, int QQ, bool c) {
    const std::array<int, 5> key{pp, qq, PP, QQ, c ? 1 : 0};
    return std::find(tried.begin(), tried.end(), key) == tried.end();
  };
  auto fit_model = [&](int pp, int qq, int PP, int QQ, bool c) {
    tried.push_back({pp, qq, PP, QQ, c ? 1 : 0});
    ++rep.models_fitted;
    ArimaCandidate cand = ScoreArima(
        x, {.p = pp, .d = d, .q = qq, .P = PP, .D = D, .Q = QQ, .m = m}, c, ic, approximate, offset);
    tried_ic.push_back(cand.ic);
    return cand;
  };

  ArimaCandidate best = fit_model(p, q, P, Q, constant);
  {
    ArimaCandidate c = fit_model(0, 0, 0, 0, constant);
    if (c.ic < best.ic) {
      best = std::move(c);
      p = q = P = Q = 0;
    }
  }
  if (max_p > 0 || max_P > 0) {
    const int pp = max_p > 0, PP = (m > 1) && (max_P > 0);
    ArimaCandidate c = fit_model(pp, 0, PP, 0, constant);
    if (c.ic < best.ic) {
      best = std::move(c);
      p = pp;
      P = PP;
      q = Q = 0;
    }
  }
  if (max_q > 0 || max_Q > 0) {
    const int qq = max_q > 0, QQ = (m > 1) && (max_Q > 0);
    ArimaCandidate c = fit_model(0, qq, 0, QQ, constant);
    if (c.ic < best.ic) {
      best = std::move(c);
      p = P = 0;
      Q = QQ;
      q = qq;
    }
  }
  if (constant) {
    ArimaCandidate c = fit_model(0, 0, 0, 0, false);
    if (c.ic < best.ic) {
      best = std::move(c);
      p = q = P = Q = 0;
      // R keeps `constant` as is here; the stepwise loop may toggle it.
    }
  }
  int k = static_cast<int>(tried.size());
  int startk = 0;
  // One move of the stepwise search: (dp, dq, dP, dQ) relative to the current model.
  struct Move {
    int dp, dq, dP, dQ;
  };
  static constexpr Move kMoves[] = {
      {0, 0, -1, 0}, {0, 0, 0, -1}, {0, 0, 1, 0},  {0, 0, 0, 1},  {0, 0, -1, -1}, {0, 0, -1, 1},
      {0, 0, 1, -1}, {0, 0, 1, 1},  {-1, 0, 0, 0}, {0, -1, 0, 0}, {1, 0, 0, 0},   {0, 1, 0, 0},
      {-1, -1, 0, 0}, {-1, 1, 0, 0}, {1, -1, 0, 0}, {1, 1, 0, 0}};
  while (startk < k && k < opt.nmodels) {
    startk = k;
    bool improved = false;
    for (const Move& mv : kMoves) {
      const int np = p + mv.dp, nq = q + mv.dq, nP = P + mv.dP, nQ = Q + mv.dQ;
      if (np < 0 || nq < 0 || nP < 0 || nQ < 0 || np > max_p || nq > max_q || nP > max_P ||
          nQ > max_Q) {
        continue;
      }
      if (!is_new(np, nq, nP, nQ, constant)) continue;
      ++k;
      if (k > opt.nmodels) break;
      ArimaCandidate c = fit_model(np, nq, nP, nQ, constant);
      if (c.ic < best.ic) {
        best = std::move(c);
        p = np;
        q = nq;
        P = nP;
        Q = nQ;
        improved = true;
        break;
      }
    }
    if (improved || k > opt.nmodels) continue;
    if ((allowdrift || allowmean) && is_new(p, q, P, Q, !constant)) {
      ++k;
      if (k > opt.nmodels) continue;
      ArimaCandidate c = fit_model(p, q, P, Q, !constant);
      if (c.ic < best.ic) {
        best = std::move(c);
        constant = !constant;
      }
    }
  }
  if (approximate) {
    // Refit the searched models exactly, best CSS criterion first, and keep
    // the first that survives.
    std::vector<std::size_t> idx(tried.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(),
                     [&](std::size_t a, std::size_t b) { return tried_ic[a] < tried_ic[b]; });
    best = ArimaCandidate{};
    for (std::size_t i : idx) {
      const auto& t = tried[i];
      ++rep.models_fitted;
      ArimaCandidate c = ScoreArima(
          x, {.p = t[0], .d = d, .q = t[1], .P = t[2], .D = D, .Q = t[3], .m = m}, t[4] == 1, ic);
      if (std::isfinite(c.ic)) {
        best = std::move(c);
        break;
      }
    }
  }
  if (report) *report = rep;
  if (!std::isfinite(best.ic)) {
    return absl::FailedPreconditionError("arima: no suitable ARIMA model found");
  }
  return std::move(best.fit);
}

class AutoArima {
 public:
  using State = ArimaState;
  AutoArima() = default;
  explicit AutoArima(AutoArimaOptions options) : options_(options) {}
  static std::string_view Name() { return "arima"; }
  const AutoArimaOptions& options() const { return options_; }

  // Chooses and fits the model; see the header comment for the fallbacks.
  absl::StatusOr<State> Fit(std::span<const double> history) const {
    if (absl::Status s = internal::CheckFinite(history, "arima"); !s.ok()) return s;
    absl::StatusOr<ArimaFit> fit = AutoArimaFit(history, options_);
    if (fit.ok()) return MakeArimaState(*std::move(fit), history);
    return FitArimaWithFallback(history, {.p = 0, .d = 1, .q = 0}, {.include_mean = false});
  }
  void Update(State& state, double y) const { ArimaStep(state, y); }
  Forecast Predict(const State& state, int horizon) const {
    return ArimaForecast(state, horizon, options_.nonnegative);
  }

 private:
  AutoArimaOptions options_;
};
static_assert(Forecaster<AutoArima>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_AUTO_ARIMA_HPP_
