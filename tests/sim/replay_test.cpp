// The foundation's "must show": on small seeded workloads the proactive policy
// beats VpaStyle on under-provisioned fraction at no more allocated
// resource-seconds, the oracle is best, and no policy ever exceeds capacity,
// also with fault injection on.
#include "foresight/sim/replay.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "foresight/allocate/oracle.hpp"
#include "foresight/allocate/quantile_target.hpp"
#include "foresight/allocate/vpa_style.hpp"
#include "foresight/sim/compare.hpp"
#include "foresight/sim/generator.hpp"
#include "foresight/sim/policy_registry.hpp"
#include "nlohmann/json.hpp"

namespace foresight {

// Every registered policy, and members of every family: a method that learns
// online, one that estimates only in Fit (refitted), one with knobs of its own
// and the family's knobs, one damped.
constexpr const char* kAllAndFamilies =
    "all,proactive(holt_winters),proactive(ets),"
    "proactive(theta[nonnegative=0])[cpu_level=0.8,refit_hours=6],"
    "proactive(holt_winters)[memory_peak_hours=1],proactive(theta)[memory_fleet=1],"
    "proactive(theta)[memory_fleet=1,damping=1]";

TEST_CASE("proactive beats VPA and the oracle is best on seeded workloads") {
  for (std::uint64_t seed : {1, 2, 3}) {
    CAPTURE(seed);
    auto w = GenerateWorkload({.users = 15, .days = 7, .seed = seed});
    REQUIRE(w.ok());
    auto vpa = Replay(*w, VpaStyle{});
    auto pro = Replay(*w, QuantileTarget{});
    auto oracle = Replay(*w, Oracle(*w));
    REQUIRE(vpa.ok());
    REQUIRE(pro.ok());
    REQUIRE(oracle.ok());
    const PolicyMetrics &v = vpa->metrics, &p = pro->metrics, &o = oracle->metrics;
    CHECK(p.underprovisioned_fraction < v.underprovisioned_fraction);
    for (Resource r : kAllResources) {
      CAPTURE(ResourceName(r));
      CHECK(p.allocated_resource_seconds[r] <= v.allocated_resource_seconds[r]);
    }
    CHECK(o.underprovisioned_fraction < p.underprovisioned_fraction);
    CHECK(o.cost < p.cost);
    CHECK(v.capacity_violations == 0);
    CHECK(p.capacity_violations == 0);
    CHECK(o.capacity_violations == 0);
  }
}

TEST_CASE("decisions continue across gaps: the oracle stays ahead of demand on a gappy trace") {
  auto w = GenerateWorkload({.users = 6, .days = 2, .seed = 4});
  REQUIRE(w.ok());
  for (std::size_t u = 0; u < w->num_users(); ++u) {
    for (std::size_t t = 3; t < w->num_steps(); t += 7) {
      for (std::size_t r = 0; r < kNumResources; ++r) w->demand.Set(u, t, r, std::nan(""));
    }
  }
  auto oracle = Replay(*w, Oracle(*w));
  REQUIRE(oracle.ok());
  CHECK(oracle->metrics.oom_events == 0);
  CHECK(oracle->metrics.underprovisioned_fraction < 0.001);
  auto pro = Replay(*w, QuantileTarget{});
  REQUIRE(pro.ok());
  CHECK(pro->metrics.capacity_violations == 0);
}

TEST_CASE(
    "every registered policy (and family member) keeps capacity under contention and injected "
    "faults") {
  auto w = GenerateWorkload(
      {.users = 16, .days = 3, .seed = 5, .users_per_host = 16, .capacity_factor = 0.6});
  REQUIRE(w.ok());
  ReplayOptions o;
  o.pool.failure_rate = 0.2;
  o.pool.delay_rate = 0.2;
  auto policies = PolicyRegistry::Global().Resolve(kAllAndFamilies);
  REQUIRE_MESSAGE(policies.ok(), policies.status().ToString());
  CHECK(policies->size() >= 4);
  auto runs = RunPolicies(*w, *policies, o, 2, {0});
  REQUIRE(runs.ok());
  for (const PolicyRun& r : *runs) {
    CAPTURE(r.metrics.name);
    CHECK(r.metrics.capacity_violations == 0);
    CHECK(r.metrics.entity_steps == 16u * 3 * 288);
    CHECK(r.metrics.failed_actuations > 0);
  }
}

// Two VMs for the first 400 steps, none for 900, then three born at 1300
// (one with gaps); demand that varies, so forecasts and limits move.
Workload IdleSpanWorkload(double host_cpu) {
  Workload w;
  w.step = absl::Minutes(5);
  const std::size_t steps = 2000;
  const std::vector<StepWindow> lives = {
      {0, 399}, {40, 399}, {1300, 1999}, {1310, 1800}, {1350, 1999}};
  w.demand = DemandTable(steps, lives);
  w.host_capacity = {MakeResources(host_cpu, 64e9, 1e9, 1e9)};
  for (std::size_t u = 0; u < lives.size(); ++u) {
    WorkloadUser user;
    user.id = UserId{u + 1};
    user.name = absl::StrCat("vm", u);
    user.initial_allocation = MakeResources(2, 8e9, 2e7, 2e7);
    w.users.push_back(user);
    for (std::size_t t = lives[u].first; t <= lives[u].last; ++t) {
      if (u == 4 && t % 17 == 3 && t != lives[u].last) continue;  // a gap
      const double f = 1.0 +
                       0.5 * std::sin(static_cast<double>(t) / 12.0 + static_cast<double>(u)) +
                       0.3 * static_cast<double>((t * 7 + u) % 5) / 4.0;
      const ResourceVector d = MakeResources(f, 2e9 * f, 5e6 * f, 4e6 * f);
      for (Resource r : kAllResources) w.demand.Set(u, t, Index(r), d[r]);
    }
  }
  return w;
}

// The JSON of `runs`' metrics without the wall-clock seconds.
nlohmann::json MetricsWithoutTime(const std::vector<PolicyRun>& runs) {
  std::vector<PolicyMetrics> metrics;
  for (const PolicyRun& r : runs) metrics.push_back(r.metrics);
  nlohmann::json j = nlohmann::json::parse(ComparisonJson(metrics));
  for (auto& [name, p] : j.at("policies").items()) {
    // The slowest tick is part of the replay's wall time.
    CHECK(p.at("slowest_tick_seconds").get<double>() > 0.0);
    CHECK(p.at("slowest_tick_seconds").get<double>() <= p.at("seconds").get<double>());
    p.erase("seconds");
    p.erase("slowest_tick_seconds");
  }
  return j;
}

TEST_CASE(
    "every registered policy (and family member) scores an idle span skipped as if it were "
    "ticked") {
  // Right-sizing, and one host too small for the five VMs' starting limits.
  for (double host_cpu : {64.0, 5.0}) {
    CAPTURE(host_cpu);
    const Workload w = IdleSpanWorkload(host_cpu);
    REQUIRE(ValidateWorkload(w).ok());
    auto all = PolicyRegistry::Global().Resolve(kAllAndFamilies);
    REQUIRE(all.ok());
    ReplayOptions o;
    o.warmup = absl::Hours(80);  // ends inside the idle span
    std::atomic<std::size_t> calls{0}, passed{0};
    auto count = [&](std::size_t n) {
      ++calls;
      passed += n;
    };
    o.skip_idle = false;
    auto ticked = RunPolicies(w, *all, o, 2, {0, 1, 2, 3, 4}, count);
    REQUIRE_MESSAGE(ticked.ok(), ticked.status().ToString());
    CHECK(calls.load() == all->size() * w.num_steps());
    CHECK(passed.load() == all->size() * w.num_steps());
    calls = 0;
    passed = 0;
    o.skip_idle = true;
    auto skipped = RunPolicies(w, *all, o, 2, {0, 1, 2, 3, 4}, count);
    REQUIRE_MESSAGE(skipped.ok(), skipped.status().ToString());
    // Step 400 is ticked (the two VMs' last reports), steps 401..1299 are
    // passed in one call per policy; the bar still fills.
    CHECK(calls.load() == all->size() * (w.num_steps() - 899 + 1));
    CHECK(passed.load() == all->size() * w.num_steps());
    CHECK(MetricsWithoutTime(*skipped) == MetricsWithoutTime(*ticked));
    for (std::size_t i = 0; i < all->size(); ++i) {
      CAPTURE((*all)[i]->name);
      CHECK((*skipped)[i].recorder.allocation == (*ticked)[i].recorder.allocation);
      CHECK((*skipped)[i].metrics.entity_steps > 0);
    }
  }
}

TEST_CASE("the recorder keeps a user's limits over its life only") {
  const Workload w = IdleSpanWorkload(64.0);
  ReplayRecorder rec;
  rec.users = {1, 3};
  auto r = Replay(w, VpaStyle{}, ReplayOptions{}, &rec);
  REQUIRE(r.ok());
  CHECK(rec.allocation.users() == 2);
  CHECK(rec.allocation.stored() == (360 + 491) * kNumResources);
  CHECK(std::isnan(rec.allocation(0, 39, 0)));
  CHECK(rec.allocation(0, 40, Index(Resource::kCpu)) == 2.0);  // its starting limit
  CHECK(rec.allocation(0, 399, Index(Resource::kMemory)) > 0.0);
  CHECK(std::isnan(rec.allocation(0, 400, 0)));
  CHECK(rec.allocation(1, 1800, Index(Resource::kCpu)) > 0.0);
  CHECK(std::isnan(rec.allocation(1, 1801, 0)));
}

TEST_CASE("the comparison JSON has the documented keys") {
  auto w = GenerateWorkload({.users = 5, .days = 2, .seed = 9});
  REQUIRE(w.ok());
  auto policies = PolicyRegistry::Global().Resolve("default");
  REQUIRE(policies.ok());
  REQUIRE(policies->size() == 4);
  auto runs = RunPolicies(*w, *policies, ReplayOptions{}, 1, {});
  REQUIRE(runs.ok());
  std::vector<PolicyMetrics> metrics;
  for (const auto& r : *runs) metrics.push_back(r.metrics);
  const nlohmann::json j = nlohmann::json::parse(ComparisonJson(metrics));
  for (const char* name : {"vpa", "hpa", "proactive", "oracle"}) {
    const auto& p = j.at("policies").at(name);
    for (const char* key :
         {"underprovisioned_fraction", "relative_slack", "oom_events", "oom_free_entity_days",
          "changes_per_entity_day_p99", "capacity_violations", "cost"}) {
      CHECK_MESSAGE(p.contains(key), key);
    }
    for (const char* key : {"underprovisioned_resource_seconds", "allocated_resource_seconds"}) {
      for (const char* r : {"cpu", "memory", "io", "net"}) CHECK(p.at(key).contains(r));
    }
    CHECK(j.at("gap_closed").contains(name));
  }
  CHECK(j["gap_closed"]["vpa"].get<double>() == doctest::Approx(0.0));
  CHECK(j["gap_closed"]["oracle"].get<double>() == doctest::Approx(1.0));
}

// Streams `y` through Conformal over `tracked` (the replay's errors, the
// asked-for steps) and over `full` (the default 12 steps) and counts ticks at
// which they differ: Predict at the conformal horizon in any mean, quantile or
// confidence, or the means a step further (PeakHeadroom's lag).
template <typename F>
int TrackedStepsMismatches(const F& tracked, const F& full, const ConformalOptions& c,
                           const std::vector<double>& y) {
  const Conformal<F> a_model(tracked, c, kTailQuantileLevels),
      b_model(full, c, kTailQuantileLevels);
  auto a = a_model.Fit({});
  auto b = b_model.Fit({});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  int mismatches = 0;
  for (double v : y) {
    const Forecast fa = a_model.Predict(*a, c.horizon), fb = b_model.Predict(*b, c.horizon);
    std::vector<double> ma(static_cast<std::size_t>(c.horizon + 1)), mb(ma.size());
    a_model.PredictMean(*a, ma);
    b_model.PredictMean(*b, mb);
    mismatches += fa == fb && ma == mb ? 0 : 1;
    a_model.Update(*a, v);
    b_model.Update(*b, v);
  }
  return mismatches;
}

TEST_CASE("replay forecasters' wrapped models track only the steps asked for, at no change") {
  // WrappedErrorOptions tracks the wrapped model's errors for the conformal
  // horizon alone. Through Conformal's warm-up (the wrapped quantiles stand in
  // until min_residuals) and after it, forecasts must equal those of the
  // default 12 tracked steps bit for bit.
  ConformalOptions c;
  c.horizon = 3;
  c.window = 40;
  c.calibration = 0;
  c.min_residuals = 12;
  c.tail_fraction = 0.02;
  const internal::ErrorQuantiles::Options e = WrappedErrorOptions(c);
  CHECK(e.horizon == 3);
  std::vector<double> y(300);
  std::uint64_t x = 7;
  for (std::size_t i = 0; i < y.size(); ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    y[i] =
        50.0 + 20.0 * std::sin(static_cast<double>(i) / 9.0) + static_cast<double>(x >> 40) / 1e5;
  }
  CHECK(TrackedStepsMismatches(LastValue({}, e), LastValue(), c, y) == 0);
  CHECK(TrackedStepsMismatches(*AdaptiveEwma::Create({}, e), AdaptiveEwma(), c, y) == 0);
  CHECK(TrackedStepsMismatches(PeakEnvelope({.recent = 3, .season = 24}, e),
                               PeakEnvelope({.recent = 3, .season = 24}), c, y) == 0);
}

TEST_CASE("policy lists split on commas outside parentheses") {
  auto r = PolicyRegistry::Global().Resolve("vpa,max(proactive,vpa),oracle");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  CHECK((*r)[1]->name == "max(proactive,vpa)");
  // Spaces around names are ignored; a name listed twice runs once.
  auto spaced = PolicyRegistry::Global().Resolve(" vpa , default,track+envelope ");
  REQUIRE(spaced.ok());
  REQUIRE(spaced->size() == 5);
  CHECK((*spaced)[0]->name == "vpa");
  CHECK((*spaced)[4]->name == "track+envelope");
}

TEST_CASE("unknown policy names are reported with the known ones") {
  auto r = PolicyRegistry::Global().Resolve("vpa,bogus");
  CHECK(absl::IsInvalidArgument(r.status()));
  CHECK(std::string(r.status().message()).find("bogus") != std::string::npos);
  CHECK(std::string(r.status().message()).find("proactive") != std::string::npos);
}

}  // namespace foresight
