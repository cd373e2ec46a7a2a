// -----------------------------------------------------------------------------
// File: bank.hpp
// -----------------------------------------------------------------------------
//
// `ForecastBank<KernelT>` updates and predicts many series at once for the
// controller's tick. State is laid out as a structure of arrays (one array per
// state variable, series contiguous), so one tick is a few linear passes the
// compiler vectorises. All series advance together: `UpdateAll` takes one
// value per series (NaN = missing, that series keeps its state) and
// `PredictAll` writes step-major outputs, `means[(h-1) * n + i]` and
// `quantiles[((h-1) * Q + k) * n + i]`.
//
// Quantiles are Gaussian around the mean with a per-series scale from the
// running mean absolute one-step error (sigma ~ 1.25 MAE), widened with the
// step as the kernel's `StepVariance(h)` says.
//
// Shipped kernels: `HoltWintersBankKernel` (additive Holt-Winters, the same
// recursions as `HoltWinters`, season stored phase-major so a tick touches one
// contiguous row) and `SeasonalNaiveBankKernel`.
//
//   HoltWintersBank bank(/*num_series=*/100000, {.season = 288});
//   bank.UpdateAll(usage_now);                       // span of 100000 values
//   bank.PredictAll(12, means, quantiles);           // 12 x 100000 (+ x Q)
//
// | type   | name        | description                             | default          |
// |--------|-------------|-----------------------------------------|------------------|
// | size_t | num_series  | series in the bank                      | (required)       |
// | ...    | kernel opts | e.g. HoltWintersOptions                 | see holt_winters |
// | double | error_decay | weight of a new |error| in the MAE       | 0.05             |
#ifndef FORESIGHT_FORECAST_BANK_HPP_
#define FORESIGHT_FORECAST_BANK_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "foresight/forecast/forecast.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/internal/error_quantiles.hpp"

namespace foresight {

// Additive Holt-Winters over a structure of arrays.
struct HoltWintersBankKernel {
  using Options = HoltWintersOptions;
  Options options;

  struct Arrays {
    std::vector<double> level, trend, season;  // season: m x n, phase-major
    std::vector<std::uint8_t> started;
  };

  std::size_t M() const { return static_cast<std::size_t>(std::max(options.season, 1)); }
  void Resize(Arrays& a, std::size_t n) const {
    a.level.assign(n, 0.0);
    a.trend.assign(n, 0.0);
    a.season.assign(M() * n, 0.0);
    a.started.assign(n, 0);
  }
  // One-step forecast for every series at `phase` (before the update).
  void OneStep(const Arrays& a, std::size_t phase, std::span<double> out) const {
    const std::size_t n = out.size();
    const double* s = a.season.data() + (M() > 1 ? phase * n : 0);
    const double phi = options.phi;
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = a.level[i] + phi * a.trend[i] + (M() > 1 ? s[i] : 0.0);
    }
  }
  void Step(Arrays& a, std::size_t phase, std::span<const double> y) const {
    const std::size_t n = y.size();
    const double al = options.alpha, be = options.beta, ga = options.gamma, phi = options.phi;
    double* level = a.level.data();
    double* trend = a.trend.data();
    double* s = a.season.data() + phase * n;
    const bool seasonal = M() > 1;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = y[i];
      if (!std::isfinite(v)) continue;
      if (!a.started[i]) {
        level[i] = v;
        a.started[i] = 1;
        continue;
      }
      const double old_level = level[i];
      const double old_season = seasonal ? s[i] : 0.0;
      const double nl = al * (v - old_season) + (1 - al) * (old_level + phi * trend[i]);
      trend[i] = be * (nl - old_level) + (1 - be) * phi * trend[i];
      level[i] = nl;
      if (seasonal) s[i] = ga * (v - nl) + (1 - ga) * old_season;
    }
  }
  // Point forecasts of step h (1-based) after `t` samples, for all series.
  void Point(const Arrays& a, long long t, int h, std::span<double> out) const {
    const std::size_t n = out.size();
    double damp = 0.0, phik = 1.0;
    for (int k = 0; k < h; ++k) {
      phik *= options.phi;
      damp += phik;
    }
    const bool seasonal = M() > 1;
    const double* s =
        a.season.data() + (seasonal ? static_cast<std::size_t>((t + h - 1) % static_cast<long long>(M())) * n : 0);
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = a.level[i] + damp * a.trend[i] + (seasonal ? s[i] : 0.0);
    }
  }
  // Forecast-error variance of step h relative to step 1 (ETS(A,A,A) class 1 form).
  double StepVariance(int h) const {
    double v = 1.0;
    for (int j = 1; j < h; ++j) {
      const double c = options.alpha * (1 + j * options.beta) +
                       (M() > 1 && j % static_cast<int>(M()) == 0 ? options.gamma : 0.0);
      v += c * c;
    }
    return v;
  }
};

// Seasonal naive over a ring of the last m values per series (phase-major).
struct SeasonalNaiveBankKernel {
  struct Options {
    int season = 24;
  };
  Options options;
  struct Arrays {
    std::vector<double> ring;  // m x n
    std::vector<double> last;  // latest value per series
  };
  std::size_t M() const { return static_cast<std::size_t>(std::max(options.season, 1)); }
  void Resize(Arrays& a, std::size_t n) const {
    a.ring.assign(M() * n, NAN);
    a.last.assign(n, 0.0);
  }
  void OneStep(const Arrays& a, std::size_t phase, std::span<double> out) const {
    const double* r = a.ring.data() + phase * out.size();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::isnan(r[i]) ? a.last[i] : r[i];
  }
  void Step(Arrays& a, std::size_t phase, std::span<const double> y) const {
    double* r = a.ring.data() + phase * y.size();
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (!std::isfinite(y[i])) continue;
      r[i] = y[i];
      a.last[i] = y[i];
    }
  }
  void Point(const Arrays& a, long long t, int h, std::span<double> out) const {
    OneStep(a, static_cast<std::size_t>((t + h - 1) % static_cast<long long>(M())), out);
  }
  double StepVariance(int h) const {
    return static_cast<double>((h - 1) / static_cast<int>(M()) + 1);
  }
};

template <typename KernelT>
class ForecastBank {
 public:
  ForecastBank(std::size_t num_series, typename KernelT::Options options = {},
               double error_decay = 0.05, std::span<const double> levels = kDefaultQuantileLevels)
      : kernel_{options}, n_(num_series), error_decay_(error_decay), levels_(levels.begin(), levels.end()) {
    kernel_.Resize(arrays_, n_);
    mae_.assign(n_, 0.0);
    seen_.assign(n_, 0.0);
    scratch_.assign(n_, 0.0);
    for (double p : levels_) z_.push_back(internal::NormalQuantile(p) * 1.25);
  }

  std::size_t size() const { return n_; }
  long long ticks() const { return t_; }
  std::span<const double> levels() const { return levels_; }
  const KernelT& kernel() const { return kernel_; }

  // One value per series (NaN = missing). Infinite values are rejected and leave
  // the bank untouched.
  absl::Status UpdateAll(std::span<const double> y) {
    if (y.size() != n_) {
      return absl::InvalidArgumentError(
          absl::StrCat("ForecastBank::UpdateAll: got ", y.size(), " values for ", n_, " series"));
    }
    for (std::size_t i = 0; i < n_; ++i) {
      if (std::isinf(y[i])) {
        return absl::InvalidArgumentError(
            absl::StrCat("ForecastBank::UpdateAll: value for series ", i, " is infinite"));
      }
    }
    const std::size_t phase = static_cast<std::size_t>(t_ % static_cast<long long>(kernel_.M()));
    kernel_.OneStep(arrays_, phase, scratch_);
    const double d = error_decay_;
    for (std::size_t i = 0; i < n_; ++i) {
      const double v = y[i];
      if (std::isnan(v)) continue;
      const double e = std::abs(v - scratch_[i]);
      const double w = seen_[i] > 1.0 / d ? d : 1.0 / (seen_[i] + 1.0);
      mae_[i] += seen_[i] > 0.0 ? w * (e - mae_[i]) : 0.0;
      seen_[i] += 1.0;
    }
    kernel_.Step(arrays_, phase, y);
    ++t_;
    return absl::OkStatus();
  }

  // Means for steps 1..horizon into `means` (horizon x n, step-major) and, when
  // `quantiles` is non-empty, quantiles (horizon x Q x n).
  absl::Status PredictAll(int horizon, std::span<double> means,
                          std::span<double> quantiles = {}) const {
    const std::size_t H = static_cast<std::size_t>(std::max(horizon, 0));
    const std::size_t Q = levels_.size();
    if (means.size() != H * n_) {
      return absl::InvalidArgumentError(absl::StrCat("ForecastBank::PredictAll: means holds ",
                                                     means.size(), ", need ", H * n_));
    }
    if (!quantiles.empty() && quantiles.size() != H * Q * n_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ForecastBank::PredictAll: quantiles holds ", quantiles.size(), ", need ", H * Q * n_));
    }
    for (std::size_t h = 1; h <= H; ++h) {
      std::span<double> m = means.subspan((h - 1) * n_, n_);
      kernel_.Point(arrays_, t_, static_cast<int>(h), m);
      if (quantiles.empty()) continue;
      const double widen = std::sqrt(kernel_.StepVariance(static_cast<int>(h)));
      for (std::size_t k = 0; k < Q; ++k) {
        double* q = quantiles.data() + ((h - 1) * Q + k) * n_;
        const double zk = z_[k] * widen;
        for (std::size_t i = 0; i < n_; ++i) q[i] = m[i] + zk * mae_[i];
      }
    }
    return absl::OkStatus();
  }

  // Series i's forecast as a `Forecast` (a convenience for tests and tools:
  // it computes every series' point forecast, O(n * horizon)).
  Forecast PredictOne(std::size_t i, int horizon) const {
    Forecast f(std::max(horizon, 0), levels_);
    std::vector<double> one(n_);
    for (int h = 1; h <= f.horizon(); ++h) {
      kernel_.Point(arrays_, t_, h, one);
      f.mean(h) = one[i];
      const double widen = std::sqrt(kernel_.StepVariance(h));
      for (std::size_t k = 0; k < levels_.size(); ++k) f.quantile(h, k) = one[i] + z_[k] * widen * mae_[i];
    }
    f.set_confidence(seen_[i] / (seen_[i] + 24.0) / (1.0 + mae_[i] / (std::abs(f.mean(1)) + 1e-9)));
    return f;
  }

 private:
  KernelT kernel_;
  std::size_t n_;
  double error_decay_;
  std::vector<double> levels_;
  std::vector<double> z_;
  typename KernelT::Arrays arrays_;
  std::vector<double> mae_;
  std::vector<double> seen_;
  std::vector<double> scratch_;
  long long t_ = 0;
};

using HoltWintersBank = ForecastBank<HoltWintersBankKernel>;
using SeasonalNaiveBank = ForecastBank<SeasonalNaiveBankKernel>;

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_BANK_HPP_
