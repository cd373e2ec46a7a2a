// -----------------------------------------------------------------------------
// File: running_peak.hpp
// -----------------------------------------------------------------------------
//
// `RunningPeak<ForecasterT>` is a decorator that plays the Forecaster role:
// the wrapped forecaster never sees the series itself but its running peak,
// the largest of its last `width` samples,
//
//     p(t) = max(y(t - width + 1), ..., y(t)),
//
// so it forecasts the peak a window ending at each step ahead will hold. A
// running peak is never below the sample that ends its window, so a limit
// that covers the forecast peak covers the demand too, and it is a smoother
// series than the demand: a spike becomes a plateau `width` samples long
// that a level model can follow, rather than an outlier that a mean model
// averages away. It is how a memory forecast can aim at the peaks (an OOM is
// decided by the largest sample, not the typical one) with any model:
//
//   absl::StatusOr<RunningPeak<AnyForecaster>> peak = RunningPeak<AnyForecaster>::Create(
//       *registry.Make("theta", {.season = 288}), {.width = 12});  // the last hour's peak
//   Conformal<RunningPeak<AnyForecaster>> memory(*peak, c, kTailQuantileLevels);
//
// Wrapped in `Conformal`, as above, the quantiles are calibrated against the
// samples themselves: Conformal scores the forecast peak against what each
// step brought, so its margin is what the peak forecast still missed.
//
// A NaN sample is passed on (the wrapped models ignore it) and leaves the
// window as it was. `Fit(history)` fails on a non-finite sample, naming its
// index, and fits the wrapped model on the history's running peaks (the first
// `width - 1` over the samples so far). `FitFor`, `PredictMean`,
// `WarmHistory` and `End` are forwarded.
//
// Cost: `width` doubles per series; Update the wrapped Update plus O(width)
// to find the peak; Fit O(n * width) plus the wrapped Fit.
//
// | type | name  | description                              | default |
// |------|-------|------------------------------------------|---------|
// | int  | width | samples in the running peak (> 0)        | 12      |
#ifndef FORESIGHT_FORECAST_RUNNING_PEAK_HPP_
#define FORESIGHT_FORECAST_RUNNING_PEAK_HPP_

#include <algorithm>
#include <cmath>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/core/resources.hpp"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"
#include "foresight/telemetry/ring_buffer.hpp"

namespace foresight {

struct RunningPeakOptions {
  int width = 12;  // samples in the running peak (an hour of 5-minute steps)
};

template <Forecaster ForecasterT>
class RunningPeak {
 public:
  struct State {
    typename ForecasterT::State inner;
    RingBuffer<double> recent{1};  // the last `width` finite samples
  };

  // Fails with InvalidArgumentError naming a non-positive `width`.
  static absl::StatusOr<RunningPeak> Create(ForecasterT inner, RunningPeakOptions options = {}) {
    if (options.width <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("RunningPeak: width must be > 0 samples, got ", options.width));
    }
    return RunningPeak(std::move(inner), options);
  }

  static std::string_view Name() { return "running_peak"; }
  const ForecasterT& inner() const { return inner_; }
  const RunningPeakOptions& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    return FitImpl(std::nullopt, history);
  }
  // Forwarded so that wrapping keeps a per-resource forecaster resource-aware.
  absl::StatusOr<State> FitFor(Resource r, std::span<const double> history) const requires
      ResourceAwareForecaster<ForecasterT> {
    return FitImpl(r, history);
  }

  void Update(State& state, double y) const {
    if (!std::isfinite(y)) {
      inner_.Update(state.inner, y);
      return;
    }
    state.recent.Push(y);
    inner_.Update(state.inner, Peak(state.recent));
  }

  Forecast Predict(const State& state, int horizon) const {
    return inner_.Predict(state.inner, horizon);
  }
  void PredictMean(const State& state,
                   std::span<double> out) const requires MeanForecaster<ForecasterT> {
    inner_.PredictMean(state.inner, out);
  }
  int WarmHistory() const { return WarmHistoryOf(inner_); }
  void End(State& state) const requires EndAwareForecaster<ForecasterT> { inner_.End(state.inner); }

  // The running peaks of `history`: element i is the largest of the (up to)
  // `width` samples ending at i.
  std::vector<double> Peaks(std::span<const double> history) const {
    std::vector<double> peaks(history.size());
    const std::size_t w = static_cast<std::size_t>(options_.width);
    for (std::size_t i = 0; i < history.size(); ++i) {
      const std::size_t first = i + 1 >= w ? i + 1 - w : 0;
      peaks[i] = *std::max_element(history.begin() + static_cast<std::ptrdiff_t>(first),
                                   history.begin() + static_cast<std::ptrdiff_t>(i + 1));
    }
    return peaks;
  }

 private:
  RunningPeak(ForecasterT inner, RunningPeakOptions options)
      : inner_(std::move(inner)), options_(options) {}

  static double Peak(const RingBuffer<double>& recent) {
    const RingView<double> v = recent.view();
    double peak = v[0];
    for (std::size_t i = 1; i < v.size(); ++i) peak = std::max(peak, v[i]);
    return peak;
  }

  absl::StatusOr<State> FitImpl(std::optional<Resource> r, std::span<const double> history) const {
    if (absl::Status s = internal::CheckFinite(history, "RunningPeak history"); !s.ok()) return s;
    const std::vector<double> peaks = Peaks(history);
    absl::StatusOr<typename ForecasterT::State> inner =
        r.has_value() ? FitForResource(inner_, *r, peaks) : inner_.Fit(peaks);
    if (!inner.ok()) return inner.status();
    State state{*std::move(inner), RingBuffer<double>(static_cast<std::size_t>(options_.width))};
    const std::size_t keep = std::min(history.size(), static_cast<std::size_t>(options_.width));
    for (double y : history.last(keep)) state.recent.Push(y);
    return state;
  }

  ForecasterT inner_;
  RunningPeakOptions options_;
};

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_RUNNING_PEAK_HPP_
