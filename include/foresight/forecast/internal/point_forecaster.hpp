// -----------------------------------------------------------------------------
// File: internal/point_forecaster.hpp
// -----------------------------------------------------------------------------
//
// `PointForecaster<ModelT>` lifts a point model into a full `Forecaster`: it
// validates input, replays history through the model online, and wraps its
// point forecasts with `ErrorQuantiles` (empirical error quantiles per step).
//
// A point model provides:
//   typename ModelT::State;                                     // copyable
//   static std::string_view Name();
//   State Start() const;                                        // cold state
//   void Step(State&, double y) const;                          // learn one sample
//   void Point(const State&, std::span<double> out) const;      // steps 1..out.size()
//   double Level(const State&) const;                           // typical magnitude
// Optional:
//   void Warm(State&, std::span<const double> history) const;   // batch initialisation;
//       called by Fit before the online replay with the whole history; it may
//       set parameters from the prefix but must not consume it (the replay does).
#ifndef FORESIGHT_FORECAST_INTERNAL_POINT_FORECASTER_HPP_
#define FORESIGHT_FORECAST_INTERNAL_POINT_FORECASTER_HPP_

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/forecast/forecast.hpp"
#include "foresight/forecast/internal/error_quantiles.hpp"

namespace foresight::internal {

// Returns InvalidArgumentError naming the first non-finite value, else OK.
inline absl::Status CheckFinite(std::span<const double> values, std::string_view what) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(what), ": value ", i, " is not finite (", values[i], ")"));
    }
  }
  return absl::OkStatus();
}

template <typename ModelT>
class PointForecaster {
 public:
  struct State {
    typename ModelT::State model;
    ErrorQuantiles::State errors;
  };

  PointForecaster() = default;
  explicit PointForecaster(ModelT model, ErrorQuantiles::Options error_options = {},
                           std::span<const double> levels = kDefaultQuantileLevels)
      : model_(std::move(model)), errors_(error_options, levels) {}

  static std::string_view Name() { return ModelT::Name(); }
  const ModelT& model() const { return model_; }
  const ErrorQuantiles& error_model() const { return errors_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    if (absl::Status s = CheckFinite(history, ModelT::Name()); !s.ok()) return s;
    State state{model_.Start(), errors_.MakeState()};
    if constexpr (requires { model_.Warm(state.model, history); }) {
      model_.Warm(state.model, history);
    }
    for (double y : history) Update(state, y);
    return state;
  }

  // Learns one sample. A non-finite `y` is skipped (treated as missing).
  void Update(State& state, double y) const {
    if (!std::isfinite(y)) return;
    errors_.Observe(state.errors, y);
    model_.Step(state.model, y);
    // Every tracked step is recorded: on the stack up to 64 steps, in a
    // per-thread buffer past that.
    const std::size_t n = static_cast<std::size_t>(errors_.options().horizon);
    double stack[64];
    std::span<double> point(stack, std::min<std::size_t>(n, 64));
    if (n > 64) {
      thread_local std::vector<double> heap;
      heap.resize(n);
      point = std::span<double>(heap.data(), n);
    }
    model_.Point(state.model, point);
    errors_.Record(state.errors, point);
  }

  Forecast Predict(const State& state, int horizon) const {
    Forecast f(std::max(horizon, 0), errors_.levels());
    if (horizon <= 0) return f;
    model_.Point(state.model, f.means());
    errors_.Fill(state.errors, f, model_.Level(state.model));
    return f;
  }

  // `Predict(state, out.size())`'s means, without its error quantiles: the
  // model's point forecasts, floored at zero as `Forecast::Normalize` floors
  // them (`MeanForecaster`).
  void PredictMean(const State& state, std::span<double> out) const {
    if (out.empty()) return;
    model_.Point(state.model, out);
    for (double& v : out) v = std::max(v, 0.0);
  }

 private:
  ModelT model_;
  ErrorQuantiles errors_;
};

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_POINT_FORECASTER_HPP_
