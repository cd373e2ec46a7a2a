// -----------------------------------------------------------------------------
// File: arima_impl.hpp
// -----------------------------------------------------------------------------
//
// Bodies of arima.hpp: R's parameter transformations (partrans, invpartrans,
// maInvert, ARIMA_transPars), CSS and exact-ML objectives, FitArima, and the
// online state (Kalman step, integrated forecasts, Gaussian quantiles).
#ifndef FORESIGHT_FORECAST_ARIMA_IMPL_HPP_
#define FORESIGHT_FORECAST_ARIMA_IMPL_HPP_

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <utility>

#include "absl/strings/str_cat.h"
#include "foresight/forecast/arima.hpp"
#include "foresight/forecast/internal/error_quantiles.hpp"
#include "foresight/forecast/internal/linalg.hpp"
#include "foresight/forecast/internal/optim.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"  // CheckFinite
#include "foresight/forecast/internal/stats.hpp"

namespace foresight {

inline std::string ArimaOrder::ToString() const {
  std::string s = absl::StrCat("ARIMA(", p, ",", d, ",", q, ")");
  if (m > 1 && (P + D + Q) > 0) absl::StrAppend(&s, "(", P, ",", D, ",", Q, ")[", m, "]");
  return s;
}

inline std::vector<std::pair<std::string, double>> ArimaFit::Coefficients() const {
  std::vector<std::pair<std::string, double>> out;
  for (std::size_t i = 0; i < ar.size(); ++i) out.emplace_back(absl::StrCat("ar", i + 1), ar[i]);
  for (std::size_t i = 0; i < ma.size(); ++i) out.emplace_back(absl::StrCat("ma", i + 1), ma[i]);
  for (std::size_t i = 0; i < sar.size(); ++i) out.emplace_back(absl::StrCat("sar", i + 1), sar[i]);
  for (std::size_t i = 0; i < sma.size(); ++i) out.emplace_back(absl::StrCat("sma", i + 1), sma[i]);
  if (has_intercept) out.emplace_back("intercept", intercept);
  if (has_drift) out.emplace_back("drift", drift);
  return out;
}

namespace internal {

// R's partrans: PACF-like values in (-inf, inf) -> stationary AR coefficients.
inline void PartransAr(const double* raw, double* out, int p) {
  double work[128];
  for (int j = 0; j < p; ++j) work[j] = out[j] = std::tanh(raw[j]);
  for (int j = 1; j < p; ++j) {
    const double a = out[j];
    for (int k = 0; k < j; ++k) work[k] -= a * out[j - k - 1];
    for (int k = 0; k < j; ++k) out[k] = work[k];
  }
}

// R's invpartrans (inverse of PartransAr).
inline void InvPartransAr(const double* phi, double* out, int p) {
  double work[128];
  for (int j = 0; j < p; ++j) work[j] = out[j] = phi[j];
  for (int j = p - 1; j > 0; --j) {
    const double a = out[j];
    for (int k = 0; k < j; ++k) work[k] = (out[k] + a * out[j - k - 1]) / (1 - a * a);
    for (int k = 0; k < j; ++k) out[k] = work[k];
  }
  for (int j = 0; j < p; ++j) out[j] = std::atanh(out[j]);
}

// R's maInvert: reflects MA roots inside the unit circle to make it invertible.
inline void MaInvert(std::span<double> ma) {
  int q0 = static_cast<int>(ma.size());
  while (q0 > 0 && ma[static_cast<std::size_t>(q0 - 1)] == 0.0) --q0;
  if (q0 == 0) return;
  std::vector<double> c(static_cast<std::size_t>(q0) + 1);
  c[0] = 1.0;
  for (int i = 0; i < q0; ++i) c[static_cast<std::size_t>(i) + 1] = ma[static_cast<std::size_t>(i)];
  std::vector<std::complex<double>> roots = PolyRoots(c);
  bool any = false;
  for (const auto& r : roots) any |= std::abs(r) < 1.0;
  if (!any) return;
  if (q0 == 1) {
    ma[0] = 1.0 / ma[0];
    return;
  }
  for (auto& r : roots) {
    if (std::abs(r) < 1.0) r = 1.0 / r;
  }
  std::vector<std::complex<double>> x{1.0};
  for (const auto& r : roots) {
    std::vector<std::complex<double>> nx(x.size() + 1, 0.0);
    for (std::size_t i = 0; i < x.size(); ++i) nx[i] += x[i];
    for (std::size_t i = 0; i < x.size(); ++i) nx[i + 1] -= x[i] / r;
    x.swap(nx);
  }
  for (int i = 0; i < q0; ++i) ma[static_cast<std::size_t>(i)] = x[static_cast<std::size_t>(i) + 1].real();
}

// R's arCheck: all roots of 1 - a_1 z - ... outside the unit circle.
inline bool ArStationary(std::span<const double> a) {
  std::vector<double> c(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) c[i] = -a[i];
  return MinRootModulus(c) > 1.0;
}

// Expands [ar, ma, sar, sma] (R's parameter order) into the full phi and theta
// of the differenced series (R's ARIMA_transPars). `trans` maps AR parts
// through PartransAr first. phi has p + m P entries, theta q + m Q.
inline void ExpandArma(const double* par, const ArimaOrder& o, bool trans, double* phi,
                       double* theta) {
  const int mp = o.p, mq = o.q, msp = o.P, msq = o.Q, ns = o.m;
  const int np = mp + ns * msp, nq = mq + ns * msq;
  double ar[128], sar[128];
  if (trans) {
    PartransAr(par, ar, mp);
    PartransAr(par + mp + mq, sar, msp);
  } else {
    for (int i = 0; i < mp; ++i) ar[i] = par[i];
    for (int i = 0; i < msp; ++i) sar[i] = par[mp + mq + i];
  }
  for (int i = 0; i < np; ++i) phi[i] = i < mp ? ar[i] : 0.0;
  for (int i = 0; i < nq; ++i) theta[i] = i < mq ? par[mp + i] : 0.0;
  for (int j = 0; j < msp; ++j) {
    phi[(j + 1) * ns - 1] += sar[j];
    for (int i = 0; i < mp; ++i) phi[(j + 1) * ns + i] -= ar[i] * sar[j];
  }
  for (int j = 0; j < msq; ++j) {
    const double s = par[mp + mq + msp + j];
    theta[(j + 1) * ns - 1] += s;
    for (int i = 0; i < mq; ++i) theta[(j + 1) * ns + i] += par[mp + i] * s;
  }
}

// Coefficients of the differencing: y_t = w_t + sum_j delta_j y_{t-j}.
inline std::vector<double> DifferencingPolynomial(int d, int D, int m) {
  std::vector<double> poly{1.0};  // 1 - sum delta_j B^j, as coefficients of B^0..
  auto mul = [&](int lag) {
    std::vector<double> out(poly.size() + static_cast<std::size_t>(lag), 0.0);
    for (std::size_t i = 0; i < poly.size(); ++i) {
      out[i] += poly[i];
      out[i + static_cast<std::size_t>(lag)] -= poly[i];
    }
    poly.swap(out);
  };
  for (int i = 0; i < d; ++i) mul(1);
  for (int i = 0; i < D; ++i) mul(m);
  std::vector<double> delta(poly.size() - 1);
  for (std::size_t j = 1; j < poly.size(); ++j) delta[j - 1] = -poly[j];
  return delta;
}

// Applies the differencing to x (length n) -> length n - delta.size().
inline std::vector<double> ApplyDifferencing(std::span<const double> x,
                                             std::span<const double> delta) {
  const std::size_t nd = delta.size();
  if (x.size() <= nd) return {};
  std::vector<double> w(x.size() - nd);
  for (std::size_t t = nd; t < x.size(); ++t) {
    double v = x[t];
    for (std::size_t j = 0; j < nd; ++j) v -= delta[j] * x[t - j - 1];
    w[t - nd] = v;
  }
  return w;
}

// Everything an objective evaluation needs, allocated once per fit.
struct ArimaProblem {
  ArimaOrder order;
  std::vector<double> wy;               // differenced series
  std::vector<std::vector<double>> wx;  // differenced regressors
  std::vector<double> u;                // wy - wx * beta
  std::vector<double> phi, theta, resid;
  std::vector<std::size_t> nz_phi, nz_theta;
  double css_sigma2 = 0.0;
  ArmaLikelihoodWorkspace workspace;
  int narma = 0;

  void Residualise(const double* beta) {
    u = wy;
    for (std::size_t k = 0; k < wx.size(); ++k) {
      const double b = beta[k];
      const double* col = wx[k].data();
      for (std::size_t t = 0; t < u.size(); ++t) u[t] -= b * col[t];
    }
  }
  // R's armaCSS on the differenced series (ncond = p + m P within w); returns
  // 0.5 log(ssq / nu) and leaves ssq / nu in css_sigma2. Only the non-zero
  // coefficients of the (sparse, seasonal) polynomials are visited.
  double Css(std::span<const double> par) {
    ExpandArma(par.data(), order, false, phi.data(), theta.data());
    Residualise(par.data() + narma);
    const std::size_t p = phi.size(), q = theta.size(), n = u.size();
    nz_phi.clear();
    nz_theta.clear();
    for (std::size_t j = 0; j < p; ++j) {
      if (phi[j] != 0.0) nz_phi.push_back(j);
    }
    for (std::size_t j = 0; j < q; ++j) {
      if (theta[j] != 0.0) nz_theta.push_back(j);
    }
    const std::size_t ncond = p;
    double ssq = 0.0;
    std::size_t nu = 0;
    for (std::size_t l = ncond; l < n; ++l) {
      double tmp = u[l];
      for (std::size_t j : nz_phi) tmp -= phi[j] * u[l - j - 1];
      const std::size_t jmax = std::min(l - ncond, q);
      for (std::size_t j : nz_theta) {
        if (j >= jmax) break;
        tmp -= theta[j] * resid[l - j - 1];
      }
      resid[l] = tmp;
      ssq += tmp * tmp;
      ++nu;
    }
    if (nu == 0 || !(ssq > 0) || !std::isfinite(ssq)) return std::numeric_limits<double>::infinity();
    css_sigma2 = ssq / static_cast<double>(nu);
    return 0.5 * std::log(css_sigma2);
  }
  ArmaLikelihood Likelihood(std::span<const double> par, bool trans) {
    ExpandArma(par.data(), order, trans, phi.data(), theta.data());
    Residualise(par.data() + narma);
    return ArmaLogLikelihood(workspace, phi, theta, u);
  }
};

// OLS of y on columns X: coefficients and standard errors (lm / summary.lm).
inline bool Ols(const std::vector<std::vector<double>>& X, std::span<const double> y,
                std::vector<double>& beta, std::vector<double>& se) {
  const int k = static_cast<int>(X.size());
  const int n = static_cast<int>(y.size());
  if (k == 0 || n <= 0) return false;
  Eigen::MatrixXd A(n, k);
  for (int j = 0; j < k; ++j) {
    for (int i = 0; i < n; ++i) A(i, j) = X[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)];
  }
  const Eigen::Map<const Eigen::VectorXd> b(y.data(), n);
  Eigen::VectorXd coef;
  if (LeastSquaresQr(A, b, coef) < k) return false;
  beta.assign(coef.data(), coef.data() + k);
  const double rss = (b - A * coef).squaredNorm();
  se.assign(static_cast<std::size_t>(k), 1.0);
  if (n > k) {
    const Eigen::MatrixXd cov = Inverse(A.transpose() * A) * (rss / (n - k));
    for (int j = 0; j < k; ++j) se[static_cast<std::size_t>(j)] = std::sqrt(std::max(cov(j, j), 0.0));
  }
  return true;
}

// stats::arima's coefficient covariance check (forecast's checkarima): the
// Hessian of `f` at `x` by R's optimhess (central differences of the
// central-difference gradient, ndeps = 1e-3 in parscale units), then
// var = A' (n H)^-1 A with A = d(coef)/d(x) (the AR transformation's
// Jacobian, identity when `trans` is false). True when var exists (H not
// singular to machine precision) and its diagonal is non-negative.
template <typename F>
bool HessianCheck(F&& f, std::span<const double> x, std::span<const double> parscale, double nused,
                  const ArimaOrder& o, bool trans) {
  const std::size_t k = x.size();
  if (k == 0) return true;
  constexpr double kNdeps = 1e-3;
  std::vector<double> dpar(k), xu(k), g1(k), g2(k);
  for (std::size_t i = 0; i < k; ++i) dpar[i] = x[i] / parscale[i];
  auto eval = [&](const std::vector<double>& d) {
    for (std::size_t i = 0; i < k; ++i) xu[i] = d[i] * parscale[i];
    return f(std::span<const double>(xu));
  };
  auto grad = [&](std::vector<double>& d, std::vector<double>& g) {
    for (std::size_t j = 0; j < k; ++j) {
      const double dj = d[j];
      d[j] = dj + kNdeps;
      const double v1 = eval(d);
      d[j] = dj - kNdeps;
      const double v2 = eval(d);
      d[j] = dj;
      g[j] = (v1 - v2) / (2 * kNdeps);
    }
  };
  Eigen::MatrixXd H(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
  for (std::size_t i = 0; i < k; ++i) {
    const double eps = kNdeps / parscale[i];
    dpar[i] += eps;
    grad(dpar, g1);
    dpar[i] -= 2 * eps;
    grad(dpar, g2);
    dpar[i] += eps;
    for (std::size_t j = 0; j < k; ++j) {
      H(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          (g1[j] - g2[j]) / (2 * eps * parscale[i] * parscale[j]);
    }
  }
  H = (0.5 * (H + H.transpose())).eval();
  if (!H.allFinite()) return false;
  Eigen::MatrixXd A = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
  if (trans) {
    // arima.gradtrans: forward differences of partrans, eps = 1e-3.
    auto block = [&](int off, int len) {
      if (len <= 0) return;
      double w1[128], w2[128], w3[128];
      for (int i = 0; i < len; ++i) w1[i] = x[static_cast<std::size_t>(off + i)];
      PartransAr(w1, w2, len);
      for (int i = 0; i < len; ++i) {
        w1[i] += 1e-3;
        PartransAr(w1, w3, len);
        for (int j = 0; j < len; ++j) A(off + i, off + j) = (w3[j] - w2[j]) / 1e-3;
        w1[i] -= 1e-3;
      }
    };
    block(0, o.p);
    block(o.p + o.q, o.P);
  }
  const Eigen::MatrixXd Hn = H * nused;
  Eigen::MatrixXd solved;
  if (!(LuSolve(Hn, A, solved) >= std::numeric_limits<double>::epsilon())) return false;
  const Eigen::MatrixXd var = A.transpose() * solved;
  for (Eigen::Index i = 0; i < var.rows(); ++i) {
    if (!(var(i, i) >= 0.0)) return false;
  }
  return true;
}

}  // namespace internal

inline absl::StatusOr<ArimaFit> FitArima(std::span<const double> y, const ArimaOrder& order_in,
                                         const ArimaFitOptions& options) {
  if (absl::Status s = internal::CheckFinite(y, "arima"); !s.ok()) return s;
  ArimaOrder o = order_in;
  if (o.m <= 1) {
    o.m = 1;
    o.P = o.D = o.Q = 0;
  }
  if (o.p < 0 || o.d < 0 || o.q < 0 || o.P < 0 || o.D < 0 || o.Q < 0 || o.p > 100 || o.P > 100) {
    return absl::InvalidArgumentError(absl::StrCat("arima: invalid order ", o.ToString()));
  }
  const std::size_t n = y.size();
  internal::ArimaProblem prob;
  prob.order = o;
  const std::vector<double> delta = internal::DifferencingPolynomial(o.d, o.D, o.m);
  const std::size_t nd = delta.size();
  if (n <= nd) {
    return absl::FailedPreconditionError(
        absl::StrCat("arima: ", n, " samples are not enough for ", o.ToString()));
  }
  const bool intercept = options.include_mean && o.d + o.D == 0;
  const bool drift = options.include_drift && o.d + o.D <= 1;
  std::vector<std::vector<double>> X;
  if (intercept) X.emplace_back(n, 1.0);
  if (drift) {
    std::vector<double> t(n);
    for (std::size_t i = 0; i < n; ++i) t[i] = static_cast<double>(i + 1);
    X.push_back(std::move(t));
  }
  prob.wy = internal::ApplyDifferencing(y, delta);
  for (const auto& col : X) prob.wx.push_back(internal::ApplyDifferencing(col, delta));
  const std::size_t nw = prob.wy.size();
  const int narma = o.p + o.q + o.P + o.Q;
  const int ncoef = narma + static_cast<int>(X.size());
  prob.narma = narma;
  if (static_cast<int>(nw) <= ncoef + 1 || nw <= static_cast<std::size_t>(o.p + o.m * o.P)) {
    return absl::FailedPreconditionError(
        absl::StrCat("arima: ", n, " samples are not enough for ", o.ToString()));
  }
  prob.phi.assign(static_cast<std::size_t>(o.p + o.m * o.P), 0.0);
  prob.theta.assign(static_cast<std::size_t>(o.q + o.m * o.Q), 0.0);
  prob.resid.assign(nw, 0.0);
  prob.nz_phi.reserve(prob.phi.size());
  prob.nz_theta.reserve(prob.theta.size());
  prob.u.reserve(nw);

  std::vector<double> init(static_cast<std::size_t>(ncoef), 0.0);
  std::vector<double> parscale(static_cast<std::size_t>(ncoef), 1.0);
  if (!X.empty()) {
    std::vector<double> beta, se;
    bool ok = nw > X.size() && internal::Ols(prob.wx, prob.wy, beta, se);
    if (!ok) ok = internal::Ols(X, y, beta, se);
    if (!ok) return absl::FailedPreconditionError("arima: regressors are rank deficient");
    for (std::size_t k = 0; k < X.size(); ++k) {
      init[static_cast<std::size_t>(narma) + k] = beta[k];
      const double ps = 10.0 * se[k];
      parscale[static_cast<std::size_t>(narma) + k] = std::isfinite(ps) && ps > 0 ? ps : 1.0;
    }
  }
  internal::BfgsOptions bopt;
  bopt.max_iterations = options.max_iterations;

  // 1. Conditional sum of squares start.
  {
    std::vector<double> par = init;
    const internal::OptimResult r =
        internal::Bfgs([&](std::span<const double> x) { return prob.Css(x); }, par, parscale, bopt);
    if (options.css_only) {
      // stats::arima(method = "CSS"): the CSS estimates are the fit.
      if (r.failed || !std::isfinite(r.value)) {
        return absl::InternalError(absl::StrCat("arima: CSS failed for ", o.ToString()));
      }
      const bool hessian_ok =
          !options.check_hessian ||
          internal::HessianCheck([&](std::span<const double> v) { return prob.Css(v); }, par,
                                 parscale, static_cast<double>(nw), o, false);
      prob.Css(par);
      ArimaFit fit;
      fit.order = o;
      fit.ar.assign(par.begin(), par.begin() + o.p);
      fit.ma.assign(par.begin() + o.p, par.begin() + o.p + o.q);
      fit.sar.assign(par.begin() + o.p + o.q, par.begin() + o.p + o.q + o.P);
      fit.sma.assign(par.begin() + o.p + o.q + o.P, par.begin() + narma);
      std::size_t k = static_cast<std::size_t>(narma);
      if (intercept) {
        fit.has_intercept = true;
        fit.intercept = par[k++];
      }
      if (drift) {
        fit.has_drift = true;
        fit.drift = par[k++];
      }
      fit.phi = prob.phi;
      fit.theta = prob.theta;
      fit.delta = delta;
      fit.nobs = static_cast<int>(nw);
      fit.npar = ncoef + 1;
      fit.sigma2 = fit.sigma2_ml = prob.css_sigma2;
      fit.loglik = fit.aic = fit.aicc = fit.bic = std::numeric_limits<double>::quiet_NaN();
      fit.converged = r.converged;
      fit.hessian_ok = hessian_ok;
      return fit;
    }
    if (!r.failed && r.converged) init = par;
#ifdef FORESIGHT_ARIMA_DEBUG
    fprintf(stderr, "CSS value %g conv %d iters %d evals %d:", r.value, r.converged, r.iterations, r.evaluations);
    for (double v : par) fprintf(stderr, " %g", v);
    fprintf(stderr, "\n");
#endif
    const std::span<const double> ip(init);
    if (!internal::ArStationary(ip.subspan(0, static_cast<std::size_t>(o.p))) ||
        !internal::ArStationary(ip.subspan(static_cast<std::size_t>(o.p + o.q),
                                           static_cast<std::size_t>(o.P)))) {
      return absl::FailedPreconditionError(
          absl::StrCat("arima: non-stationary AR part from CSS for ", o.ToString()));
    }
  }
  // 2. Transform to the unconstrained space (AR via PACF; MA made invertible).
  std::vector<double> par = init;
  internal::InvPartransAr(init.data(), par.data(), o.p);
  internal::InvPartransAr(init.data() + o.p + o.q, par.data() + o.p + o.q, o.P);
  internal::MaInvert(std::span<double>(par).subspan(static_cast<std::size_t>(o.p),
                                                    static_cast<std::size_t>(o.q)));
  internal::MaInvert(std::span<double>(par).subspan(static_cast<std::size_t>(o.p + o.q + o.P),
                                                    static_cast<std::size_t>(o.Q)));
  // 3. Exact maximum likelihood.
  auto ml = [&](std::span<const double> x) { return prob.Likelihood(x, true).Objective(); };
  internal::OptimResult r = internal::Bfgs(ml, par, parscale, bopt);
#ifdef FORESIGHT_ARIMA_DEBUG
    fprintf(stderr, "ML value %g conv %d iters %d evals %d:", r.value, r.converged, r.iterations, r.evaluations);
    for (double v : par) fprintf(stderr, " %g", v);
    fprintf(stderr, "\n");
#endif
  if (r.failed || !std::isfinite(r.value)) {
    return absl::InternalError(
        absl::StrCat("arima: likelihood could not be optimised for ", o.ToString()));
  }
  {
    std::vector<double> before = par;
    internal::MaInvert(std::span<double>(par).subspan(static_cast<std::size_t>(o.p),
                                                      static_cast<std::size_t>(o.q)));
    internal::MaInvert(std::span<double>(par).subspan(static_cast<std::size_t>(o.p + o.q + o.P),
                                                      static_cast<std::size_t>(o.Q)));
    if (before != par) r.value = ml(par);
  }
  const bool hessian_ok = !options.check_hessian ||
                          internal::HessianCheck(ml, par, parscale, static_cast<double>(nw), o, true);
  const internal::ArmaLikelihood lik = prob.Likelihood(par, true);
  if (!lik.ok) return absl::InternalError("arima: final likelihood evaluation failed");

  ArimaFit fit;
  fit.order = o;
  std::vector<double> coef = par;
  internal::PartransAr(par.data(), coef.data(), o.p);
  internal::PartransAr(par.data() + o.p + o.q, coef.data() + o.p + o.q, o.P);
  auto take = [&](int from, int count) {
    return std::vector<double>(coef.begin() + from, coef.begin() + from + count);
  };
  fit.ar = take(0, o.p);
  fit.ma = take(o.p, o.q);
  fit.sar = take(o.p + o.q, o.P);
  fit.sma = take(o.p + o.q + o.P, o.Q);
  std::size_t k = static_cast<std::size_t>(narma);
  if (intercept) {
    fit.has_intercept = true;
    fit.intercept = coef[k++];
  }
  if (drift) {
    fit.has_drift = true;
    fit.drift = coef[k++];
  }
  fit.phi = prob.phi;
  fit.theta = prob.theta;
  fit.delta = delta;
  const double nu = static_cast<double>(nw);
  fit.nobs = static_cast<int>(nw);
  fit.npar = ncoef + 1;
  fit.sigma2_ml = lik.ssq / nu;
  const double value = 2 * nu * r.value + nu + nu * std::log(2 * std::numbers::pi);
  fit.loglik = -0.5 * value;
  fit.aic = value + 2.0 * fit.npar;
  const double np = fit.npar;
  fit.aicc = fit.aic + 2 * np * (nu / (nu - np - 1) - 1);
  fit.bic = fit.aic + np * (std::log(nu) - 2);
  fit.sigma2 = lik.ssq / (nu - np + 1);
  fit.converged = r.converged;
  fit.hessian_ok = hessian_ok;
  return fit;
}

inline ArimaState MakeArimaState(ArimaFit fit, std::span<const double> y) {
  ArimaState s;
  s.fit = std::move(fit);
  s.cold = false;
  s.filter.Reset(s.fit.phi, s.fit.theta);
  s.u_tail.reserve(s.fit.delta.size());
  double level = 0.0;
  for (double v : y) level += std::abs(v);
  s.level = y.empty() ? 0.0 : level / static_cast<double>(y.size());
  for (double v : y) ArimaStep(s, v);
  s.level = y.empty() ? 0.0 : level / static_cast<double>(y.size());
  return s;
}

inline void ArimaStep(ArimaState& s, double y) {
  if (!std::isfinite(y)) return;
  s.t += 1;
  s.last = y;
  s.level += (std::abs(y) - s.level) / static_cast<double>(std::min<long long>(s.t, 1000));
  const ArimaFit& f = s.fit;
  const double u = y - f.intercept - f.drift * static_cast<double>(s.t);
  const std::size_t nd = f.delta.size();
  if (s.u_tail.size() == nd) {
    double w = u;
    for (std::size_t j = 0; j < nd; ++j) w -= f.delta[j] * s.u_tail[nd - 1 - j];
    s.filter.Step(w);
    if (nd > 0) {
      std::move(s.u_tail.begin() + 1, s.u_tail.end(), s.u_tail.begin());
      s.u_tail.back() = u;
    }
  } else {
    s.u_tail.push_back(u);
  }
}

inline void ArimaPredictMoments(const ArimaState& s, std::span<double> mean,
                                std::span<double> sd) {
  const std::size_t h = mean.size();
  const ArimaFit& f = s.fit;
  if (s.t == 0) {
    std::fill(mean.begin(), mean.end(), 0.0);
    std::fill(sd.begin(), sd.end(), 0.0);
    return;
  }
  std::vector<double> w(h, 0.0);
  if (s.filter.steps() > 0) s.filter.PredictMeans(w);
  const std::size_t nd = f.delta.size();
  // u history (oldest first) followed by the forecasts.
  std::vector<double> u(s.u_tail);
  const std::size_t have = u.size();
  for (std::size_t k = 0; k < h; ++k) {
    double v = w[k];
    if (have == nd) {
      for (std::size_t j = 0; j < nd; ++j) v += f.delta[j] * u[u.size() - 1 - j];
    } else {
      v = u.back();  // not enough history to integrate: hold the last value
    }
    u.push_back(v);
    mean[k] = v + f.intercept + f.drift * static_cast<double>(s.t + static_cast<long long>(k) + 1);
  }
  // psi weights of phi(B) * (1 - sum delta_j B^j) and theta(B).
  std::vector<double> ar(f.phi.size() + nd, 0.0);
  for (std::size_t i = 0; i < f.phi.size(); ++i) ar[i] += f.phi[i];
  for (std::size_t j = 0; j < nd; ++j) {
    ar[j] += f.delta[j];
    for (std::size_t i = 0; i < f.phi.size(); ++i) ar[i + j + 1] -= f.phi[i] * f.delta[j];
  }
  std::vector<double> psi(h, 0.0);
  double acc = 0.0;
  for (std::size_t j = 0; j < h; ++j) {
    double v = j == 0 ? 1.0 : (j <= f.theta.size() ? f.theta[j - 1] : 0.0);
    for (std::size_t i = 1; i <= std::min(j, ar.size()); ++i) v += ar[i - 1] * psi[j - i];
    psi[j] = v;
    acc += v * v;
    sd[j] = acc;
  }
  // Uncertainty of the filtered ARMA state (non-zero until the filter has
  // converged): the step-k error is e_k' P e_k with e_k = sum_j xi_{k-j} (T^j)' Z',
  // xi the weights of 1 / (1 - sum delta_j B^j) that integrate w into u.
  const std::span<const double> P = s.filter.filtered_cov();
  const std::size_t r = s.filter.r();
  bool any = false;
  for (double v : P) any |= v != 0.0;
  if (any && s.filter.steps() > 0) {
    const std::span<const double> phi = s.filter.phi();
    std::vector<double> xi(h, 0.0);
    for (std::size_t i = 0; i < h; ++i) {
      double v = i == 0 ? 1.0 : 0.0;
      for (std::size_t j = 1; j <= std::min(i, nd); ++j) v += f.delta[j - 1] * xi[i - j];
      xi[i] = v;
    }
    std::vector<double> vj(h * r, 0.0), prev(r, 0.0), e(r);
    prev[0] = 1.0;
    for (std::size_t j = 0; j < h; ++j) {  // vj[j] = (T^{j+1})' e1
      double* out = &vj[j * r];
      double s0 = 0.0;
      for (std::size_t i = 0; i < r; ++i) s0 += phi[i] * prev[i];
      out[0] = s0;
      for (std::size_t i = 1; i < r; ++i) out[i] = prev[i - 1];
      std::copy(out, out + r, prev.begin());
    }
    for (std::size_t k = 0; k < h; ++k) {
      std::fill(e.begin(), e.end(), 0.0);
      for (std::size_t j = 0; j <= k; ++j) {
        const double w8 = xi[k - j];
        for (std::size_t i = 0; i < r; ++i) e[i] += w8 * vj[j * r + i];
      }
      double q = 0.0;
      for (std::size_t i = 0; i < r; ++i) {
        double row = 0.0;
        for (std::size_t l = 0; l < r; ++l) row += P[i * r + l] * e[l];
        q += e[i] * row;
      }
      sd[k] += std::max(q, 0.0);
    }
  }
  for (std::size_t k = 0; k < h; ++k) sd[k] = std::sqrt(std::max(f.sigma2, 0.0) * sd[k]);
}

inline Forecast ArimaForecast(const ArimaState& s, int horizon, bool nonnegative) {
  Forecast fc(std::max(horizon, 0));
  if (horizon <= 0) return fc;
  std::vector<double> mean(static_cast<std::size_t>(horizon)), sd(mean.size());
  ArimaPredictMoments(s, mean, sd);
  internal::FillGaussianForecast(fc, mean, sd, nonnegative);
  fc.set_confidence(
      internal::StatConfidence(s.fit.nobs, sd[0], s.level, s.fallback, s.cold));
  return fc;
}

namespace internal {
// ARIMA(0,1,0) by closed form, for histories too short for anything else.
inline ArimaFit RandomWalkFit(std::span<const double> y) {
  ArimaFit fit;
  fit.order = {.p = 0, .d = 1, .q = 0};
  fit.delta = {1.0};
  double ss = 0.0;
  for (std::size_t i = 1; i < y.size(); ++i) ss += (y[i] - y[i - 1]) * (y[i] - y[i - 1]);
  const double n = y.size() > 1 ? static_cast<double>(y.size() - 1) : 0.0;
  fit.nobs = static_cast<int>(n);
  fit.npar = 1;
  fit.sigma2 = fit.sigma2_ml = n > 0 ? ss / n : 0.0;
  return fit;
}
}  // namespace internal

inline absl::StatusOr<ArimaState> FitArimaWithFallback(std::span<const double> y,
                                                       const ArimaOrder& order,
                                                       const ArimaFitOptions& options) {
  if (absl::Status s = internal::CheckFinite(y, "arima"); !s.ok()) return s;
  if (y.empty()) {
    ArimaState s = MakeArimaState(internal::RandomWalkFit(y), y);
    s.cold = true;
    s.fallback = true;
    return s;
  }
  if (absl::StatusOr<ArimaFit> fit = FitArima(y, order, options); fit.ok()) {
    return MakeArimaState(*std::move(fit), y);
  }
  ArimaState s = MakeArimaState(internal::RandomWalkFit(y), y);
  s.fallback = true;
  return s;
}

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_ARIMA_IMPL_HPP_
