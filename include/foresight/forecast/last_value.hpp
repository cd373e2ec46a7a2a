// -----------------------------------------------------------------------------
// File: last_value.hpp
// -----------------------------------------------------------------------------
//
// `LastValue` (naive) forecasts every step as the latest sample, with quantiles
// from its own recent errors. The simplest honest baseline.
#ifndef FORESIGHT_FORECAST_LAST_VALUE_HPP_
#define FORESIGHT_FORECAST_LAST_VALUE_HPP_

#include <span>
#include <string_view>

#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"

namespace foresight {
namespace internal {

struct LastValueModel {
  struct State {
    double last = 0.0;
  };
  static std::string_view Name() { return "naive"; }
  State Start() const { return {}; }
  void Step(State& s, double y) const { s.last = y; }
  void Point(const State& s, std::span<double> out) const {
    for (double& v : out) v = s.last;
  }
  double Level(const State& s) const { return s.last; }
};

}  // namespace internal

using LastValue = internal::PointForecaster<internal::LastValueModel>;
static_assert(Forecaster<LastValue>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_LAST_VALUE_HPP_
