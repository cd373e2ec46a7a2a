// Checks shared by the forecaster decorators' tests (Headroom, PeakHeadroom).
#ifndef FORESIGHT_TESTS_FORECAST_DECORATOR_CHECKS_HPP_
#define FORESIGHT_TESTS_FORECAST_DECORATOR_CHECKS_HPP_

#include <doctest/doctest.h>

#include <type_traits>
#include <vector>

#include "foresight/forecast/by_resource.hpp"
#include "foresight/forecast/envelope.hpp"
#include "foresight/forecast/last_value.hpp"

namespace foresight::testing {

// A decorator over a per-resource forecaster must forward FitFor: wrapping
// ByResource<LastValue, PeakEnvelope> with `wrap` still gives CPU the last
// value and memory the recent peak. `wrap(split)` returns StatusOr<Decorator>.
template <typename Wrap>
void CheckForwardsFitFor(Wrap wrap) {
  using Split = ByResource<LastValue, PeakEnvelope>;
  auto split = Split::Create(LastValue{}, PeakEnvelope({.recent = 3, .season = 0}));
  REQUIRE(split.ok());
  auto h = wrap(*split);
  REQUIRE(h.ok());
  static_assert(ResourceAwareForecaster<typename std::decay_t<decltype(h)>::value_type>);
  const std::vector<double> history = {5.0, 9.0, 4.0};
  auto cpu = h->FitFor(Resource::kCpu, history);
  auto memory = h->FitFor(Resource::kMemory, history);
  REQUIRE(cpu.ok());
  REQUIRE(memory.ok());
  CHECK(h->Predict(*cpu, 1).mean(1) == doctest::Approx(4.0));     // last value
  CHECK(h->Predict(*memory, 1).mean(1) == doctest::Approx(9.0));  // peak of the last 3
}

}  // namespace foresight::testing

#endif  // FORESIGHT_TESTS_FORECAST_DECORATOR_CHECKS_HPP_
