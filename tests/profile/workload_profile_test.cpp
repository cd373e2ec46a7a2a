// The profiler on the simulator's built-in population (sim/generator.hpp):
// each archetype gets its expected class, the app user's chain is learnt.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

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

void ObserveStep(BehaviorProfiler& p, const Workload& w, std::size_t k) {
  for (std::size_t u = 0; u < w.num_users(); ++u) {
    if (!w.Present(u, k)) continue;
    UserObservation o;
    o.user = w.users[u].id;
    o.usage = w.DemandVector(u, k);
    o.app = w.App(u, k);
    if (o.app >= 0) o.events |= kEventAppLaunch;
    p.Observe(static_cast<Slot>(u), w.time(k), o);
  }
}

Workload Population(int days) {
  GeneratorOptions g;
  g.users = 15;
  g.days = days;
  g.seed = 7;
  absl::StatusOr<Workload> w = GenerateWorkload(g);
  REQUIRE(w.ok());
  return *std::move(w);
}

TEST_CASE("Built-in workload archetypes are classified as what they are") {
  const Workload workload = Population(21);
  const Workload* w = &workload;
  BehaviorProfiler p;
  for (std::size_t k = 0; k < w->num_steps(); ++k) ObserveStep(p, *w, k);
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

TEST_CASE("On the built-in workload the demand prior beats each user's flat mean") {
  const Workload w = Population(21);
  const std::size_t train = 14 * 288, lead = 6;  // two weeks; predict 30 minutes ahead
  BehaviorProfiler p;
  std::vector<double> mean(w.num_users(), 0.0), n(w.num_users(), 0.0);
  for (std::size_t k = 0; k < train; ++k) {
    ObserveStep(p, w, k);
    for (std::size_t u = 0; u < w.num_users(); ++u) {
      if (!w.Present(u, k)) continue;
      n[u] += 1;
      mean[u] += (w.Demand(u, k, Resource::kCpu) - mean[u]) / n[u];
    }
  }
  std::vector<double> err_prior(w.num_users(), 0.0), err_flat(w.num_users(), 0.0);
  for (std::size_t k = train; k + lead < w.num_steps(); ++k) {
    ObserveStep(p, w, k);
    for (std::size_t u = 0; u < w.num_users(); ++u) {
      if (!w.Present(u, k + lead)) continue;
      const double actual = w.Demand(u, k + lead, Resource::kCpu);
      err_prior[u] +=
          std::abs(p.ExpectedDemand(static_cast<Slot>(u), w.time(k + lead)).cpu() - actual);
      err_flat[u] += std::abs(mean[u] - actual);
    }
  }
  double total_prior = 0.0, total_flat = 0.0;
  for (std::size_t u = 0; u < w.num_users(); ++u) {
    INFO(w.users[u].archetype, ": MAE prior ", err_prior[u], " flat ", err_flat[u]);
    CHECK(err_prior[u] < err_flat[u]);
    total_prior += err_prior[u];
    total_flat += err_flat[u];
  }
  INFO("total MAE prior ", total_prior, " flat ", total_flat);
  CHECK(total_prior < 0.6 * total_flat);
}

}  // namespace
}  // namespace foresight
