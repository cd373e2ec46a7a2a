// The profiler on the simulator's built-in population (sim/generator.hpp):
// each archetype gets its expected class, the app user's chain is learnt.
#include <doctest/doctest.h>

#include <cmath>

#include "foresight/profile/behavior_profiler.hpp"
#include "foresight/sim/generator.hpp"

namespace foresight {
namespace {

BehaviorClass Expected(const std::string& archetype) {
  if (archetype == "office" || archetype == "apps") return BehaviorClass::kInteractive;
  if (archetype == "batch") return BehaviorClass::kBatch;
  if (archetype == "analysis") return BehaviorClass::kAnalysis;
  if (archetype == "service") return BehaviorClass::kService;
  return BehaviorClass::kUnknown;
}

TEST_CASE("Built-in workload archetypes are classified as what they are") {
  GeneratorOptions g;
  g.users = 15;
  g.days = 21;
  g.seed = 7;
  const absl::StatusOr<Workload> w = GenerateWorkload(g);
  REQUIRE(w.ok());
  BehaviorProfiler p;
  for (std::size_t k = 0; k < w->num_steps(); ++k) {
    for (std::size_t u = 0; u < w->num_users(); ++u) {
      if (!w->Present(u, k)) continue;
      UserObservation o;
      o.user = w->users[u].id;
      o.usage = w->DemandVector(u, k);
      o.app = w->App(u, k);
      if (o.app >= 0) o.events |= kEventAppLaunch;
      p.Observe(static_cast<Slot>(u), w->time(k), o);
    }
  }
  int correct = 0;
  for (std::size_t u = 0; u < w->num_users(); ++u) {
    const BehaviorClassification c = p.Classify(static_cast<Slot>(u));
    INFO(w->users[u].archetype, ": ", c.reason);
    CHECK(c.behavior == Expected(w->users[u].archetype));
    correct += c.behavior == Expected(w->users[u].archetype);
    if (w->users[u].archetype == "apps") {
      const ProfileSummary s = p.Summary(static_cast<Slot>(u), w->time(w->num_steps() - 1));
      CHECK(s.last_app >= 0);
      CHECK(s.likely_next_app >= 0);
      CHECK(s.next_app_probability > 0.3);
    }
  }
  CHECK(correct == static_cast<int>(w->num_users()));
}

}  // namespace
}  // namespace foresight
