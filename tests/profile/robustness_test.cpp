// Random and hostile input: BehaviorProfiler never crashes, never corrupts a
// summary, and its demand prior stays finite and non-negative.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "foresight/profile/behavior_profiler.hpp"
#include "synthetic.hpp"

namespace foresight {
namespace {

TEST_CASE("Random observations, events, apps, intents and bad values") {
  BehaviorProfiler p;
  REQUIRE(p.AddWorkflow(WorkflowTemplate{"w",
                                         {{"a", MakeResources(1, 1e9, 0, 0), absl::Minutes(10)},
                                          {"b", MakeResources(4, 0, 1e6, 0), absl::Minutes(20)}}})
              .ok());
  REQUIRE(p.RegisterIntent(1, "x", MakeResources(2, 1, 1, 1), absl::Minutes(15)).ok());
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> user(0, 49), app(-1, 99), intent(-1, 4), jitter(-3, 20);
  std::vector<absl::Time> clock(50, testing::Monday());
  const double bad[] = {std::nan(""), -1.0, std::numeric_limits<double>::infinity()};
  for (int i = 0; i < 20000; ++i) {
    const int u = user(rng);
    clock[u] += absl::Minutes(jitter(rng));  // sometimes backwards or repeated
    UserObservation o;
    o.usage = MakeResources(8 * unit(rng) * unit(rng), 1e10 * unit(rng), 1e8 * unit(rng),
                            1e7 * unit(rng));
    if (unit(rng) < 0.02) o.usage.values[i % 4] = bad[i % 3];
    o.events = static_cast<std::uint32_t>(rng()) & 0x1ff;
    o.app = app(rng);
    o.intent = intent(rng);
    p.Observe(static_cast<Slot>(u), clock[u], o);
    if (i % 7 == 0) (void)p.AssignWorkflow(static_cast<Slot>(u), i % 3, clock[u]);
  }
  CHECK(p.skipped() > 0);
  for (Slot s = 0; s < 50; ++s) {
    const absl::Time now = clock[s];
    const ProfileSummary sum = p.Summary(s, now);
    CHECK(sum.confidence >= 0.0);
    CHECK(sum.confidence <= 1.0);
    CHECK(IsValidAmount(sum.seasonal_mean));
    CHECK(AllLessEqual(sum.seasonal_mean, sum.seasonal_peak, 1e-6));
    CHECK(sum.next_app_probability >= 0.0);
    CHECK(sum.next_app_probability <= 1.0 + 1e-9);
    CHECK(std::isfinite(sum.expected_session_minutes));
    CHECK(sum.expected_session_minutes >= 0.0);
    for (int m : {0, 5, 30, 240, 10000}) {
      const ResourceVector d = p.ExpectedDemand(s, now + absl::Minutes(m));
      CHECK(IsValidAmount(d));
      CHECK(AllLessEqual(d, p.ExpectedPeak(s, now + absl::Minutes(m)), 1e-6));
    }
    // Past times and times far away are answered too.
    CHECK(IsValidAmount(p.ExpectedDemand(s, now - absl::Hours(100))));
    CHECK(IsValidAmount(p.ExpectedDemand(s, absl::InfiniteFuture())));
  }
}

}  // namespace
}  // namespace foresight
