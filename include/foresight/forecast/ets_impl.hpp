// -----------------------------------------------------------------------------
// File: ets_impl.hpp
// -----------------------------------------------------------------------------
//
// Bodies of ets.hpp: forecast's etscalc (state recursions and likelihood),
// initstate, initparam, the admissibility test, the Nelder-Mead fit, the
// model search, and the forecast variances of forecast.ets (class1..class3).
#ifndef FORESIGHT_FORECAST_ETS_IMPL_HPP_
#define FORESIGHT_FORECAST_ETS_IMPL_HPP_

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "absl/strings/str_cat.h"
#include "foresight/forecast/ets.hpp"
#include "foresight/forecast/internal/decompose.hpp"
#include "foresight/forecast/internal/error_quantiles.hpp"
#include "foresight/forecast/internal/linalg.hpp"
#include "foresight/forecast/internal/optim.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"  // CheckFinite
#include "foresight/forecast/internal/stats.hpp"

namespace foresight {

inline std::string EtsFit::Method() const {
  return absl::StrCat("ETS(", std::string(1, error), ",", std::string(1, trend), damped ? "d" : "",
                      ",", std::string(1, season), ")");
}

namespace internal {

inline constexpr double kEtsTol = 1.0e-10;
inline constexpr double kEtsHuge = 1.0e10;
inline constexpr double kEtsNa = -99999.0;

struct EtsModelKind {
  int error = 1;   // 1 additive, 2 multiplicative
  int trend = 0;   // 0 none, 1 additive, 2 multiplicative
  int season = 0;  // 0 none, 1 additive, 2 multiplicative
  int m = 1;
  int nstates() const { return 1 + (trend > 0) + (season > 0 ? m : 0); }
};

inline EtsModelKind KindOf(char e, char t, char s, int m) {
  EtsModelKind k;
  k.error = e == 'M' ? 2 : 1;
  k.trend = t == 'A' ? 1 : (t == 'M' ? 2 : 0);
  k.season = s == 'A' ? 1 : (s == 'M' ? 2 : 0);
  k.m = k.season > 0 ? m : 1;
  return k;
}

// forecast's C forecast(): h point forecasts from state (l, b, s[0..m)).
inline void EtsPoint(double l, double b, const double* s, const EtsModelKind& k, double phi,
                     double* f, int h) {
  double phistar = phi;
  for (int i = 0; i < h; ++i) {
    if (k.trend == 0) {
      f[i] = l;
    } else if (k.trend == 1) {
      f[i] = l + phistar * b;
    } else if (b < 0) {
      f[i] = kEtsNa;
    } else {
      f[i] = l * std::pow(b, phistar);
    }
    int j = k.m - 1 - i;
    while (j < 0) j += k.m;
    if (k.season == 1) {
      f[i] += s[j];
    } else if (k.season == 2) {
      f[i] *= s[j];
    }
    if (i < h - 1) {
      phistar += std::abs(phi - 1.0) < kEtsTol ? 1.0 : std::pow(phi, i + 2.0);
    }
  }
}

// forecast's C update() on observing y: new level and trend in place; `so`
// is the oldest seasonal state s_{t-m} and the new seasonal state is returned
// (0 without a season).
inline double EtsUpdateCore(double& l, double& b, double so, const EtsModelKind& k, double alpha,
                            double beta, double gamma, double phi, double y) {
  const double oldl = l, oldb = b;
  double q, phib = 0.0;
  if (k.trend == 0) {
    q = oldl;
  } else if (k.trend == 1) {
    phib = phi * oldb;
    q = oldl + phib;
  } else if (std::abs(phi - 1.0) < kEtsTol) {
    phib = oldb;
    q = oldl * oldb;
  } else {
    phib = std::pow(oldb, phi);
    q = oldl * phib;
  }
  double p;
  if (k.season == 0) {
    p = y;
  } else if (k.season == 1) {
    p = y - so;
  } else {
    p = std::abs(so) < kEtsTol ? kEtsHuge : y / so;
  }
  l = q + alpha * (p - q);
  if (k.trend > 0) {
    double r;
    if (k.trend == 1) {
      r = l - oldl;
    } else {
      r = std::abs(oldl) < kEtsTol ? kEtsHuge : l / oldl;
    }
    b = phib + (beta / alpha) * (r - phib);
  }
  if (k.season == 0) return 0.0;
  double t;
  if (k.season == 1) {
    t = y - q;
  } else {
    t = std::abs(q) < kEtsTol ? kEtsHuge : y / q;
  }
  return so + gamma * (t - so);
}

// One state transition with R's seasonal layout (s[0] newest, s[m-1] oldest).
inline void EtsTransition(double& l, double& b, double* s, const EtsModelKind& k, double alpha,
                          double beta, double gamma, double phi, double y) {
  const int m = k.m;
  const double so = k.season > 0 ? s[m - 1] : 0.0;
  const double ns = EtsUpdateCore(l, b, so, k, alpha, beta, gamma, phi, y);
  if (k.season > 0) {
    for (int j = m - 1; j >= 1; --j) s[j] = s[j - 1];
    s[0] = ns;
  }
}

struct EtsCalcResult {
  double lik = 0.0;   // n log(SSE) [+ 2 sum log|f|]; NaN when a forecast failed
  double amse = 0.0;  // mean squared one-step error (absolute)
};

// forecast's etscalc with nmse = 1. `x` holds the initial state and receives
// the final one; `e` (optional) the residuals. Same arithmetic as R's, but
// the seasonal states live in a ring (O(1) per step instead of shifting m
// values), which makes seasonal fits several times faster at m = 24.
inline EtsCalcResult EtsCalc(std::span<const double> y, const EtsModelKind& k, double alpha,
                             double beta, double gamma, double phi, double* x, double* e) {
  EtsCalcResult out;
  double l = x[0];
  double b = k.trend > 0 ? x[1] : 0.0;
  double* s = x + 1 + (k.trend > 0);
  const int m = k.season > 0 ? k.m : 0;
  double ring[32];  // m <= 24
  for (int j = 0; j < m; ++j) ring[m - 1 - j] = s[j];
  int o = 0;  // ring[o] is the oldest state, s[m - 1] in R's layout
  double sse = 0.0, lik2 = 0.0, amse = 0.0;
  double product = 1.0;  // of |f| since lik2 last took one (multiplicative error)
  const std::size_t n = y.size();
  for (std::size_t i = 0; i < n; ++i) {
    const double so = m > 0 ? ring[o] : 0.0;
    // One-step forecast (forecast()).
    double f;
    if (k.trend == 0) {
      f = l;
    } else if (k.trend == 1) {
      f = l + phi * b;
    } else if (b < 0) {
      out.lik = std::numeric_limits<double>::quiet_NaN();
      return out;
    } else {
      f = l * std::pow(b, phi);
    }
    if (k.season == 1) {
      f += so;
    } else if (k.season == 2) {
      f *= so;
    }
    const double yi = y[i];
    const double err = k.error == 1 ? yi - f : (yi - f) / f;
    if (e) e[i] = err;
    const double ae = yi - f;
    amse += (ae * ae - amse) / static_cast<double>(i + 1);
    // State update (update()); the new seasonal state replaces the oldest.
    const double ns = EtsUpdateCore(l, b, so, k, alpha, beta, gamma, phi, yi);
    if (m > 0) {
      ring[o] = ns;
      o = o + 1 == m ? 0 : o + 1;
    }
    sse += err * err;
    // Only a multiplicative error's likelihood has the log term, sum log|f|,
    // and it is taken as the log of running products: one log per product
    // instead of one per step (the logs were 40 % of a ZZN fit's time).
    // A product is logged before it could leave [1e-200, 1e200]; a factor
    // outside [1e-100, 1e100] is logged on its own.
    if (k.error == 2) {
      const double af = std::abs(f);
      if (!(af >= 1e-100 && af <= 1e100)) {
        lik2 += std::log(af);
      } else {
        product *= af;
        if (!(product >= 1e-100 && product <= 1e100)) {
          lik2 += std::log(product);
          product = 1.0;
        }
      }
    }
  }
  if (product != 1.0) lik2 += std::log(product);
  x[0] = l;
  if (k.trend > 0) x[1] = b;
  for (int j = 0; j < m; ++j) s[j] = ring[((o - 1 - j) % m + m) % m];
  out.lik = static_cast<double>(n) * std::log(sse);
  if (k.error == 2) out.lik += 2 * lik2;
  out.amse = amse;
  return out;
}

// forecast's admissible(): stability of the characteristic equation.
inline bool EtsAdmissible(double alpha, double beta, double gamma, double phi, bool has_beta,
                          bool has_gamma, int m) {
  if (phi < 0 || phi > 1 + 1e-8) return false;
  if (!has_gamma) {
    if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi) return false;
    if (has_beta && (beta < alpha * (phi - 1) || beta > (1 + phi) * (2 - alpha))) return false;
  } else if (m > 1) {
    if (!has_beta) beta = 0;
    if (gamma < std::max(1 - 1 / phi - alpha, 0.0) || gamma > 1 + 1 / phi - alpha) return false;
    if (alpha < 1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m)) return false;
    if (beta < -(1 - phi) * (gamma / m + alpha)) return false;
    // R: c(phi (1 - a - g), a + b - a phi + g - 1, rep(a + b - a phi, m - 2), a + b - phi, 1),
    // coefficients of z^0 .. z^(m + 1).
    double P[32];
    int deg = 0;
    P[deg++] = phi * (1 - alpha - gamma);
    P[deg++] = alpha + beta - alpha * phi + gamma - 1;
    for (int i = 0; i < m - 2; ++i) P[deg++] = alpha + beta - alpha * phi;
    P[deg++] = alpha + beta - phi;
    P[deg] = 1.0;
    // R takes polyroot() and rejects max |root| > 1 + 1e-10 (models without a
    // damped trend always have a root at exactly z = 1). The Schur-Cohn
    // recursion answers "all roots inside |z| < rho" in O(m^2) without an
    // eigen-decomposition: scale z = rho w, then with k = a_0 / a_n require
    // |k| < 1 and recurse on (p(w) - k w^n p(1/w)) / w.
    constexpr double kRho = 1.0 + 1e-10;
    double scale = 1.0;
    for (int i = 0; i <= deg; ++i) {
      P[i] *= scale;
      scale *= kRho;
    }
    for (int n = deg; n >= 1; --n) {
      const double kk = P[0] / P[n];
      if (!(std::abs(kk) < 1.0)) return false;
      double Q[32];
      for (int i = 0; i < n; ++i) Q[i] = P[i + 1] - kk * P[n - 1 - i];
      for (int i = 0; i < n; ++i) P[i] = Q[i];
    }
  }
  return true;
}

struct EtsBounds {
  double lower[4] = {1e-4, 1e-4, 1e-4, 0.8};
  double upper[4] = {0.9999, 0.9999, 0.9999, 0.98};
};

// forecast's initstate: l0, [b0], and m - 1 seasonal states (s_0 .. s_{m-2}).
inline std::vector<double> EtsInitState(std::span<const double> y, const EtsModelKind& k, int m) {
  const std::size_t n = y.size();
  std::vector<double> ysa(y.begin(), y.end());
  std::vector<double> init_seas;
  if (k.season > 0) {
    std::vector<double> seasonal(n);
    if (n < 3 * static_cast<std::size_t>(m)) {
      // tslm(y ~ trend + fourier(y, 1)): OLS on 1, t, sin, cos.
      Eigen::MatrixXd X(static_cast<Eigen::Index>(n), 4);
      Eigen::VectorXd yy(static_cast<Eigen::Index>(n));
      for (std::size_t t = 0; t < n; ++t) {
        const double tt = static_cast<double>(t + 1);
        const double ang = 2 * std::numbers::pi * tt / m;
        const auto r = static_cast<Eigen::Index>(t);
        X(r, 0) = 1.0;
        X(r, 1) = tt;
        X(r, 2) = std::sin(ang);
        X(r, 3) = std::cos(ang);
        yy(r) = y[t];
      }
      Eigen::VectorXd c;
      LeastSquaresQr(X, yy, c);
      for (std::size_t t = 0; t < n; ++t) {
        const double trend = c(0) + c(1) * static_cast<double>(t + 1);
        seasonal[t] = k.season == 1 ? y[t] - trend : y[t] / trend;
      }
    } else {
      const Decomposition dec = ClassicalDecompose(y, m, k.season == 2);
      seasonal = dec.seasonal;
    }
    for (int i = m - 1; i >= 1; --i) init_seas.push_back(seasonal[static_cast<std::size_t>(i)]);
    if (k.season == 1) {
      for (std::size_t t = 0; t < n; ++t) ysa[t] = y[t] - seasonal[t];
    } else {
      double sum = 0.0;
      for (double& v : init_seas) {
        v = std::max(v, 0.01);
        sum += v;
      }
      if (sum > m) {
        double s2 = 0.0;
        for (double v : init_seas) s2 += v + 0.01;
        for (double& v : init_seas) v /= s2;
      }
      for (std::size_t t = 0; t < n; ++t) ysa[t] = y[t] / std::max(seasonal[t], 0.01);
    }
  }
  const std::size_t mm = k.season > 0 ? static_cast<std::size_t>(m) : 1;
  const std::size_t maxn = std::min(std::max<std::size_t>(10, 2 * mm), ysa.size());
  std::vector<double> out;
  if (k.trend == 0) {
    out.push_back(Mean(std::span<const double>(ysa).first(maxn)));
  } else {
    const Line fit = FitLine(std::span<const double>(ysa).first(maxn), 1.0);
    double l0 = fit.intercept, b0 = fit.slope;
    if (k.trend == 1) {
      if (std::abs(l0 + b0) < 1e-8) {
        l0 *= 1 + 1e-3;
        b0 *= 1 - 1e-3;
      }
    } else {
      l0 = fit.intercept + fit.slope;
      if (std::abs(l0) < 1e-8) l0 = 1e-7;
      b0 = (fit.intercept + 2 * fit.slope) / l0;
      l0 = l0 / b0;
      if (std::abs(b0) > 1e10) b0 = b0 > 0 ? 1e10 : -1e10;
      if (l0 < 1e-8 || b0 < 1e-8) {
        l0 = std::max(ysa[0], 1e-3);
        b0 = std::max(ysa[1] / ysa[0], 1e-3);
      }
    }
    out.push_back(l0);
    out.push_back(b0);
  }
  out.insert(out.end(), init_seas.begin(), init_seas.end());
  return out;
}

}  // namespace internal

inline absl::StatusOr<EtsFit> FitEtsModel(std::span<const double> y, char error, char trend,
                                          char season, bool damped, int m_in,
                                          EtsCriterion criterion) {
  using namespace internal;
  if (absl::Status s = CheckFinite(y, "ets"); !s.ok()) return s;
  const EtsModelKind k = KindOf(error, trend, season, m_in);
  const int m = k.m;
  if (k.season > 0 && (m < 2 || m > 24)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ets: seasonal models need 2 <= m <= 24, got ", m));
  }
  if (trend == 'N' && damped) damped = false;
  const std::size_t n = y.size();
  if (n < 4 || (k.season > 0 && n <= static_cast<std::size_t>(m))) {
    return absl::FailedPreconditionError(absl::StrCat("ets: ", n, " samples are too few"));
  }
  const EtsBounds bd;
  // initparam (bounds = "both").
  std::vector<double> par;
  double alpha = bd.lower[0] + 0.2 * (bd.upper[0] - bd.lower[0]) / m;
  if (alpha > 1 || alpha < 0) alpha = bd.lower[0] + 2e-3;
  par.push_back(alpha);
  if (k.trend > 0) {
    const double up = std::min(bd.upper[1], alpha);
    double beta = bd.lower[1] + 0.1 * (up - bd.lower[1]);
    if (beta < 0 || beta > alpha) beta = alpha - 1e-3;
    par.push_back(beta);
  }
  if (k.season > 0) {
    const double up = std::min(bd.upper[2], 1 - alpha);
    double gamma = bd.lower[2] + 0.05 * (up - bd.lower[2]);
    if (gamma < 0 || gamma > 1 - alpha) gamma = 1 - alpha - 1e-3;
    par.push_back(gamma);
  }
  if (damped) {
    double phi = bd.lower[3] + 0.99 * (bd.upper[3] - bd.lower[3]);
    if (phi < 0 || phi > 1) phi = bd.upper[3] - 1e-3;
    par.push_back(phi);
  }
  const std::size_t nsmooth = par.size();
  const std::vector<double> init = EtsInitState(y, k, m);
  par.insert(par.end(), init.begin(), init.end());
  const std::size_t np = par.size();
  if (np >= n - 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("ets: ", np, " parameters are too many for ", n, " samples"));
  }
  const int nstates = k.nstates();
  std::vector<double> x(static_cast<std::size_t>(nstates));
  auto unpack = [&](std::span<const double> p, double& a, double& b, double& g, double& ph) {
    std::size_t i = 0;
    a = p[i++];
    b = k.trend > 0 ? p[i++] : 0.0;
    g = k.season > 0 ? p[i++] : 0.0;
    ph = damped ? p[i++] : 1.0;
  };
  // The full state from the free initial states (the last seasonal state
  // makes the seasonal states sum to 0, or to m when multiplicative).
  auto fill_state = [&](std::span<const double> p) {
    const std::size_t free = np - nsmooth;
    for (std::size_t i = 0; i < free; ++i) x[i] = p[nsmooth + i];
    if (k.season > 0) {
      const std::size_t first = 1 + (k.trend > 0);
      double sum = 0.0;
      for (std::size_t i = first; i < free; ++i) sum += x[i];
      x[free] = (k.season == 2 ? m : 0) - sum;
    }
  };
  auto objective = [&](std::span<const double> p) {
    double a, b, g, ph;
    unpack(p, a, b, g, ph);
    // Usual bounds.
    if (a < bd.lower[0] || a > bd.upper[0]) return std::numeric_limits<double>::infinity();
    if (k.trend > 0 && (b < bd.lower[1] || b > a || b > bd.upper[1])) {
      return std::numeric_limits<double>::infinity();
    }
    if (damped && (ph < bd.lower[3] || ph > bd.upper[3]))
      return std::numeric_limits<double>::infinity();
    if (k.season > 0 && (g < bd.lower[2] || g > 1 - a || g > bd.upper[2])) {
      return std::numeric_limits<double>::infinity();
    }
    if (!EtsAdmissible(a, b, g, ph, k.trend > 0, k.season > 0, m)) {
      return std::numeric_limits<double>::infinity();
    }
    fill_state(p);
    if (k.season == 2) {
      for (int i = 1 + (k.trend > 0); i < nstates; ++i) {
        if (x[static_cast<std::size_t>(i)] < 0) return std::numeric_limits<double>::infinity();
      }
    }
    const EtsCalcResult r = EtsCalc(y, k, a, b, g, ph, x.data(), nullptr);
    double lik = r.lik;
    if (lik < -1e10) lik = -1e10;
    if (std::isnan(lik) || std::abs(lik + 99999) < 1e-7)
      return std::numeric_limits<double>::infinity();
    return criterion == EtsCriterion::kLik ? lik : r.amse;
  };
  const OptimResult opt = NelderMead(objective, par);
  if (opt.failed || !std::isfinite(opt.value) || opt.value >= 1e35) {
    return absl::FailedPreconditionError(
        absl::StrCat("ets: no admissible start for ", std::string{error, trend, season}));
  }
  EtsFit fit;
  fit.error = error;
  fit.trend = trend;
  fit.season = season;
  fit.damped = damped;
  fit.m = m;
  unpack(par, fit.alpha, fit.beta, fit.gamma, fit.phi);
  fill_state(par);
  fit.initial_state = x;
  std::vector<double> e(n);
  std::vector<double> xs = x;
  const EtsCalcResult r =
      EtsCalc(y, k, fit.alpha, fit.beta, fit.gamma, fit.phi, xs.data(), e.data());
  if (!std::isfinite(r.lik)) return absl::FailedPreconditionError("ets: fit failed");
  const double npar = static_cast<double>(np) + 1;
  const double ny = static_cast<double>(n);
  fit.loglik = -0.5 * r.lik;
  fit.aic = r.lik + 2 * npar;
  fit.bic = r.lik + std::log(ny) * npar;
  fit.aicc = fit.aic + 2 * npar * (npar + 1) / (ny - npar - 1);
  fit.mse = r.amse;
  double sse = 0.0;
  for (double v : e) sse += v * v;
  fit.nparams = static_cast<int>(np);
  fit.sigma2 = sse / (ny - static_cast<double>(np));
  return fit;
}

inline absl::StatusOr<EtsFit> FitEts(std::span<const double> y, const EtsOptions& options) {
  if (absl::Status s = internal::CheckFinite(y, "ets"); !s.ok()) return s;
  const std::string& model = options.model;
  if (model.size() != 3) return absl::InvalidArgumentError("ets: model must have 3 letters");
  int m = std::max(options.season, 1);
  char es = model[0], ts = model[1], ss = model[2];
  if (std::string_view("AMZ").find(es) == std::string_view::npos ||
      std::string_view("NAZ").find(ts) == std::string_view::npos ||
      std::string_view("NAMZ").find(ss) == std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("ets: unsupported model ", model));
  }
  if (m < 2 || y.size() <= static_cast<std::size_t>(m)) ss = ss == 'Z' ? 'N' : ss;
  if (m > 24 && ss == 'Z') ss = 'N';
  if ((m < 2 || y.size() <= static_cast<std::size_t>(m)) && ss != 'N') {
    return absl::FailedPreconditionError("ets: a seasonal model needs more than one season");
  }
  const bool positive = !y.empty() && *std::min_element(y.begin(), y.end()) > 0;
  const std::string errors = es == 'Z' ? "AM" : std::string(1, es);
  const std::string trends = ts == 'Z' ? "NA" : std::string(1, ts);
  const std::string seasons = ss == 'Z' ? "NAM" : std::string(1, ss);
  std::vector<bool> dampeds;
  if (options.damped < 0) {
    dampeds = {true, false};
  } else {
    dampeds = {options.damped == 1};
  }
  absl::StatusOr<EtsFit> best = absl::FailedPreconditionError("ets: no model able to be fitted");
  double best_ic = std::numeric_limits<double>::infinity();
  for (char e : errors) {
    for (char t : trends) {
      for (char s : seasons) {
        for (bool d : dampeds) {
          if (t == 'N' && d) continue;
          if (e == 'A' && s == 'M') continue;  // restrict = TRUE
          if (!positive && e == 'M') continue;
          absl::StatusOr<EtsFit> fit = FitEtsModel(y, e, t, s, d, m, options.criterion);
          if (!fit.ok()) continue;
          const double ic = options.ic == EtsIc::kAicc  ? fit->aicc
                            : options.ic == EtsIc::kAic ? fit->aic
                                                        : fit->bic;
          if (ic < best_ic) {
            best_ic = ic;
            best = std::move(fit);
          }
        }
      }
    }
  }
  return best;
}

inline EtsState MakeEtsState(EtsFit fit, std::span<const double> y) {
  EtsState s;
  s.fit = std::move(fit);
  s.cold = false;
  s.state = s.fit.initial_state;
  double level = 0.0;
  for (double v : y) {
    EtsStep(s, v);
    level += std::abs(v);
  }
  s.level = y.empty() ? 0.0 : level / static_cast<double>(y.size());
  return s;
}

inline void EtsStep(EtsState& s, double y) {
  if (!std::isfinite(y) || s.state.empty()) return;
  const internal::EtsModelKind k =
      internal::KindOf(s.fit.error, s.fit.trend, s.fit.season, s.fit.m);
  double l = s.state[0];
  double b = k.trend > 0 ? s.state[1] : 0.0;
  internal::EtsTransition(l, b, s.state.data() + 1 + (k.trend > 0), k, s.fit.alpha, s.fit.beta,
                          s.fit.gamma, s.fit.phi, y);
  s.state[0] = l;
  if (k.trend > 0) s.state[1] = b;
  ++s.t;
  s.level += (std::abs(y) - s.level) / static_cast<double>(std::min<long long>(s.t, 1000));
}

namespace internal {

// Class 3 (multiplicative error and season, forecast's class3): the state's
// mean recursion M_{h+1} = F1 M_h F2' + G1 M_h G2' sigma2 and its read-out
// H1 M_h H2'. `EtsPredictMoments` adds the variances; `EtsPredictMean` runs
// this alone, with the same operations (so the same means, to the bit).
struct EtsClass3 {
  int nt = 1, m = 1;
  double sigma2 = 0.0;
  Eigen::RowVectorXd H1, H2;
  Eigen::MatrixXd F1, G1, F2, G2, Mh;
  EtsClass3(const EtsState& s, const EtsModelKind& k) : nt(1 + (k.trend > 0)), m(k.m) {
    const EtsFit& f = s.fit;
    sigma2 = f.sigma2;
    H1 = Eigen::RowVectorXd::Ones(nt);
    H2 = Eigen::RowVectorXd::Zero(m);
    H2(m - 1) = 1.0;
    F1.resize(nt, nt);
    G1.resize(nt, nt);
    if (nt == 1) {
      F1(0, 0) = 1.0;
      G1(0, 0) = f.alpha;
    } else {
      F1 << 1.0, 1.0, 0.0, f.damped ? f.phi : 1.0;
      G1 << f.alpha, f.alpha, f.beta, f.beta;
    }
    F2 = Eigen::MatrixXd::Zero(m, m);
    F2(0, m - 1) = 1.0;
    for (int i = 1; i < m; ++i) F2(i, i - 1) = 1.0;
    G2 = Eigen::MatrixXd::Zero(m, m);
    G2(0, m - 1) = f.gamma;
    Eigen::VectorXd lb(nt), sv(m);
    for (int i = 0; i < nt; ++i) lb(i) = s.state[static_cast<std::size_t>(i)];
    for (int i = 0; i < m; ++i) sv(i) = s.state[static_cast<std::size_t>(nt + i)];
    Mh = lb * sv.transpose();
  }
  double Mean() const { return (H1 * Mh * H2.transpose())(0, 0); }
  void Advance() { Mh = (F1 * Mh * F2.transpose() + G1 * Mh * G2.transpose() * sigma2).eval(); }
};

}  // namespace internal

inline void EtsPredictMoments(const EtsState& s, std::span<double> mean, std::span<double> var) {
  const int h = static_cast<int>(mean.size());
  const EtsFit& f = s.fit;
  if (s.state.empty() || h == 0) {
    std::fill(mean.begin(), mean.end(), 0.0);
    std::fill(var.begin(), var.end(), 0.0);
    return;
  }
  const internal::EtsModelKind k = internal::KindOf(f.error, f.trend, f.season, f.m);
  const int m = k.m;
  const double l = s.state[0];
  const double b = k.trend > 0 ? s.state[1] : 0.0;
  const double* seas = s.state.data() + 1 + (k.trend > 0);
  internal::EtsPoint(l, b, seas, k, f.phi, mean.data(), h);
  const double sigma2 = f.sigma2;
  if (k.season < 2) {
    // class1: c_j = H F^(j-1) G, var_h = sigma2 (1 + sum_{j<h} c_j^2); class2
    // (multiplicative errors) builds on the class1 means and c_j.
    const int p = static_cast<int>(s.state.size());
    auto applyF = [&](const std::vector<double>& v) {  // F v
      std::vector<double> out(static_cast<std::size_t>(p), 0.0);
      const double ph = f.damped ? f.phi : 1.0;
      out[0] = v[0] + (k.trend > 0 ? ph * v[1] : 0.0);
      if (k.trend > 0) out[1] = ph * v[1];
      if (k.season > 0) {
        const int o = 1 + (k.trend > 0);
        out[static_cast<std::size_t>(o)] = v[static_cast<std::size_t>(p - 1)];
        for (int i = 1; i < m; ++i)
          out[static_cast<std::size_t>(o + i)] = v[static_cast<std::size_t>(o + i - 1)];
      }
      return out;
    };
    auto H = [&](const std::vector<double>& v) {
      const double ph = f.damped ? f.phi : 1.0;
      double r = v[0];
      if (k.trend > 0) r += ph * v[1];
      if (k.season > 0) r += v[static_cast<std::size_t>(p - 1)];
      return r;
    };
    std::vector<double> G(static_cast<std::size_t>(p), 0.0), mu_state(s.state);
    G[0] = f.alpha;
    if (k.trend > 0) G[1] = f.beta;
    if (k.season > 0) G[static_cast<std::size_t>(1 + (k.trend > 0))] = f.gamma;
    std::vector<double> mu(static_cast<std::size_t>(h)),
        cj(static_cast<std::size_t>(std::max(h - 1, 0)));
    std::vector<double> FjG = G;
    for (int i = 0; i < h; ++i) {
      mu[static_cast<std::size_t>(i)] = H(mu_state);
      if (i < h - 1) {
        cj[static_cast<std::size_t>(i)] = H(FjG);
        FjG = applyF(FjG);
        mu_state = applyF(mu_state);
      }
    }
    if (k.error == 1) {
      double acc = 1.0;
      for (int i = 0; i < h; ++i) {
        var[static_cast<std::size_t>(i)] = sigma2 * acc;
        if (i < h - 1) acc += cj[static_cast<std::size_t>(i)] * cj[static_cast<std::size_t>(i)];
      }
    } else {
      std::vector<double> theta(static_cast<std::size_t>(h));
      theta[0] = mu[0] * mu[0];
      for (int j = 1; j < h; ++j) {
        double sacc = 0.0;
        for (int i = 0; i < j; ++i) {
          sacc += cj[static_cast<std::size_t>(i)] * cj[static_cast<std::size_t>(i)] *
                  theta[static_cast<std::size_t>(j - 1 - i)];
        }
        theta[static_cast<std::size_t>(j)] =
            mu[static_cast<std::size_t>(j)] * mu[static_cast<std::size_t>(j)] + sigma2 * sacc;
      }
      for (int i = 0; i < h; ++i) {
        const double mi = mu[static_cast<std::size_t>(i)];
        var[static_cast<std::size_t>(i)] =
            (1 + sigma2) * theta[static_cast<std::size_t>(i)] - mi * mi;
      }
    }
    return;
  }
  // class3: multiplicative errors and seasonality (forecast's class3).
  internal::EtsClass3 c3(s, k);
  const int nt = c3.nt;
  const Eigen::RowVectorXd& H1 = c3.H1;
  const Eigen::RowVectorXd& H2 = c3.H2;
  const Eigen::MatrixXd &F1 = c3.F1, &G1 = c3.G1, &F2 = c3.F2, &G2 = c3.G2;
  const Eigen::MatrixXd& Mh = c3.Mh;
  const int dim = nt * m;
  Eigen::MatrixXd Vh = Eigen::MatrixXd::Zero(dim, dim);
  auto kron = [](const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
    Eigen::MatrixXd K(A.rows() * B.rows(), A.cols() * B.cols());
    for (Eigen::Index i = 0; i < A.rows(); ++i) {
      for (Eigen::Index j = 0; j < A.cols(); ++j)
        K.block(i * B.rows(), j * B.cols(), B.rows(), B.cols()) = A(i, j) * B;
    }
    return K;
  };
  const Eigen::MatrixXd H21 = kron(H2, H1);
  const Eigen::MatrixXd F21 = kron(F2, F1);
  const Eigen::MatrixXd G21 = kron(G2, G1);
  const Eigen::MatrixXd K = kron(G2, F1) + kron(F2, G1);
  for (int i = 0; i < h; ++i) {
    const double mu = c3.Mean();
    mean[static_cast<std::size_t>(i)] = mu;  // forecast.ets reports class3's mean
    const double hv = (H21 * Vh * H21.transpose())(0, 0);
    var[static_cast<std::size_t>(i)] = (1 + sigma2) * hv + sigma2 * mu * mu;
    const Eigen::Map<const Eigen::VectorXd> vecM(Mh.data(), dim);  // column-major = R's c()
    const Eigen::MatrixXd MM = vecM * vecM.transpose();
    const Eigen::MatrixXd Vn = F21 * Vh * F21.transpose() +
                               sigma2 * (F21 * Vh * G21.transpose() + G21 * Vh * F21.transpose() +
                                         K * (Vh + MM) * K.transpose() +
                                         sigma2 * G21 * (3 * Vh + 2 * MM) * G21.transpose());
    c3.Advance();
    Vh = Vn;
  }
}

// The means of `EtsPredictMoments` alone: the point forecast (classes 1 and
// 2) or class 3's mean recursion, without the variances (class 3's cost
// O(h (nt m)^3) in Eigen products).
inline void EtsPredictMean(const EtsState& s, std::span<double> mean) {
  const int h = static_cast<int>(mean.size());
  const EtsFit& f = s.fit;
  if (s.state.empty() || h == 0) {
    std::fill(mean.begin(), mean.end(), 0.0);
    return;
  }
  const internal::EtsModelKind k = internal::KindOf(f.error, f.trend, f.season, f.m);
  if (k.season < 2) {
    const double l = s.state[0];
    const double b = k.trend > 0 ? s.state[1] : 0.0;
    const double* seas = s.state.data() + 1 + (k.trend > 0);
    internal::EtsPoint(l, b, seas, k, f.phi, mean.data(), h);
    return;
  }
  internal::EtsClass3 c3(s, k);
  for (int i = 0; i < h; ++i) {
    mean[static_cast<std::size_t>(i)] = c3.Mean();
    c3.Advance();
  }
}

inline Forecast EtsForecast(const EtsState& s, int horizon, bool nonnegative) {
  Forecast fc(std::max(horizon, 0));
  if (horizon <= 0) return fc;
  std::vector<double> mean(static_cast<std::size_t>(horizon)), sd(mean.size());
  EtsPredictMoments(s, mean, sd);
  for (double& v : sd) v = std::sqrt(std::max(v, 0.0));
  internal::FillGaussianForecast(fc, mean, sd, nonnegative);
  fc.set_confidence(
      internal::StatConfidence(static_cast<double>(s.t), sd[0], s.level, s.fallback, s.cold));
  return fc;
}

inline EtsState EtsFallbackState(std::span<const double> y) {
  EtsFit fit;
  fit.alpha = 0.9999;
  fit.initial_state = {y.empty() ? 0.0 : y[0]};
  double ss = 0.0;
  for (std::size_t i = 1; i < y.size(); ++i) ss += (y[i] - y[i - 1]) * (y[i] - y[i - 1]);
  fit.sigma2 = y.size() > 1 ? ss / static_cast<double>(y.size() - 1) : 0.0;
  fit.nparams = 2;
  EtsState s = MakeEtsState(std::move(fit), y);
  s.fallback = true;
  s.cold = y.empty();
  return s;
}

inline void Ets::PredictMean(const State& state, std::span<double> out) const {
  // As EtsForecast's FillGaussianForecast and Normalize leave the means.
  EtsPredictMean(state, out);
  for (double& v : out) {
    if (!std::isfinite(v)) v = 0.0;
    if (options_.nonnegative) v = std::max(v, 0.0);
  }
}

inline absl::StatusOr<EtsState> Ets::Fit(std::span<const double> history) const {
  if (absl::Status s = internal::CheckFinite(history, "ets"); !s.ok()) return s;
  if (history.empty()) return EtsFallbackState(history);
  absl::StatusOr<EtsFit> fit = FitEts(history, options_);
  if (!fit.ok()) {
    EtsOptions simple = options_;
    simple.model = "ANN";
    fit = FitEts(history, simple);
  }
  if (!fit.ok()) return EtsFallbackState(history);
  return MakeEtsState(*std::move(fit), history);
}

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_ETS_IMPL_HPP_
