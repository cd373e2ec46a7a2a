// -----------------------------------------------------------------------------
// File: refit.hpp
// -----------------------------------------------------------------------------
//
// `Refitting<ForecasterT>` is a decorator that plays the Forecaster role: it
// keeps the last `window` samples of each series and, every `every` samples,
// fits the wrapped forecaster again on them. Between refits the wrapped state
// is updated online as usual.
//
// Many models estimate their parameters only in Fit: ETS and ARIMA choose and
// optimise a model, Theta fits its drift, the LSTM trains, an ensemble scores
// its members. Fitted once on an empty history and then only updated (which
// is how a controller meets a new VM), they keep their cold start for good.
// `Refitting` makes any of them re-learn on a sliding window at a fixed pace,
// as a periodic retraining job would:
//
//   absl::StatusOr<Refitting<AnyForecaster>> model = Refitting<AnyForecaster>::Create(
//       *registry.Make("ets", {.season = 288}), {.every = 288, .window = 2016});
//   auto state = model->Fit({});                              // cold
//   for (double y : samples) model->Update(*state, y);        // refits daily on a week
//
// A refit that fails (a model that cannot be estimated on the window) keeps
// the online-updated state and is counted (`State::failed_refits`); the next
// refit tries again. A NaN sample is ignored, as the wrapped models ignore
// it: not kept for refits, not counted towards `every`. `Fit(history)` fits
// on the history's last `window` samples. A resource-aware wrapped forecaster
// is refitted for the resource its state was fitted for (`FitFor`), so
// `Refitting<ByResource<...>>` keeps one model per resource.
//
// Cost: `window` doubles per series (allocated at Fit), Update the wrapped
// Update plus, once every `every` samples, one wrapped Fit on `window`
// samples. Predict is the wrapped Predict.
//
// Staggered refits. A controller fits every series at once (a fleet starts
// together), so without `stagger` every series refits on the same sample: a
// fleet of ETS models would spend one tick in a day refitting all of them.
// With `stagger`, the k-th state this decorator (or a copy of it) fits gets
// its first refit after `every - phase(k)` samples instead of `every`, with
// phase(k) = floor(frac(k / golden ratio) * every): any n consecutive states
// are spread over the `every` samples within a few of n / every per sample.
// The phase depends only on the order of the Fit calls, so a replay is
// repeatable; refits after the first keep the pace of `every`.
//
// Fit(x) then Update(y) equals Fit(x ++ y) only when no refit falls inside y
// and the wrapped model is purely online; the Forecaster conformance test runs
// without that check.
//
// | type | name   | description                                        | default |
// |------|--------|----------------------------------------------------|---------|
// | int  | every  | samples between refits (> 0)                       | 24      |
// | int  | window | latest samples kept and refitted on (> 0)          | 672     |
// | bool | stagger| spread first refits of successive Fits over `every`| false   |
#ifndef FORESIGHT_FORECAST_REFIT_HPP_
#define FORESIGHT_FORECAST_REFIT_HPP_

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
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

struct RefitOptions {
  int every = 24;        // samples between refits
  int window = 672;      // latest samples kept and refitted on (four weeks of hours)
  bool stagger = false;  // first refits of successive Fits spread over `every`
};

namespace internal {
// floor(frac(k / golden ratio) * every), in [0, every): the Kronecker
// sequence, whose first n points leave no gap wider than about 2.6 / n.
inline int StaggerPhase(std::uint64_t k, int every) {
  constexpr double kInverseGolden = 0.6180339887498949;
  const double x = static_cast<double>(k) * kInverseGolden;
  const double frac = x - std::floor(x);
  return std::clamp(static_cast<int>(frac * every), 0, every - 1);
}
}  // namespace internal

template <Forecaster ForecasterT>
class Refitting {
 public:
  struct State {
    typename ForecasterT::State inner;
    RingBuffer<double> recent{1};      // the last `window` samples
    int since_refit = 0;               // samples since the last (attempted) fit, plus
                                       // the stagger phase until the first refit
    std::optional<Resource> resource;  // set by FitFor: refits use FitFor too
    std::int64_t refits = 0;           // successful refits after Fit
    std::int64_t failed_refits = 0;    // refits the wrapped Fit refused
  };

  // Fails with InvalidArgumentError naming a non-positive `every` or `window`.
  static absl::StatusOr<Refitting> Create(ForecasterT inner, RefitOptions options = {}) {
    if (options.every <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Refitting: every must be > 0 samples, got ", options.every));
    }
    if (options.window <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Refitting: window must be > 0 samples, got ", options.window));
    }
    return Refitting(std::move(inner), options);
  }

  static std::string_view Name() { return "refit"; }
  const ForecasterT& inner() const { return inner_; }
  const RefitOptions& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    return FitImpl(std::nullopt, history);
  }
  // Forwarded so that wrapping keeps a per-resource forecaster resource-aware.
  absl::StatusOr<State> FitFor(Resource r, std::span<const double> history) const requires
      ResourceAwareForecaster<ForecasterT> {
    return FitImpl(r, history);
  }

  // A non-finite sample is passed on (the wrapped models ignore it) but not
  // kept or counted: it would make every refit on a window holding it fail.
  void Update(State& state, double y) const {
    inner_.Update(state.inner, y);
    if (!std::isfinite(y)) return;
    state.recent.Push(y);
    if (++state.since_refit < options_.every) return;
    state.since_refit = 0;
    std::vector<double> window;
    state.recent.view().CopyTo(window);
    absl::StatusOr<typename ForecasterT::State> refit = InnerFit(state.resource, window);
    if (refit.ok()) {
      state.inner = *std::move(refit);
      ++state.refits;
    } else {
      ++state.failed_refits;
    }
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

 private:
  Refitting(ForecasterT inner, RefitOptions options)
      : inner_(std::move(inner)), options_(options) {}

  absl::StatusOr<typename ForecasterT::State> InnerFit(std::optional<Resource> r,
                                                       std::span<const double> history) const {
    if (r.has_value()) return FitForResource(inner_, *r, history);
    return inner_.Fit(history);
  }

  absl::StatusOr<State> FitImpl(std::optional<Resource> r, std::span<const double> history) const {
    // The wrapped Fit sees only the window; the rest must be checked here.
    if (absl::Status s = internal::CheckFinite(history, "Refitting history"); !s.ok()) return s;
    const std::size_t keep = std::min(history.size(), static_cast<std::size_t>(options_.window));
    const std::span<const double> latest = history.last(keep);
    absl::StatusOr<typename ForecasterT::State> inner = InnerFit(r, latest);
    if (!inner.ok()) return inner.status();
    const int phase =
        options_.stagger ? internal::StaggerPhase(fitted_->fetch_add(1), options_.every) : 0;
    State state{*std::move(inner),
                RingBuffer<double>(static_cast<std::size_t>(options_.window)),
                phase,
                r,
                0,
                0};
    for (double y : latest) state.recent.Push(y);
    return state;
  }

  ForecasterT inner_;
  RefitOptions options_;
  // States fitted so far (for `stagger`), shared by copies: a controller's
  // forecaster is a copy of the one it was given.
  std::shared_ptr<std::atomic<std::uint64_t>> fitted_ =
      std::make_shared<std::atomic<std::uint64_t>>(0);
};

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_REFIT_HPP_
