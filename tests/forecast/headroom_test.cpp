#include "foresight/forecast/headroom.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "foresight/forecast/by_resource.hpp"
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/envelope.hpp"
#include "foresight/forecast/last_value.hpp"
#include "decorator_checks.hpp"

namespace foresight {
namespace {

TEST_CASE("Headroom floors the upper quantiles at (1 + fraction) x the mean, not the lower") {
  const Conformal<LastValue> inner(LastValue{}, {.horizon = 2, .window = 50, .min_residuals = 5},
                                   kTailQuantileLevels);
  absl::StatusOr<Headroom<Conformal<LastValue>>> h =
      Headroom<Conformal<LastValue>>::Create(inner, {.fraction = 0.25});
  REQUIRE(h.ok());
  std::vector<double> flat(40, 100.0);
  flat[20] = 103.0;  // one small miss: the calibrated margin alone is ~3
  auto s = h->Fit(flat);
  auto raw = inner.Fit(flat);
  REQUIRE(s.ok());
  REQUIRE(raw.ok());
  const Forecast f = h->Predict(*s, 2);
  const Forecast g = inner.Predict(*raw, 2);
  for (int step = 1; step <= 2; ++step) {
    CHECK(f.mean(step) == g.mean(step));
    CHECK(g.Quantile(step, 0.9999) < 110.0);
    CHECK(f.Quantile(step, 0.9999) == doctest::Approx(125.0));
    CHECK(f.Quantile(step, 0.5) == doctest::Approx(125.0));
    CHECK(f.Quantile(step, 0.05) == g.Quantile(step, 0.05));  // lower levels untouched
    for (std::size_t k = 1; k < f.num_levels(); ++k) {
      CHECK(f.quantile(step, k) >= f.quantile(step, k - 1));
    }
  }
}

TEST_CASE("Headroom keeps a calibrated margin that is already wider than the floor") {
  const Conformal<PeakEnvelope> inner(PeakEnvelope({.recent = 1, .season = 0}),
                                      {.horizon = 1, .window = 100, .min_residuals = 5},
                                      kTailQuantileLevels);
  auto h = Headroom<Conformal<PeakEnvelope>>::Create(inner, {.fraction = 0.1});
  REQUIRE(h.ok());
  std::vector<double> spiky;
  for (int i = 0; i < 80; ++i) spiky.push_back(i % 10 == 0 ? 200.0 : 100.0);  // +100 % spikes
  auto s = h->Fit(spiky);
  REQUIRE(s.ok());
  const Forecast f = h->Predict(*s, 1);
  CHECK(f.Quantile(1, 0.9999) >= 195.0);  // the spikes' margin, not 110
}

TEST_CASE("Headroom rejects a negative or non-finite fraction and gives no floor below zero") {
  CHECK(Headroom<LastValue>::Create(LastValue{}, {.fraction = -0.1}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(Headroom<LastValue>::Create(LastValue{}, {.fraction = NAN}).ok());
  CHECK_FALSE(Headroom<LastValue>::Create(LastValue{}, {.fraction = INFINITY}).ok());
  auto h = Headroom<LastValue>::Create(LastValue{}, {.fraction = 0.5});
  REQUIRE(h.ok());
  auto s = h->Fit(std::vector<double>{-4.0, -4.0, -4.0});
  REQUIRE(s.ok());
  const Forecast f = h->Predict(*s, 1);
  CHECK(f.Quantile(1, 0.9) <= 0.0);  // -4 x 1.5 would be lower: no floor applied
  CHECK_FALSE(h->Fit(std::vector<double>{1.0, NAN}).ok());
}

TEST_CASE("Headroom keeps a per-resource forecaster resource-aware") {
  static_assert(!ResourceAwareForecaster<Headroom<LastValue>>);
  testing::CheckForwardsFitFor([](const ByResource<LastValue, PeakEnvelope>& split) {
    return Headroom<ByResource<LastValue, PeakEnvelope>>::Create(split, {.fraction = 0.0});
  });
}

}  // namespace
}  // namespace foresight
