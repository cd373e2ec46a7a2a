// -----------------------------------------------------------------------------
// File: conformal.hpp
// -----------------------------------------------------------------------------
//
// `Conformal<ForecasterT>` is a decorator that plays the Forecaster role: it
// keeps the wrapped forecaster's point forecast (its mean) and replaces its
// quantiles by online split-conformal ones. For every horizon step h it keeps
// the last `window` out-of-sample residuals r = y - yhat_h, and the quantile at
// level tau is yhat_h + r_(k) with the finite-sample conformal rank
//     k = ceil((n + 1) tau)   for tau >= 1/2,     k = floor((n + 1) tau)   below,
// clamped to 1..n. It also measures, per step, how often the truth fell inside
// the central `coverage_level` interval it issued (`Conformal::Coverage`), and
// scores each forecast's confidence from its warm-up, its measured calibration
// and its relative width. Residual windows are kept sorted incrementally, so
// Update costs the wrapped model's means (`PredictMeans`) plus
// O(horizon * window) moves, and Predict O(horizon * levels) on top of the
// wrapped model's means (its full Predict while a residual window is short).
//
// A forecast issued before the wrapper has seen any sample (the state of
// `Fit({})`) is not scored: it is the wrapped model's cold guess (usually 0),
// and its residual, the whole first sample, would otherwise widen the upper
// quantiles for a full `window`.
//
// Fit replays the last `calibration` samples of the history (at most half of
// it, and never so many that the prefix is shorter than `min_prefix` or the
// wrapped model's `WarmHistoryOf`, when the history is that long) out of
// sample: the wrapped forecaster is fitted on the prefix and then
// updated one sample at a time, each forecast being scored when its target
// arrives. The means then come from the wrapped forecaster fitted on the whole
// history, so they are its own (Fit costs two fits of it). Hence Fit(x) then
// Update(y) equals Fit(x + y) only up to where that split falls.
// FitFor(r, x) does the same with the wrapped FitFor when the wrapped
// forecaster is resource-aware, so Conformal<ByResource<...>> still fits each
// resource with its own model.
//
//   Conformal<HoltWinters> model(HoltWinters({.season = 24}), {.horizon = 24});
//   auto state = model.Fit(history);
//   Forecast f = model.Predict(*state, 24);
//   double lo = f.Quantile(1, 0.05), hi = f.Quantile(1, 0.95);  // ~90% coverage
//
// | type   | name           | description                                   | default |
// |--------|----------------|-----------------------------------------------|---------|
// | int    | horizon        | steps with their own residual window          | 24      |
// | int    | window         | residuals kept per step                       | 200     |
// | int    | calibration    | history samples replayed out of sample in Fit | 300     |
// | int    | min_prefix     | history Fit keeps for the calibration model, at least | 0 |
// | double | coverage_level | central interval whose coverage is measured   | 0.9     |
// | int    | min_residuals  | residuals before conformal quantiles are used | 10      |
// | double | tail_fraction  | if > 0: levels above 1 - tail_fraction use a fitted tail | 0 (off) |

//
// Tail levels. A window of n residuals cannot tell levels above n / (n + 1)
// apart: every such level gets the largest residual, so a limit set at the
// 0.9999 quantile is exceeded about once every n steps, not once every 10,000.
// With `tail_fraction` > 0, levels tau above 1 - tail_fraction use a
// peaks-over-threshold fit instead: with the k = tail_fraction * n largest
// residuals above the threshold u (the next one down) and their mean excess
// beta over it, an exponential tail gives
//     q(tau) = u + beta * ln((k / (n + 1)) / (1 - tau)),
// never below the conformal rank. It extrapolates past the largest residual
// seen, growing with the log of the rarity asked for. Once a window is full,
// k / (n + 1) is fixed and the logarithm per level is taken once, at
// construction (the same value to the bit).
#ifndef FORESIGHT_FORECAST_CONFORMAL_HPP_
#define FORESIGHT_FORECAST_CONFORMAL_HPP_

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "foresight/core/resources.hpp"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/forecast_ledger.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"

namespace foresight {

struct ConformalOptions {
  int horizon = 24;
  int window = 200;
  int calibration = 300;
  // The calibration model is fitted on at least max(min_prefix, the wrapped
  // model's `WarmHistoryOf`) samples when the history holds them.
  int min_prefix = 0;
  double coverage_level = 0.9;
  int min_residuals = 10;
  double tail_fraction = 0.0;
};

namespace internal {

// 0-based index of the conformal rank at level tau among n sorted residuals.
inline std::size_t ConformalIndex(std::size_t n, double tau) {
  const double nn = static_cast<double>(n);
  const double k = tau >= 0.5 ? std::ceil((nn + 1.0) * tau) : std::floor((nn + 1.0) * tau);
  return static_cast<std::size_t>(std::clamp(k, 1.0, nn)) - 1;
}
inline double ConformalRank(std::span<const double> sorted, double tau) {
  return sorted[ConformalIndex(sorted.size(), tau)];
}

// Exponential (peaks-over-threshold) tail of a sorted sample: the k largest
// values' mean excess `beta` over the threshold `u`, valid with k >= 5.
struct ExponentialTail {
  bool valid = false;
  double u = 0.0, beta = 0.0, exceed = 0.0;  // exceed = k / (n + 1)
  double Quantile(double tau) const { return AtLogRatio(LogRatio(exceed, tau)); }
  // The quantile from ln(exceed / (1 - tau)): a caller whose window is full
  // (so `exceed` is fixed) computes it once per level instead of a logarithm
  // per level and forecast, with the same result to the bit.
  double AtLogRatio(double log_ratio) const { return u + beta * log_ratio; }
  static double LogRatio(double exceed, double tau) {
    return std::log(exceed / std::max(1.0 - tau, 1e-300));
  }
};
// The number k of largest values the tail is fitted to among n, or 0 when
// there is no tail (fraction <= 0, or fewer than 10 values).
inline std::size_t TailCount(std::size_t n, double fraction) {
  if (!(fraction > 0.0) || n < 10) return 0;
  return std::min(n - 1, std::max<std::size_t>(5, static_cast<std::size_t>(fraction * n)));
}
inline ExponentialTail FitTail(std::span<const double> sorted, double fraction) {
  ExponentialTail t;
  const std::size_t n = sorted.size();
  const std::size_t k = TailCount(n, fraction);
  if (k == 0) return t;
  t.u = sorted[n - k - 1];
  double sum = 0.0;
  for (std::size_t i = n - k; i < n; ++i) sum += sorted[i] - t.u;
  t.beta = sum / static_cast<double>(k);
  t.exceed = static_cast<double>(k) / static_cast<double>(n + 1);
  t.valid = true;
  return t;
}

}  // namespace internal

template <Forecaster ForecasterT>
class Conformal {
 public:
  struct State {
    typename ForecasterT::State inner;
    internal::ForecastLedger ledger;  // per target: mean, lower, upper of the measured interval
    std::vector<double> residuals;    // horizon x window rings (arrival order)
    std::vector<double> sorted;       // horizon x window: the same, kept sorted
    std::vector<int> filled;          // residuals per step
    std::vector<int> head;            // next ring slot per step
    std::vector<long long> hits;      // targets inside the issued interval, per step
    std::vector<long long> scored;    // targets scored, per step
    long long t = 0;                  // samples seen (including the fitted prefix)
  };

  explicit Conformal(ForecasterT inner = ForecasterT(), ConformalOptions options = {},
                     std::span<const double> levels = kDefaultQuantileLevels)
      : inner_(std::move(inner)), options_(options), levels_(levels.begin(), levels.end()) {
    options_.horizon = std::max(options_.horizon, 1);
    options_.window = std::max(options_.window, 2);
    options_.calibration = std::max(options_.calibration, 0);
    options_.min_prefix = std::max(options_.min_prefix, 0);
    options_.min_residuals = std::clamp(options_.min_residuals, 1, options_.window);
    // The tail's ln(exceed / (1 - level)) once a window is full, when its
    // `exceed` = k / (n + 1) no longer changes (as FitTail computes it).
    const std::size_t n = static_cast<std::size_t>(options_.window);
    const std::size_t tail = internal::TailCount(n, options_.tail_fraction);
    const double exceed = static_cast<double>(tail) / static_cast<double>(n + 1);
    tail_log_ratio_.resize(levels_.size(), NAN);  // NaN: a level the tail does not price
    for (std::size_t k = 0; k < levels_.size(); ++k) {
      if (tail > 0 && levels_[k] > 1.0 - options_.tail_fraction) {
        tail_log_ratio_[k] = internal::ExponentialTail::LogRatio(exceed, levels_[k]);
      }
    }
  }

  static std::string_view Name() { return "conformal"; }
  const ForecasterT& inner() const { return inner_; }
  const ConformalOptions& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    return Calibrated(history, [this](std::span<const double> prefix) { return inner_.Fit(prefix); });
  }
  // Forwarded so that wrapping keeps a per-resource forecaster resource-aware
  // (the same split: the wrapped FitFor on the prefix, the rest replayed).
  absl::StatusOr<State> FitFor(Resource r, std::span<const double> history) const
    requires ResourceAwareForecaster<ForecasterT>
  {
    return Calibrated(history, [this, r](std::span<const double> prefix) {
      return inner_.FitFor(r, prefix);
    });
  }

  void Update(State& state, double y) const {
    if (!std::isfinite(y)) return;
    const std::size_t W = static_cast<std::size_t>(options_.window);
    state.ledger.Arrived(state.t, [&](int step, std::span<const double> e) {
      const std::size_t h = static_cast<std::size_t>(step - 1);
      double& slot = state.residuals[h * W + static_cast<std::size_t>(state.head[h])];
      double* sorted = state.sorted.data() + h * W;
      const int n = state.filled[h];
      const double r = y - e[0];
      if (n == options_.window) {
        // The oldest residual leaves the sorted copy and r comes in: only the
        // residuals between the two places shift, by one. The result is what
        // removing the first equal to the oldest and then inserting r after
        // its equals would give.
        double* out = std::lower_bound(sorted, sorted + n, slot);
        if (r >= *out) {
          double* at = std::upper_bound(out + 1, sorted + n, r);
          std::copy(out + 1, at, out);
          *(at - 1) = r;
        } else {
          double* at = std::upper_bound(sorted, out, r);
          std::copy_backward(at, out, out + 1);
          *at = r;
        }
      } else {
        double* at = std::upper_bound(sorted, sorted + n, r);
        std::copy_backward(at, sorted + n, sorted + n + 1);
        *at = r;
        state.filled[h] = n + 1;
      }
      slot = r;
      state.head[h] = (state.head[h] + 1) % options_.window;
      if (!std::isnan(e[1])) {
        state.scored[h] += 1;
        if (y >= e[1] && y <= e[2]) state.hits[h] += 1;
      }
    });
    inner_.Update(state.inner, y);
    state.t += 1;
    RecordForecasts(state);
  }

  Forecast Predict(const State& state, int horizon) const {
    Forecast f(std::max(horizon, 0), levels_);
    // The wrapped model's quantiles and confidence stand in only while a
    // step's residual window is short; once every step asked for has its
    // residuals, its means are all that is kept.
    Forecast inner;
    if (Warm(state, horizon)) {
      PredictMeans(inner_, state.inner, f.means());
    } else {
      inner = inner_.Predict(state.inner, horizon);
      std::copy(inner.means().begin(), inner.means().end(), f.means().begin());
    }
    for (int step = 1; step <= f.horizon(); ++step) {
      const int h = std::min(step, options_.horizon);
      const std::span<const double> sorted = Sorted(state, h);
      if (sorted.empty()) {
        for (std::size_t k = 0; k < levels_.size(); ++k) {
          f.quantile(step, k) = inner.Quantile(step, levels_[k]);
        }
        continue;
      }
      const double scale = step > options_.horizon
                               ? std::sqrt(static_cast<double>(step) / options_.horizon)
                               : 1.0;
      const internal::ExponentialTail tail = internal::FitTail(sorted, options_.tail_fraction);
      for (std::size_t k = 0; k < levels_.size(); ++k) {
        double r = internal::ConformalRank(sorted, levels_[k]);
        if (tail.valid && levels_[k] > 1.0 - options_.tail_fraction) {
          const bool full = sorted.size() == static_cast<std::size_t>(options_.window);
          r = std::max(r, full ? tail.AtLogRatio(tail_log_ratio_[k]) : tail.Quantile(levels_[k]));
        }
        f.quantile(step, k) = f.mean(step) + scale * r;
      }
    }
    f.Normalize(/*floor_at_zero=*/false);
    f.set_confidence(Confidence(state, f, inner.confidence()));
    return f;
  }

  // Predict's means: the wrapped model's (`MeanForecaster`).
  void PredictMean(const State& state, std::span<double> out) const {
    PredictMeans(inner_, state.inner, out);
  }

  // Fraction of the targets of step `step` (1-based, <= horizon) that fell
  // inside the central `coverage_level` interval issued for them; NaN before
  // any was scored.
  double Coverage(const State& state, int step) const {
    const std::size_t h = static_cast<std::size_t>(std::clamp(step, 1, options_.horizon) - 1);
    if (state.scored[h] == 0) return NAN;
    return static_cast<double>(state.hits[h]) / static_cast<double>(state.scored[h]);
  }

 private:
  // Fit's split: `fit_inner` on all but the last `calibration` samples (at
  // most half), whose forecasts are then scored one at a time by Update.
  template <typename FitInner>
  absl::StatusOr<State> Calibrated(std::span<const double> history, FitInner fit_inner) const {
    if (absl::Status s = internal::CheckFinite(history, Name()); !s.ok()) return s;
    const std::size_t n = history.size();
    std::size_t replay =
        std::min<std::size_t>(static_cast<std::size_t>(options_.calibration), n / 2);
    // A prefix too short for the wrapped model's warm start would calibrate a
    // cold model: its residuals are not the model's. A double-seasonal model
    // on 624 hourly samples, fitted on 324 (under the two weeks it starts
    // from), covered 0 % at P05 and 100 % at P95 on the Taylor blocks.
    const std::size_t warm =
        static_cast<std::size_t>(std::max(options_.min_prefix, WarmHistoryOf(inner_)));
    if (warm <= n && n - replay < warm) replay = n - warm;
    absl::StatusOr<typename ForecasterT::State> inner = fit_inner(history.first(n - replay));
    if (!inner.ok()) return inner.status();
    State state = MakeState(*std::move(inner), static_cast<long long>(n - replay));
    RecordForecasts(state);
    for (double y : history.last(replay)) Update(state, y);
    if (replay > 0) {
      // The residuals stay the prefix model's, scored out of sample; the means
      // are the wrapped model's fitted on the whole history, as its own Fit
      // gives them. A model fitted on the prefix and only filtered through the
      // rest keeps the prefix's parameters: on M4-style monthly series (half
      // the history replayed) conformal_ets forecast with twice ets's sMAPE.
      absl::StatusOr<typename ForecasterT::State> full = fit_inner(history);
      if (!full.ok()) return full.status();
      state.inner = *std::move(full);
      // What is pending was forecast by the prefix model: forecast again.
      state.ledger = internal::ForecastLedger(options_.horizon, 3);
      RecordForecasts(state);
    }
    return state;
  }

  State MakeState(typename ForecasterT::State inner, long long t) const {
    const std::size_t H = static_cast<std::size_t>(options_.horizon);
    State s{std::move(inner),
            internal::ForecastLedger(options_.horizon, 3),
            std::vector<double>(H * static_cast<std::size_t>(options_.window), 0.0),
            std::vector<double>(H * static_cast<std::size_t>(options_.window), 0.0),
            std::vector<int>(H, 0),
            std::vector<int>(H, 0),
            std::vector<long long>(H, 0),
            std::vector<long long>(H, 0),
            t};
    return s;
  }

  // Step `step`'s residuals in ascending order; empty while too few.
  std::span<const double> Sorted(const State& state, int step) const {
    const std::size_t h = static_cast<std::size_t>(step - 1);
    const int n = state.filled[h];
    if (n < options_.min_residuals) return {};
    const std::size_t W = static_cast<std::size_t>(options_.window);
    return std::span<const double>(state.sorted).subspan(h * W, static_cast<std::size_t>(n));
  }

  // True when steps 1..min(horizon, options.horizon) all have their
  // residuals, so that Predict needs nothing of the wrapped model but its
  // means (step 1's window also decides the confidence).
  bool Warm(const State& state, int horizon) const {
    const int steps = std::min(horizon, options_.horizon);
    for (int h = 0; h < steps; ++h) {
      if (state.filled[static_cast<std::size_t>(h)] < options_.min_residuals) return false;
    }
    return steps > 0;
  }

  // Issues forecasts for steps 1..horizon from the current state into the ledger.
  void RecordForecasts(State& state) const {
    absl::InlinedVector<double, 16> means(static_cast<std::size_t>(options_.horizon));
    PredictMeans(inner_, state.inner, std::span<double>(means));
    const double alpha = 1.0 - options_.coverage_level;
    for (int step = 1; step <= options_.horizon; ++step) {
      std::span<double> slot = state.ledger.Slot(state.t, step);
      if (state.t == 0) {  // a guess from no data: not scored
        slot[0] = slot[1] = slot[2] = NAN;
        continue;
      }
      const double mean = means[static_cast<std::size_t>(step - 1)];
      slot[0] = mean;
      const std::span<const double> sorted = Sorted(state, step);
      if (!sorted.empty()) {
        slot[1] = mean + internal::ConformalRank(sorted, alpha / 2);
        slot[2] = mean + internal::ConformalRank(sorted, 1.0 - alpha / 2);
      } else {
        slot[1] = slot[2] = NAN;
      }
    }
  }

  // warm-up x calibration agreement / (1 + relative width of the step-1 interval).
  double Confidence(const State& state, const Forecast& f, double inner_confidence) const {
    if (f.horizon() == 0) return 0.0;
    const int n = state.filled[0];
    if (n < options_.min_residuals) return inner_confidence;
    const double warm = static_cast<double>(n) / (n + options_.min_residuals);
    const double cov = Coverage(state, 1);
    const double miss = std::isnan(cov) ? 0.5 : std::abs(cov - options_.coverage_level);
    const double calib = std::max(0.0, 1.0 - miss / (1.0 - options_.coverage_level));
    const double alpha = 1.0 - options_.coverage_level;
    const double width = f.Quantile(1, 1.0 - alpha / 2) - f.Quantile(1, alpha / 2);
    const double rel = width / (std::abs(f.mean(1)) + 1e-9);
    return warm * (0.5 + 0.5 * calib) / (1.0 + rel);
  }

  ForecasterT inner_;
  ConformalOptions options_;
  std::vector<double> levels_;
  std::vector<double> tail_log_ratio_;  // per level, for a full window; NaN below the tail
};

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_CONFORMAL_HPP_
