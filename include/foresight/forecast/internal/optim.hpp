// -----------------------------------------------------------------------------
// File: internal/optim.hpp
// -----------------------------------------------------------------------------
//
// The two unconstrained minimisers the statistical forecasters need, ported
// from R's optim() so fits land where R's land:
//
//   Bfgs        variable-metric BFGS with a central-difference gradient (R's
//               vmmin + fmingr: method "BFGS", ndeps, parscale, reltol 1.5e-8,
//               maxit 100). stats::arima uses it for CSS and ML.
//   NelderMead  R's nmmin (alpha 1, beta 0.5, gamma 2); forecast::ets uses it.
//
// Bounds are handled by the caller (transformations, or +inf/penalties for
// inadmissible points, as R does). Both take the objective as any callable
// `double(std::span<const double>)`; workspaces are allocated once per call,
// never per evaluation.
#ifndef FORESIGHT_FORECAST_INTERNAL_OPTIM_HPP_
#define FORESIGHT_FORECAST_INTERNAL_OPTIM_HPP_

#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace foresight::internal {

struct OptimResult {
  double value = std::numeric_limits<double>::infinity();
  int evaluations = 0;
  int iterations = 0;
  bool converged = false;
  bool failed = false;  // non-finite start or gradient (R: an error)
};

struct BfgsOptions {
  int max_iterations = 100;   // R's optim maxit for BFGS
  double reltol = 1.490116119384765625e-8;
  double ndeps = 1e-3;        // finite-difference step in scaled units
};

// Minimises f over x (in place). `parscale` (may be empty = all ones) scales
// the parameters as R's control$parscale: the search runs on x / parscale.
template <typename F>
OptimResult Bfgs(F&& f, std::span<double> x, std::span<const double> parscale = {},
                 const BfgsOptions& opt = {}) {
  constexpr double kStepRedn = 0.2, kAccTol = 0.0001, kRelTest = 10.0;
  const std::size_t n = x.size();
  OptimResult res;
  std::vector<double> work(7 * n + n * n);
  double* b = work.data();        // scaled point
  double* g = b + n;              // gradient (scaled)
  double* t = g + n;
  double* X = t + n;
  double* c = X + n;
  double* scale = c + n;
  double* xu = scale + n;         // unscaled evaluation point
  double* B = xu + n;             // n x n, lower triangle used
  for (std::size_t i = 0; i < n; ++i) {
    scale[i] = parscale.empty() ? 1.0 : parscale[i];
    b[i] = x[i] / scale[i];
  }
  const std::span<const double> xus(xu, n);
  auto fn = [&](const double* p) {
    for (std::size_t i = 0; i < n; ++i) xu[i] = p[i] * scale[i];
    ++res.evaluations;
    const double v = f(xus);
    return std::isnan(v) ? std::numeric_limits<double>::infinity() : v;
  };
  auto grad = [&](double* p) {
    for (std::size_t i = 0; i < n; ++i) {
      const double pi = p[i];
      p[i] = pi + opt.ndeps;
      const double v1 = fn(p);
      p[i] = pi - opt.ndeps;
      const double v2 = fn(p);
      p[i] = pi;
      g[i] = (v1 - v2) / (2 * opt.ndeps);
      if (!std::isfinite(g[i])) return false;
    }
    return true;
  };
  auto finish = [&] {
    for (std::size_t i = 0; i < n; ++i) x[i] = b[i] * scale[i];
  };
  if (n == 0) {
    res.value = fn(b);
    res.converged = true;
    return res;
  }
  double fval = fn(b);
  if (!std::isfinite(fval)) {
    res.failed = true;
    res.value = fval;
    return res;
  }
  double fmin = fval;
  int gradcount = 1, iter = 1, ilast = gradcount;
  if (!grad(b)) {
    res.failed = true;
    res.value = fmin;
    return res;
  }
  std::size_t count = 0;
  do {
    if (ilast == gradcount) {
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < i; ++j) B[i * n + j] = 0.0;
        B[i * n + i] = 1.0;
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      X[i] = b[i];
      c[i] = g[i];
    }
    double gradproj = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      double s = 0.0;
      for (std::size_t j = 0; j <= i; ++j) s -= B[i * n + j] * g[j];
      for (std::size_t j = i + 1; j < n; ++j) s -= B[j * n + i] * g[j];
      t[i] = s;
      gradproj += s * g[i];
    }
    if (gradproj < 0.0) {
      double steplength = 1.0;
      bool accpoint = false;
      do {
        count = 0;
        for (std::size_t i = 0; i < n; ++i) {
          b[i] = X[i] + steplength * t[i];
          if (kRelTest + X[i] == kRelTest + b[i]) ++count;
        }
        if (count < n) {
          fval = fn(b);
          accpoint = std::isfinite(fval) && fval <= fmin + gradproj * steplength * kAccTol;
          if (!accpoint) steplength *= kStepRedn;
        }
      } while (!(count == n || accpoint));
      const bool enough = std::abs(fval - fmin) > opt.reltol * (std::abs(fmin) + opt.reltol);
      if (!enough) {
        count = n;
        fmin = fval;
      }
      if (count < n) {
        fmin = fval;
        if (!grad(b)) {
          res.failed = true;
          break;
        }
        ++gradcount;
        ++iter;
        double d1 = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
          t[i] *= steplength;
          c[i] = g[i] - c[i];
          d1 += t[i] * c[i];
        }
        if (d1 > 0) {
          double d2 = 0.0;
          for (std::size_t i = 0; i < n; ++i) {
            double s = 0.0;
            for (std::size_t j = 0; j <= i; ++j) s += B[i * n + j] * c[j];
            for (std::size_t j = i + 1; j < n; ++j) s += B[j * n + i] * c[j];
            X[i] = s;
            d2 += s * c[i];
          }
          d2 = 1.0 + d2 / d1;
          for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j <= i; ++j) {
              B[i * n + j] += (d2 * t[i] * t[j] - X[i] * t[j] - t[i] * X[j]) / d1;
            }
          }
        } else {
          ilast = gradcount;
        }
      } else if (ilast < gradcount) {
        count = 0;
        ilast = gradcount;
      }
    } else {
      count = 0;
      if (ilast == gradcount) {
        count = n;
      } else {
        ilast = gradcount;
      }
    }
    if (iter >= opt.max_iterations) break;
    if (gradcount - ilast > 2 * static_cast<int>(n)) ilast = gradcount;
  } while (count != n || ilast != gradcount);
  // The last accepted point is b only when the loop ended by convergence; R
  // returns b as it stands, and so do we.
  finish();
  res.value = fmin;
  res.iterations = iter;
  res.converged = !res.failed && iter < opt.max_iterations;
  return res;
}

struct NelderMeadOptions {
  int max_evaluations = 2000;
  double reltol = 1.490116119384765625e-8;
  double alpha = 1.0, beta = 0.5, gamma = 2.0;
};

// R's nmmin. Non-finite values count as 1e35 (as in R).
template <typename F>
OptimResult NelderMead(F&& f, std::span<double> x, const NelderMeadOptions& opt = {}) {
  constexpr double kBig = 1.0e35;
  const std::size_t n = x.size();
  OptimResult res;
  if (n == 0) {
    res.value = f(std::span<const double>(x.data(), 0));
    res.converged = true;
    return res;
  }
  const std::size_t n1 = n + 1, C = n + 2;
  // P is (n + 1) rows x (n + 2) columns; row n holds function values.
  std::vector<double> P(n1 * C), bvec(x.begin(), x.end());
  auto at = [&](std::size_t i, std::size_t j) -> double& { return P[i * C + j]; };
  auto fn = [&](const std::vector<double>& p) {
    ++res.evaluations;
    const double v = f(std::span<const double>(p));
    return std::isfinite(v) ? v : kBig;
  };
  double fval = f(std::span<const double>(bvec));
  ++res.evaluations;
  if (!std::isfinite(fval)) {
    res.failed = true;
    res.value = fval;
    return res;
  }
  const double convtol = opt.reltol * (std::abs(fval) + opt.reltol);
  at(n1 - 1, 0) = fval;
  for (std::size_t i = 0; i < n; ++i) at(i, 0) = bvec[i];
  std::size_t L = 1, H = 1;
  double size = 0.0, step = 0.0;
  for (std::size_t i = 0; i < n; ++i) step = std::max(step, 0.1 * std::abs(bvec[i]));
  if (step == 0.0) step = 0.1;
  for (std::size_t j = 2; j <= n1; ++j) {
    for (std::size_t i = 0; i < n; ++i) at(i, j - 1) = bvec[i];
    double trystep = step;
    while (at(j - 2, j - 1) == bvec[j - 2]) {
      at(j - 2, j - 1) = bvec[j - 2] + trystep;
      trystep *= 10;
    }
    size += trystep;
  }
  double oldsize = size;
  bool calcvert = true;
  int funcount = 1;
  do {
    if (calcvert) {
      for (std::size_t j = 0; j < n1; ++j) {
        if (j + 1 != L) {
          for (std::size_t i = 0; i < n; ++i) bvec[i] = at(i, j);
          at(n1 - 1, j) = fn(bvec);
          ++funcount;
        }
      }
      calcvert = false;
    }
    double VL = at(n1 - 1, L - 1), VH = VL;
    H = L;
    for (std::size_t j = 1; j <= n1; ++j) {
      if (j != L) {
        const double fj = at(n1 - 1, j - 1);
        if (fj < VL) {
          L = j;
          VL = fj;
        }
        if (fj > VH) {
          H = j;
          VH = fj;
        }
      }
    }
    if (VH <= VL + convtol) {
      res.converged = true;
      break;
    }
    for (std::size_t i = 0; i < n; ++i) {
      double temp = -at(i, H - 1);
      for (std::size_t j = 0; j < n1; ++j) temp += at(i, j);
      at(i, C - 1) = temp / static_cast<double>(n);
    }
    for (std::size_t i = 0; i < n; ++i) {
      bvec[i] = (1.0 + opt.alpha) * at(i, C - 1) - opt.alpha * at(i, H - 1);
    }
    fval = fn(bvec);
    ++funcount;
    const double VR = fval;
    if (VR < VL) {
      at(n1 - 1, C - 1) = fval;
      for (std::size_t i = 0; i < n; ++i) {
        const double e = opt.gamma * bvec[i] + (1 - opt.gamma) * at(i, C - 1);
        at(i, C - 1) = bvec[i];
        bvec[i] = e;
      }
      fval = fn(bvec);
      ++funcount;
      if (fval < VR) {
        for (std::size_t i = 0; i < n; ++i) at(i, H - 1) = bvec[i];
        at(n1 - 1, H - 1) = fval;
      } else {
        for (std::size_t i = 0; i < n; ++i) at(i, H - 1) = at(i, C - 1);
        at(n1 - 1, H - 1) = VR;
      }
    } else {
      if (VR < VH) {
        for (std::size_t i = 0; i < n; ++i) at(i, H - 1) = bvec[i];
        at(n1 - 1, H - 1) = VR;
      }
      for (std::size_t i = 0; i < n; ++i) {
        bvec[i] = (1 - opt.beta) * at(i, H - 1) + opt.beta * at(i, C - 1);
      }
      fval = fn(bvec);
      ++funcount;
      if (fval < at(n1 - 1, H - 1)) {
        for (std::size_t i = 0; i < n; ++i) at(i, H - 1) = bvec[i];
        at(n1 - 1, H - 1) = fval;
      } else if (VR >= VH) {
        calcvert = true;
        size = 0.0;
        for (std::size_t j = 0; j < n1; ++j) {
          if (j + 1 != L) {
            for (std::size_t i = 0; i < n; ++i) {
              at(i, j) = opt.beta * (at(i, j) - at(i, L - 1)) + at(i, L - 1);
              size += std::abs(at(i, j) - at(i, L - 1));
            }
          }
        }
        if (size < oldsize) {
          oldsize = size;
        } else {
          break;  // polytope no longer shrinks
        }
      }
    }
  } while (funcount <= opt.max_evaluations);
  res.value = at(n1 - 1, L - 1);
  for (std::size_t i = 0; i < n; ++i) x[i] = at(i, L - 1);
  res.iterations = funcount;
  return res;
}

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_OPTIM_HPP_
