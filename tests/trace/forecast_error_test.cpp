// One-step forecast errors for the report's CDF.
#include "foresight/trace/forecast_error.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "foresight/forecast/last_value.hpp"

namespace foresight {
namespace {

TEST_CASE("OneStepRelativeErrors: last value, gaps skipped, relative to mean demand") {
  Workload w;
  w.start = absl::UnixEpoch();
  w.step = absl::Minutes(5);
  w.demand = DemandTable(1, 4);
  w.demand.Fill(1.0);
  const double cpu[] = {1.0, 2.0, std::nan(""), 4.0};
  for (std::size_t t = 0; t < 4; ++t) w.demand.Set(0, t, 0, cpu[t]);
  const std::vector<double> e =
      OneStepRelativeErrors(w, 0, Resource::kCpu, LastValue{}, absl::InfinitePast());
  REQUIRE(e.size() == 2);
  CHECK(e[0] == doctest::Approx(1.0 / 3));  // |2 - 1| / mean(2, 4)
  CHECK(e[1] == doctest::Approx(2.0 / 3));  // |4 - 2| / 3: the gap is not a zero
  // Only steps at or after `from` are scored.
  const std::vector<double> late =
      OneStepRelativeErrors(w, 0, Resource::kCpu, LastValue{}, w.time(3));
  REQUIRE(late.size() == 1);
  CHECK(late[0] == doctest::Approx(0.5));
  // Zero demand has no relative error.
  for (std::size_t t = 0; t < 4; ++t) w.demand.Set(0, t, 1, 0.0);
  CHECK(OneStepRelativeErrors(w, 0, Resource::kMemory, LastValue{}, absl::InfinitePast()).empty());
}

}  // namespace
}  // namespace foresight
