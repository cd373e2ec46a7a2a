// -----------------------------------------------------------------------------
// File: internal/decompose_stl.hpp
// -----------------------------------------------------------------------------
//
// STL, seasonal-trend decomposition by loess (Cleveland et al. 1990), ported
// from R's stl.f (non-robust: inner = 2, outer = 0) with R's stl() defaults:
// s.degree 0, t.degree 1, t.window = nextodd(ceil(1.5 m / (1 - 1.5 / s.window))),
// l.window = nextodd(m), jumps = ceil(window / 10). forecast's mstl() calls it
// with s.window = 11 for one seasonal period; the seasonal-strength heuristic
// of nsdiffs (internal/unit_root.hpp) needs exactly that.
#ifndef FORESIGHT_FORECAST_INTERNAL_DECOMPOSE_STL_HPP_
#define FORESIGHT_FORECAST_INTERNAL_DECOMPOSE_STL_HPP_

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

namespace foresight::internal {

struct StlOptions {
  int s_window = 11;
  int inner = 2;
};

struct StlResult {
  std::vector<double> seasonal, trend, remainder;
};

namespace stl_detail {

// All arrays are 1-based views: p[1..n] (callers pass pointer - 1).
inline bool Est(const double* y, int n, int len, int ideg, double xs, double& ys, int nleft,
                int nright, double* w) {
  const double range = static_cast<double>(n) - 1.0;
  double h = std::max(xs - nleft, nright - xs);
  if (len > n) h += static_cast<double>((len - n) / 2);
  const double h9 = 0.999 * h, h1 = 0.001 * h;
  double a = 0.0;
  for (int j = nleft; j <= nright; ++j) {
    w[j] = 0.0;
    const double r = std::abs(j - xs);
    if (r <= h9) {
      if (r <= h1) {
        w[j] = 1.0;
      } else {
        const double u = r / h;
        const double t = 1.0 - u * u * u;
        w[j] = t * t * t;
      }
      a += w[j];
    }
  }
  if (a <= 0.0) return false;
  for (int j = nleft; j <= nright; ++j) w[j] /= a;
  if (h > 0.0 && ideg > 0) {
    a = 0.0;
    for (int j = nleft; j <= nright; ++j) a += w[j] * j;
    double b = xs - a, c = 0.0;
    for (int j = nleft; j <= nright; ++j) c += w[j] * (j - a) * (j - a);
    if (std::sqrt(c) > 0.001 * range) {
      b /= c;
      for (int j = nleft; j <= nright; ++j) w[j] *= b * (j - a) + 1.0;
    }
  }
  double s = 0.0;
  for (int j = nleft; j <= nright; ++j) s += w[j] * y[j];
  ys = s;
  return true;
}

inline void Ess(const double* y, int n, int len, int ideg, int njump, double* ys, double* res) {
  if (n < 2) {
    ys[1] = y[1];
    return;
  }
  const int newnj = std::min(njump, n - 1);
  int nleft = 1, nright = n;
  if (len >= n) {
    nleft = 1;
    nright = n;
    for (int i = 1; i <= n; i += newnj) {
      if (!Est(y, n, len, ideg, i, ys[i], nleft, nright, res)) ys[i] = y[i];
    }
  } else if (newnj == 1) {
    const int nsh = (len + 1) / 2;
    nleft = 1;
    nright = len;
    for (int i = 1; i <= n; ++i) {
      if (i > nsh && nright != n) {
        ++nleft;
        ++nright;
      }
      if (!Est(y, n, len, ideg, i, ys[i], nleft, nright, res)) ys[i] = y[i];
    }
  } else {
    const int nsh = (len + 1) / 2;
    for (int i = 1; i <= n; i += newnj) {
      if (i < nsh) {
        nleft = 1;
        nright = len;
      } else if (i >= n - nsh + 1) {
        nleft = n - len + 1;
        nright = n;
      } else {
        nleft = i - nsh + 1;
        nright = len + i - nsh;
      }
      if (!Est(y, n, len, ideg, i, ys[i], nleft, nright, res)) ys[i] = y[i];
    }
  }
  if (newnj != 1) {
    for (int i = 1; i <= n - newnj; i += newnj) {
      const double delta = (ys[i + newnj] - ys[i]) / newnj;
      for (int j = i + 1; j <= i + newnj - 1; ++j) ys[j] = ys[i] + delta * (j - i);
    }
    const int k = ((n - 1) / newnj) * newnj + 1;
    if (k != n) {
      if (!Est(y, n, len, ideg, n, ys[n], nleft, nright, res)) ys[n] = y[n];
      if (k != n - 1) {
        const double delta = (ys[n] - ys[k]) / (n - k);
        for (int j = k + 1; j <= n - 1; ++j) ys[j] = ys[k] + delta * (j - k);
      }
    }
  }
}

inline void Ma(const double* x, int n, int len, double* ave) {
  const int newn = n - len + 1;
  const double flen = len;
  double v = 0.0;
  for (int i = 1; i <= len; ++i) v += x[i];
  ave[1] = v / flen;
  if (newn > 1) {
    int k = len, m = 0;
    for (int j = 2; j <= newn; ++j) {
      ++k;
      ++m;
      v = v - x[m] + x[k];
      ave[j] = v / flen;
    }
  }
}

inline void Fts(const double* x, int n, int np, double* trend, double* work) {
  Ma(x, n, np, trend);
  Ma(trend, n - np + 1, np, work);
  Ma(work, n - 2 * np + 2, 3, trend);
}

// work3 (robustness weights) is unused: the fit is non-robust.
inline void Ss(const double* y, int n, int np, int ns, int isdeg, int nsjump, double* season,
               double* work1, double* work2, double* /*work3*/, double* work4) {
  for (int j = 1; j <= np; ++j) {
    const int k = (n - j) / np + 1;
    for (int i = 1; i <= k; ++i) work1[i] = y[(i - 1) * np + j];
    Ess(work1, k, ns, isdeg, nsjump, work2 + 1, work4);
    int nright = std::min(ns, k);
    if (!Est(work1, k, ns, isdeg, 0.0, work2[1], 1, nright, work4)) work2[1] = work2[2];
    const int nleft = std::max(1, k - ns + 1);
    if (!Est(work1, k, ns, isdeg, k + 1.0, work2[k + 2], nleft, k, work4)) work2[k + 2] = work2[k + 1];
    for (int m = 1; m <= k + 2; ++m) season[(m - 1) * np + j] = work2[m];
  }
}

inline int NextOdd(int x) { return x % 2 == 0 ? x + 1 : x; }

}  // namespace stl_detail

// Requires m >= 2 and n > 2 m; returns zeros otherwise.
inline StlResult Stl(std::span<const double> x, int m, StlOptions opt = {}) {
  using namespace stl_detail;
  const int n = static_cast<int>(x.size());
  StlResult out;
  out.seasonal.assign(x.size(), 0.0);
  out.trend.assign(x.size(), 0.0);
  out.remainder.assign(x.begin(), x.end());
  if (m < 2 || n <= 2 * m) return out;
  const int np = std::max(2, m);
  int ns = std::max(3, opt.s_window);
  int nt = NextOdd(static_cast<int>(std::ceil(1.5 * m / (1.0 - 1.5 / opt.s_window))));
  int nl = NextOdd(m);
  const int nsjump = static_cast<int>(std::ceil(opt.s_window / 10.0));
  const int ntjump = static_cast<int>(std::ceil(nt / 10.0));
  const int nljump = static_cast<int>(std::ceil(nl / 10.0));
  nt = std::max(3, nt);
  nl = std::max(3, nl);
  if (ns % 2 == 0) ++ns;
  if (nt % 2 == 0) ++nt;
  if (nl % 2 == 0) ++nl;
  const int isdeg = 0, itdeg = 1, ildeg = 1;
  const int wn = n + 2 * np;
  std::vector<double> yv(static_cast<std::size_t>(n) + 1), season(static_cast<std::size_t>(n) + 1, 0.0),
      trend(static_cast<std::size_t>(n) + 1, 0.0);
  std::vector<std::vector<double>> work(5, std::vector<double>(static_cast<std::size_t>(wn) + 2, 0.0));
  for (int i = 1; i <= n; ++i) yv[static_cast<std::size_t>(i)] = x[static_cast<std::size_t>(i - 1)];
  double* y = yv.data();
  double* w1 = work[0].data();
  double* w2 = work[1].data();
  double* w3 = work[2].data();
  double* w4 = work[3].data();
  double* w5 = work[4].data();
  for (int it = 0; it < opt.inner; ++it) {
    // stl.f's stlstp with work(., 1..5) = w1..w5.
    for (int i = 1; i <= n; ++i) w1[i] = y[i] - trend[static_cast<std::size_t>(i)];
    Ss(w1, n, np, ns, isdeg, nsjump, w2, w3, w4, w5, season.data());
    Fts(w2, wn, np, w3, w1);
    Ess(w3, n, nl, ildeg, nljump, w1, w5);
    for (int i = 1; i <= n; ++i) season[static_cast<std::size_t>(i)] = w2[np + i] - w1[i];
    for (int i = 1; i <= n; ++i) w1[i] = y[i] - season[static_cast<std::size_t>(i)];
    Ess(w1, n, nt, itdeg, ntjump, trend.data(), w3);
  }
  for (int i = 0; i < n; ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    out.seasonal[k] = season[k + 1];
    out.trend[k] = trend[k + 1];
    out.remainder[k] = x[k] - out.seasonal[k] - out.trend[k];
  }
  return out;
}

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_DECOMPOSE_STL_HPP_
