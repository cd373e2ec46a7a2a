// -----------------------------------------------------------------------------
// File: internal/kalman.hpp
// -----------------------------------------------------------------------------
//
// Exact Gaussian likelihood of a zero-mean ARMA process through its state-space
// form and a Kalman filter, as R's stats::arima (ARIMA_Like) computes it:
//
//   w_t = Z a_t,   a_{t+1} = T a_t + R e_{t+1},   e ~ N(0, sigma^2),
//   r = max(p, q + 1), T = [phi | shift], R = (1, theta_1, ..., theta_{r-1})',
//
// with sigma^2 concentrated out (the filter runs with sigma^2 = 1). The state
// starts at its stationary distribution: P0 solves P = T P T' + R R'. P0 is
// built in O(p^3 + r^2) from the ARMA autocovariances and the recursion
//   P_ik = phi_i phi_k P_11 + phi_i P_1,k+1 + phi_k P_i+1,1 + P_i+1,k+1 + R_i R_k
// rather than by vectorising the Lyapunov equation (O(r^6)).
//
// The filter exploits the sparse T (O(r^2) per step, not O(r^3)) and, once the
// prediction variance has converged (F_t = 1 and gain = R to 1e-10, i.e. the
// state is known), switches to the O(r) innovations recursion. No allocation
// happens per step or per likelihood evaluation once the workspace is sized.
#ifndef FORESIGHT_FORECAST_INTERNAL_KALMAN_HPP_
#define FORESIGHT_FORECAST_INTERNAL_KALMAN_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace foresight::internal {

// Solves A x = b in place (A row-major n x n, destroyed; b becomes x) by
// Gaussian elimination with partial pivoting. Returns false when singular.
inline bool SolveInPlace(double* A, double* b, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t piv = k;
    double best = std::abs(A[k * n + k]);
    for (std::size_t i = k + 1; i < n; ++i) {
      if (std::abs(A[i * n + k]) > best) {
        best = std::abs(A[i * n + k]);
        piv = i;
      }
    }
    if (!(best > 1e-300)) return false;
    if (piv != k) {
      for (std::size_t j = k; j < n; ++j) std::swap(A[k * n + j], A[piv * n + j]);
      std::swap(b[k], b[piv]);
    }
    const double inv = 1.0 / A[k * n + k];
    for (std::size_t i = k + 1; i < n; ++i) {
      const double f = A[i * n + k] * inv;
      if (f == 0.0) continue;
      for (std::size_t j = k + 1; j < n; ++j) A[i * n + j] -= f * A[k * n + j];
      b[i] -= f * b[k];
    }
  }
  for (std::size_t k = n; k-- > 0;) {
    double s = b[k];
    for (std::size_t j = k + 1; j < n; ++j) s -= A[k * n + j] * b[j];
    b[k] = s / A[k * n + k];
  }
  return true;
}

// Scratch space for the stationary covariance (reused, never shrunk).
struct ArmaCovScratch {
  std::vector<double> psi, gamma, A, b;
};

// First row of the stationary state covariance P0 (sigma^2 = 1) of the ARMA
// state-space form with r = max(p, q + 1) states, into row[0..r):
//   P_1k = sum_{j=k}^r phi_j gamma(j-k+1) + theta_{j-1} psi_{j-k}   (1-based),
// from the autocovariances gamma (a (p+1)-system) and MA(inf) weights psi.
// Returns false when the AR part is not stationary.
inline bool StationaryFirstRow(std::span<const double> phi, std::span<const double> theta,
                               std::size_t r, ArmaCovScratch& sc, double* row) {
  const std::size_t p = phi.size(), q = theta.size();
  const std::size_t npsi = std::max(q, r) + 1;
  sc.psi.assign(npsi, 0.0);
  sc.psi[0] = 1.0;
  for (std::size_t j = 1; j < npsi; ++j) {
    double v = j <= q ? theta[j - 1] : 0.0;
    for (std::size_t i = 1; i <= std::min(j, p); ++i) v += phi[i - 1] * sc.psi[j - i];
    sc.psi[j] = v;
  }
  auto th = [&](std::size_t j) { return j == 0 ? 1.0 : (j <= q ? theta[j - 1] : 0.0); };
  auto ck = [&](std::size_t k) {  // sum_{j=k}^{q} theta_j psi_{j-k}
    double s = 0.0;
    for (std::size_t j = k; j <= q; ++j) s += th(j) * sc.psi[j - k];
    return s;
  };
  sc.gamma.assign(std::max(r, p) + 1, 0.0);
  if (p > 0) {
    const std::size_t m = p + 1;
    sc.A.assign(m * m, 0.0);
    for (std::size_t k = 0; k <= p; ++k) {
      sc.A[k * m + k] += 1.0;
      for (std::size_t j = 1; j <= p; ++j) {
        const std::size_t lag = k > j ? k - j : j - k;
        sc.A[k * m + lag] -= phi[j - 1];
      }
    }
    sc.b.assign(m, 0.0);
    for (std::size_t k = 0; k <= p; ++k) sc.b[k] = ck(k);
    if (!SolveInPlace(sc.A.data(), sc.b.data(), m)) return false;
    if (!(sc.b[0] > 0.0) || !std::isfinite(sc.b[0])) return false;
    for (std::size_t k = 0; k <= p; ++k) sc.gamma[k] = sc.b[k];
    for (std::size_t k = p + 1; k <= r; ++k) {
      double v = ck(k);
      for (std::size_t j = 1; j <= p; ++j) v += phi[j - 1] * sc.gamma[k - j];
      sc.gamma[k] = v;
    }
  } else {
    for (std::size_t k = 0; k <= r; ++k) sc.gamma[k] = ck(k);
  }
  for (std::size_t k = 1; k <= r; ++k) {
    double s = 0.0;
    for (std::size_t j = k; j <= r; ++j) {
      s += (j <= p ? phi[j - 1] : 0.0) * sc.gamma[j - k + 1] + th(j - 1) * sc.psi[j - k];
    }
    row[k - 1] = s;
  }
  row[0] = sc.gamma[0];
  for (std::size_t k = 0; k < r; ++k) {
    if (!std::isfinite(row[k])) return false;
  }
  return true;
}

// Kalman filter for a zero-mean ARMA(p, q) series, one observation at a time.
// Copyable: a fitted forecaster keeps one as its online state.
class ArmaFilter {
 public:
  // Sets the model and resets the state to the stationary prior. Returns false
  // when the AR part is not stationary (no stationary covariance exists).
  bool Reset(std::span<const double> phi, std::span<const double> theta) {
    p_ = phi.size();
    q_ = theta.size();
    r_ = std::max(p_, q_ + 1);
    phi_.assign(r_, 0.0);
    rvec_.assign(r_, 0.0);
    std::copy(phi.begin(), phi.end(), phi_.begin());
    rvec_[0] = 1.0;
    for (std::size_t j = 0; j < q_; ++j) rvec_[j + 1] = theta[j];
    a_.assign(r_, 0.0);
    anew_.assign(r_, 0.0);
    P_.assign(r_ * r_, 0.0);
    Pnew_.assign(r_ * r_, 0.0);
    steps_ = 0;
    converged_ = false;
    P_zeroed_ = false;
    return StationaryCovariance(phi, theta);
  }

  std::size_t r() const { return r_; }
  long long steps() const { return steps_; }
  bool converged() const { return converged_; }
  std::span<const double> phi() const { return phi_; }  // padded to r
  // Covariance of the filtered state a_{t|t} (sigma^2 = 1 units, r x r);
  // zero once the filter has converged (the state is then known).
  std::span<const double> filtered_cov() const { return P_; }

  // Observes w_t; returns the innovation and its variance (sigma^2 = 1 units).
  struct Innovation {
    double error;
    double variance;
  };
  Innovation Step(double w) {
    const std::size_t r = r_;
    double* a = a_.data();
    double* an = anew_.data();
    const double* phi = phi_.data();
    const double* R = rvec_.data();
    // anew = T a
    const double a0 = a[0];
    for (std::size_t i = 0; i + 1 < r; ++i) an[i] = a[i + 1] + phi[i] * a0;
    an[r - 1] = phi[r - 1] * a0;
    if (converged_) {
      if (!P_zeroed_) {
        std::fill(P_.begin(), P_.end(), 0.0);
        P_zeroed_ = true;
      }
      const double e = w - an[0];
      for (std::size_t i = 0; i < r; ++i) a[i] = an[i] + R[i] * e;
      ++steps_;
      return {e, 1.0};
    }
    double* P = P_.data();
    double* Pn = Pnew_.data();
    if (steps_ > 0) {
      // Pnew = T P T' + R R' using the sparse T (index r means "zero").
      const double p00 = P[0];
      for (std::size_t i = 0; i < r; ++i) {
        const double pi1 = i + 1 < r ? P[(i + 1) * r] : 0.0;  // P_{i+1,0}
        for (std::size_t k = i; k < r; ++k) {
          const double p0k1 = k + 1 < r ? P[k + 1] : 0.0;  // P_{0,k+1}
          const double pik = (i + 1 < r && k + 1 < r) ? P[(i + 1) * r + k + 1] : 0.0;
          const double v = phi[i] * phi[k] * p00 + phi[i] * p0k1 + phi[k] * pi1 + pik + R[i] * R[k];
          Pn[i * r + k] = v;
          Pn[k * r + i] = v;
        }
      }
    }
    const double F = Pn[0];
    const double e = w - an[0];
    const double inv = 1.0 / F;
    for (std::size_t i = 0; i < r; ++i) a[i] = an[i] + Pn[i * r] * e * inv;
    for (std::size_t i = 0; i < r; ++i) {
      const double gi = Pn[i * r] * inv;
      for (std::size_t k = i; k < r; ++k) {
        const double v = Pn[i * r + k] - gi * Pn[k * r];
        P[i * r + k] = v;
        P[k * r + i] = v;
      }
    }
    ++steps_;
    // Converged when the next prediction would be the innovations form.
    if (std::abs(F - 1.0) < 1e-10) {
      bool same = true;
      for (std::size_t i = 0; i < r && same; ++i) same = std::abs(Pn[i * r] - R[i]) < 1e-10;
      converged_ = same;
    }
    return {e, F};
  }

  // Predictions of w_{t+1..t+h} (means) into `out`.
  void PredictMeans(std::span<double> out) const {
    std::vector<double> a(a_);
    std::vector<double> an(r_);
    for (double& o : out) {
      const double a0 = a[0];
      for (std::size_t i = 0; i + 1 < r_; ++i) an[i] = a[i + 1] + phi_[i] * a0;
      an[r_ - 1] = phi_[r_ - 1] * a0;
      o = an[0];
      a.swap(an);
    }
  }

 private:
  // Stationary P0 (sigma^2 = 1) into Pnew_, where the first Step reads its
  // prior: the first row from the autocovariances, the rest by recursion.
  bool StationaryCovariance(std::span<const double> phi, std::span<const double> theta) {
    const std::size_t p = p_, r = r_;
    double* P = Pnew_.data();
    if (!StationaryFirstRow(phi, theta, r, scratch_, P)) return false;
    for (std::size_t k = 1; k < r; ++k) P[k * r] = P[k];
    auto ph = [&](std::size_t j) { return j >= 1 && j <= p ? phi[j - 1] : 0.0; };
    const double* R = rvec_.data();
    for (std::size_t i = r; i >= 2; --i) {
      for (std::size_t k = i; k <= r; ++k) {
        const double p1k1 = k + 1 <= r ? P[k] : 0.0;                           // P_{1,k+1}
        const double pi11 = i + 1 <= r ? P[i] : 0.0;                           // P_{i+1,1}
        const double pnext = (i + 1 <= r && k + 1 <= r) ? P[i * r + k] : 0.0;  // P_{i+1,k+1}
        const double v = ph(i) * ph(k) * P[0] + ph(i) * p1k1 + ph(k) * pi11 + pnext +
                         R[i - 1] * R[k - 1];
        P[(i - 1) * r + (k - 1)] = v;
        P[(k - 1) * r + (i - 1)] = v;
      }
    }
    for (std::size_t i = 0; i < r * r; ++i) {
      if (!std::isfinite(P[i])) return false;
    }
    return true;
  }

  std::size_t p_ = 0, q_ = 0, r_ = 1;
  std::vector<double> phi_, rvec_, a_, anew_, P_, Pnew_;
  ArmaCovScratch scratch_;  // for the stationary prior
  long long steps_ = 0;
  bool converged_ = false;
  bool P_zeroed_ = false;
};

// Concentrated Gaussian log-likelihood pieces of w under the ARMA model:
// ssq = sum e_t^2 / F_t, sumlog = sum log F_t, n = observations.
struct ArmaLikelihood {
  double ssq = 0.0;
  double sumlog = 0.0;
  std::size_t n = 0;
  bool ok = false;
  // R's armafn objective: 0.5 * (log(ssq / n) + sumlog / n).
  double Objective() const {
    if (!ok || n == 0 || !(ssq > 0)) return std::numeric_limits<double>::infinity();
    const double nn = static_cast<double>(n);
    return 0.5 * (std::log(ssq / nn) + sumlog / nn);
  }
};

// Reusable buffers of ArmaLogLikelihood (no allocation once sized).
struct ArmaLikelihoodWorkspace {
  ArmaCovScratch cov;
  std::vector<double> phi, a, K, W, TW, row;
};

// The same likelihood as running ArmaFilter over w, in O(r) per observation
// instead of O(r^2): the Chandrasekhar recursions (Morf, Sidhu & Kailath 1974)
// propagate the rank-one increment P_{t+1} - P_t = W_t M_t W_t' instead of P_t,
//   F_{t+1} = F_t + (Z W_t)^2 M_t,         K_{t+1} = K_t + T W_t M_t (Z W_t),
//   M_{t+1} = M_t + M_t^2 (Z W_t)^2 / F_t,  W_{t+1} = T W_t - K_{t+1} (Z W_t) / F_{t+1},
// started from the stationary prior (W_1 = K_1 = T P0 Z', M_1 = -1 / F_1), which
// needs only the first row of P0. Once W_t sqrt|M_t| < 1e-9 the gain is frozen.
inline ArmaLikelihood ArmaLogLikelihood(ArmaLikelihoodWorkspace& ws, std::span<const double> phi,
                                        std::span<const double> theta,
                                        std::span<const double> w) {
  ArmaLikelihood out;
  const std::size_t p = phi.size(), q = theta.size(), r = std::max(p, q + 1);
  ws.phi.assign(r, 0.0);
  std::copy(phi.begin(), phi.end(), ws.phi.begin());
  ws.row.assign(r, 0.0);
  if (!StationaryFirstRow(phi, theta, r, ws.cov, ws.row.data())) return out;
  ws.a.assign(r, 0.0);
  ws.K.assign(r, 0.0);
  ws.W.assign(r, 0.0);
  ws.TW.assign(r, 0.0);
  const double* ph = ws.phi.data();
  double* a = ws.a.data();
  double* K = ws.K.data();
  double* W = ws.W.data();
  double* TW = ws.TW.data();
  const double* col = ws.row.data();
  for (std::size_t i = 0; i + 1 < r; ++i) K[i] = ph[i] * col[0] + col[i + 1];
  K[r - 1] = ph[r - 1] * col[0];
  double F = col[0];
  if (!(F > 0)) return out;
  double M = -1.0 / F;
  for (std::size_t i = 0; i < r; ++i) W[i] = K[i];
  bool frozen = false;
  for (double wt : w) {
    const double v = wt - a[0];
    out.ssq += v * v / F;
    out.sumlog += std::log(F);
    const double g = v / F, a0 = a[0];
    for (std::size_t i = 0; i + 1 < r; ++i) a[i] = a[i + 1] + ph[i] * a0 + K[i] * g;
    a[r - 1] = ph[r - 1] * a0 + K[r - 1] * g;
    if (frozen) continue;
    const double zw = W[0];
    for (std::size_t i = 0; i + 1 < r; ++i) TW[i] = ph[i] * zw + W[i + 1];
    TW[r - 1] = ph[r - 1] * zw;
    const double Fn = F + zw * zw * M;
    if (!(Fn > 0) || !std::isfinite(Fn)) return out;
    const double km = M * zw;
    for (std::size_t i = 0; i < r; ++i) K[i] += TW[i] * km;
    M += M * M * zw * zw / F;
    const double c = zw / Fn;
    double wmax = 0.0;
    for (std::size_t i = 0; i < r; ++i) {
      W[i] = TW[i] - K[i] * c;
      wmax = std::max(wmax, std::abs(W[i]));
    }
    F = Fn;
    frozen = wmax * std::sqrt(std::abs(M)) < 1e-9;
  }
  if (!std::isfinite(out.ssq) || !std::isfinite(out.sumlog)) return out;
  out.n = w.size();
  out.ok = true;
  return out;
}

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_KALMAN_HPP_
