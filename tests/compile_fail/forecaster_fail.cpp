// Must not compile: a type without Update/Name is not a Forecaster.
// EXPECT: Forecaster
#include "foresight/forecast/forecaster.hpp"
struct NotAForecaster {
  struct State {};
  absl::StatusOr<State> Fit(std::span<const double>) const { return State{}; }
  foresight::Forecast Predict(const State&, int) const { return {}; }
};
template <foresight::Forecaster F> void Use(const F&) {}
void Check() { Use(NotAForecaster{}); }
