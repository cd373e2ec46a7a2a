// simulate's workload -> long CSV -> LoadTrace -> replay gives the same metrics.
#include <doctest/doctest.h>

#include <cstdio>

#include "foresight/sim/compare.hpp"
#include "foresight/sim/generator.hpp"
#include "foresight/sim/policy_registry.hpp"
#include "foresight/trace/layout.hpp"
#include "foresight/trace/loader.hpp"
#include "foresight/trace/long_csv.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

std::vector<PolicyMetrics> Metrics(const Workload& w, absl::Duration warmup) {
  absl::StatusOr<std::vector<const PolicyInfo*>> policies =
      PolicyRegistry::Global().Resolve("vpa,hpa,proactive,oracle");
  REQUIRE(policies.ok());
  ReplayOptions options;
  options.warmup = warmup;
  absl::StatusOr<std::vector<PolicyRun>> runs = RunPolicies(w, *policies, options, 1, {});
  REQUIRE_MESSAGE(runs.ok(), runs.status().ToString());
  std::vector<PolicyMetrics> out;
  for (const PolicyRun& r : *runs) out.push_back(r.metrics);
  return out;
}

TEST_CASE(
    "round trip: generated workload -> long CSV -> evaluate's loader gives identical metrics") {
  GeneratorOptions g;
  g.users = 10;
  g.days = 3;
  g.seed = 11;
  absl::StatusOr<Workload> generated = GenerateWorkload(g);
  REQUIRE(generated.ok());
  // evaluate replays a trace in right-sizing mode; the long CSV carries no
  // priorities or app launches, so the reference drops them too.
  Workload original = *generated;
  for (WorkloadUser& u : original.users) u.priority = 1.0;
  original.app = {};
  REQUIRE(RightSizingLayout(original).ok());

  const std::string path = testing::TempPath("round_trip.csv");
  REQUIRE(WriteLongCsv(original, path).ok());
  LoadOptions load;
  load.resample.step = original.step;
  absl::StatusOr<LoadedTrace> loaded = LoadTrace(path, TraceFormat::kLong, load);
  std::remove(path.c_str());
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
  REQUIRE(loaded->workload.num_users() == original.num_users());
  REQUIRE(loaded->workload.num_steps() == original.num_steps());

  const std::vector<PolicyMetrics> a = Metrics(original, absl::Hours(24));
  const std::vector<PolicyMetrics> b = Metrics(loaded->workload, absl::Hours(24));
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].name);
    CHECK(a[i].name == b[i].name);
    CHECK(a[i].entity_steps == b[i].entity_steps);
    CHECK(a[i].entity_days == b[i].entity_days);
    CHECK(a[i].underprovisioned_fraction == b[i].underprovisioned_fraction);
    CHECK(a[i].underprovisioned_resource_seconds == b[i].underprovisioned_resource_seconds);
    CHECK(a[i].relative_slack == b[i].relative_slack);
    CHECK(a[i].relative_slack_cpu == b[i].relative_slack_cpu);
    CHECK(a[i].oom_events == b[i].oom_events);
    CHECK(a[i].oom_free_entity_days == b[i].oom_free_entity_days);
    CHECK(a[i].throttled_cpu_seconds == b[i].throttled_cpu_seconds);
    CHECK(a[i].changes_per_entity_day_p99 == b[i].changes_per_entity_day_p99);
    CHECK(a[i].allocated_resource_seconds == b[i].allocated_resource_seconds);
    CHECK(a[i].capacity_violations == b[i].capacity_violations);
    CHECK(a[i].cost == b[i].cost);
  }
  // Warm-up is excluded from the scores: a longer warm-up scores fewer entity-steps.
  const std::vector<PolicyMetrics> later = Metrics(loaded->workload, absl::Hours(48));
  CHECK(later[0].entity_steps < b[0].entity_steps);
}

TEST_CASE("contention layout packs users within host capacity") {
  GeneratorOptions g;
  g.users = 12;
  g.days = 1;
  absl::StatusOr<Workload> w = GenerateWorkload(g);
  REQUIRE(w.ok());
  const std::vector<ResourceVector> peak = PeakDemand(*w);
  ResourceVector total;
  for (const ResourceVector& p : peak) total += p;
  const ResourceVector cap = total / 3.0;  // 4 hosts at 3/4 of the summed peaks
  REQUIRE(ContentionLayout(*w, 4, cap).ok());
  CHECK(w->host_capacity.size() == 4);
  std::vector<ResourceVector> initial(4);
  for (const WorkloadUser& u : w->users) {
    REQUIRE(u.host < 4);
    initial[u.host] += u.initial_allocation;
  }
  for (const ResourceVector& i : initial) CHECK(AllLessEqual(i, cap, 1e-6));
  CHECK(ValidateWorkload(*w).ok());
  absl::StatusOr<std::vector<const PolicyInfo*>> policies =
      PolicyRegistry::Global().Resolve("vpa,oracle");
  REQUIRE(policies.ok());
  absl::StatusOr<std::vector<PolicyRun>> runs = RunPolicies(*w, *policies, ReplayOptions{}, 1, {});
  REQUIRE_MESSAGE(runs.ok(), runs.status().ToString());
  for (const PolicyRun& r : *runs) CHECK(r.metrics.capacity_violations == 0);
  CHECK_FALSE(ContentionLayout(*w, 0, cap).ok());
}

TEST_CASE("contention layout lets users that never live together share a host") {
  // Four users of peak 6 on two hosts of 10: users 0 and 1 live in the first
  // half of the trace, 2 and 3 in the second. Packed without time they would
  // not fit (24 on 20); in time, one early and one late user per host fit.
  Workload w;
  w.step = absl::Minutes(5);
  w.demand = DemandTable(4, 20);
  for (std::size_t u = 0; u < 4; ++u) {
    WorkloadUser user;
    user.id = UserId{u + 1};
    user.name = absl::StrCat("vm", u);
    user.initial_allocation = ResourceVector::Filled(8);
    w.users.push_back(user);
    for (std::size_t t = u < 2 ? 0 : 10; t < (u < 2 ? 10u : 20u); ++t) {
      for (std::size_t r = 0; r < kNumResources; ++r) w.demand.Set(u, t, r, 6.0);
    }
  }
  const ResourceVector cap = ResourceVector::Filled(10);
  REQUIRE(ContentionLayout(w, 2, cap).ok());
  CHECK(w.users[0].host != w.users[1].host);
  CHECK(w.users[2].host != w.users[3].host);
  // Starting limits of 8 need no scaling: one user per host at a time.
  for (const WorkloadUser& u : w.users) CHECK(u.initial_allocation == ResourceVector::Filled(8));
  absl::StatusOr<std::vector<const PolicyInfo*>> policies =
      PolicyRegistry::Global().Resolve("vpa,oracle");
  REQUIRE(policies.ok());
  absl::StatusOr<std::vector<PolicyRun>> runs = RunPolicies(w, *policies, ReplayOptions{}, 1, {});
  REQUIRE_MESSAGE(runs.ok(), runs.status().ToString());
  for (const PolicyRun& r : *runs) {
    CHECK(r.metrics.capacity_violations == 0);
    CHECK(r.metrics.oom_events == 0);  // each user has its host's room when alive
  }
  // Alive together, the same four do not fit: the layout spills and scales.
  for (std::size_t u = 0; u < 4; ++u) {
    for (std::size_t t = 0; t < 20; ++t) {
      for (std::size_t r = 0; r < kNumResources; ++r) w.demand.Set(u, t, r, 6.0);
    }
  }
  REQUIRE(ContentionLayout(w, 2, cap).ok());
  for (const WorkloadUser& u : w.users) CHECK(u.initial_allocation.cpu() < 8);
}

}  // namespace
}  // namespace foresight
