// Twin of forecaster_fail.cpp that satisfies the concept.
#include "foresight/forecast/forecaster.hpp"
struct AForecaster {
  struct State {};
  static std::string_view Name() { return "a"; }
  absl::StatusOr<State> Fit(std::span<const double>) const { return State{}; }
  void Update(State&, double) const {}
  foresight::Forecast Predict(const State&, int) const { return {}; }
};
template <foresight::Forecaster F> void Use(const F&) {}
void Check() { Use(AForecaster{}); }
