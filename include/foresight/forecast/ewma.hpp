// -----------------------------------------------------------------------------
// File: ewma.hpp
// -----------------------------------------------------------------------------
//
// `Ewma` ("ewma") forecasts every step as an exponentially weighted moving
// average of the samples, level += alpha (y - level), with a fixed `alpha`
// and quantiles from its own recent errors. Unlike `Ses` it fits nothing: it
// is the online tracker for series whose step-to-step noise is large against
// their drift (a VM's CPU, IO and network rates). On such a series the last
// value (`LastValue`, alpha = 1) carries the whole of the latest sample's
// noise into the next forecast, so its errors, and the margin a quantile
// forecast must add, are larger by up to sqrt(2) and its point moves every
// step; a smoothed level moves less and misses by less. The price is lag:
// a level shift is followed within about 1 / alpha samples.
//
//   Ewma ewma(/*alpha=*/0.5);
//   auto state = ewma.Fit(history);
//   Forecast f = ewma.Predict(*state, 12);
//
// | type   | name  | description                           | default |
// |--------|-------|---------------------------------------|---------|
// | double | alpha | weight of the newest sample, (0, 1]   | 0.5     |
//
// Cold start: the first sample is the level (an empty history forecasts 0).
// `Ewma::Create` rejects an alpha outside (0, 1].
//
// `AdaptiveEwma` ("ewma_auto") chooses the alpha per series, online: it runs
// one level per candidate alpha (1, 0.5, 0.3 and 0.15 by default), keeps each
// one's exponentially weighted mean absolute one-step error (weight
// `error_decay` for the newest, about 1 / error_decay samples of memory), and
// forecasts with the level whose error is smallest now. A series whose level
// persists from step to step (an app that is either running or not) keeps
// alpha 1, the last value; one whose samples scatter around a drifting level
// (a VM's disk and network rates) moves to a smaller alpha. Before any error
// is scored it is the last value. Measured in `track+smooth+damped`: the
// fixed alpha 0.5 beat the last value on the VM trace's IO and network but
// lost to it on the built-in workload's app-launch bursts; the adaptive one
// is at least as good as the better of the two on each (docs/forecast/ewma.md).
//
// | type                | name        | description                    | default              |
// |---------------------|-------------|--------------------------------|----------------------|
// | std::vector<double> | alphas      | candidates, 1 to 8, in (0, 1]  | {1, 0.5, 0.3, 0.15}  |
// | double              | error_decay | weight of the newest error     | 0.02                 |
#ifndef FORESIGHT_FORECAST_EWMA_HPP_
#define FORESIGHT_FORECAST_EWMA_HPP_

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"

namespace foresight {
namespace internal {

struct EwmaModel {
  double alpha = 0.5;

  struct State {
    double level = 0.0;
    bool started = false;
  };
  static std::string_view Name() { return "ewma"; }
  State Start() const { return {}; }
  void Step(State& s, double y) const {
    if (!s.started) {
      s.level = y;
      s.started = true;
    } else {
      s.level += alpha * (y - s.level);
    }
  }
  void Point(const State& s, std::span<double> out) const {
    for (double& v : out) v = s.level;
  }
  double Level(const State& s) const { return s.level; }
};

}  // namespace internal

class Ewma : public internal::PointForecaster<internal::EwmaModel> {
 public:
  static constexpr double kDefaultAlpha = 0.5;

  // An alpha outside (0, 1] is clamped into it; use `Create` to reject it.
  explicit Ewma(double alpha = kDefaultAlpha, internal::ErrorQuantiles::Options errors = {},
                std::span<const double> levels = kDefaultQuantileLevels)
      : PointForecaster(internal::EwmaModel{Clamp(alpha)}, errors, levels) {}

  static absl::StatusOr<Ewma> Create(double alpha, internal::ErrorQuantiles::Options errors = {},
                                     std::span<const double> levels = kDefaultQuantileLevels) {
    if (!(alpha > 0.0 && alpha <= 1.0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("ewma: alpha must be in (0, 1], got ", alpha));
    }
    return Ewma(alpha, errors, levels);
  }
  double alpha() const { return model().alpha; }

 private:
  static double Clamp(double a) {
    if (!std::isfinite(a) || a <= 0.0) return 1e-3;
    return a > 1.0 ? 1.0 : a;
  }
};
static_assert(Forecaster<Ewma>);

struct AdaptiveEwmaOptions {
  std::vector<double> alphas = {1.0, 0.5, 0.3, 0.15};
  double error_decay = 0.02;
};

namespace internal {

struct AdaptiveEwmaModel {
  static constexpr std::size_t kMaxAlphas = 8;
  std::array<double, kMaxAlphas> alphas{};
  std::size_t count = 0;
  double error_decay = 0.02;

  struct State {
    std::array<double, kMaxAlphas> level{};
    std::array<double, kMaxAlphas> error{};  // weighted mean |one-step error|
    std::size_t best = 0;
    bool started = false;
  };
  static std::string_view Name() { return "ewma_auto"; }
  State Start() const { return {}; }
  void Step(State& s, double y) const {
    if (!s.started) {
      s.level.fill(y);
      s.started = true;
      return;
    }
    std::size_t best = 0;
    for (std::size_t k = 0; k < count; ++k) {
      s.error[k] += error_decay * (std::abs(y - s.level[k]) - s.error[k]);
      s.level[k] += alphas[k] * (y - s.level[k]);
      if (s.error[k] < s.error[best]) best = k;
    }
    s.best = best;
  }
  void Point(const State& s, std::span<double> out) const {
    for (double& v : out) v = s.level[s.best];
  }
  double Level(const State& s) const { return s.level[s.best]; }
};

}  // namespace internal

class AdaptiveEwma : public internal::PointForecaster<internal::AdaptiveEwmaModel> {
 public:
  AdaptiveEwma() : AdaptiveEwma(Model(AdaptiveEwmaOptions{})) {}

  // Fails with InvalidArgument for no candidates or more than 8, an alpha
  // outside (0, 1], or an error_decay outside (0, 1].
  static absl::StatusOr<AdaptiveEwma> Create(
      const AdaptiveEwmaOptions& options, internal::ErrorQuantiles::Options errors = {},
      std::span<const double> levels = kDefaultQuantileLevels) {
    if (options.alphas.empty() || options.alphas.size() > internal::AdaptiveEwmaModel::kMaxAlphas) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ewma_auto: between 1 and ", internal::AdaptiveEwmaModel::kMaxAlphas,
          " candidate alphas, got ", options.alphas.size()));
    }
    for (double a : options.alphas) {
      if (!(a > 0.0 && a <= 1.0)) {
        return absl::InvalidArgumentError(
            absl::StrCat("ewma_auto: every alpha must be in (0, 1], got ", a));
      }
    }
    if (!(options.error_decay > 0.0 && options.error_decay <= 1.0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ewma_auto: error_decay must be in (0, 1], got ", options.error_decay));
    }
    return AdaptiveEwma(Model(options), errors, levels);
  }

  // The alpha of the level `state` forecasts with now.
  double alpha(const State& state) const { return model().alphas[state.model.best]; }

 private:
  explicit AdaptiveEwma(internal::AdaptiveEwmaModel model,
                        internal::ErrorQuantiles::Options errors = {},
                        std::span<const double> levels = kDefaultQuantileLevels)
      : PointForecaster(model, errors, levels) {}
  static internal::AdaptiveEwmaModel Model(const AdaptiveEwmaOptions& o) {
    internal::AdaptiveEwmaModel m;
    m.count = std::min(o.alphas.size(), internal::AdaptiveEwmaModel::kMaxAlphas);
    for (std::size_t k = 0; k < m.count; ++k) m.alphas[k] = o.alphas[k];
    m.error_decay = o.error_decay;
    return m;
  }
};
static_assert(Forecaster<AdaptiveEwma>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_EWMA_HPP_
