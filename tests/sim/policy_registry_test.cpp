// PolicyRegistry: tuned variants "name[knob=value,...]" of policies with knobs.
#include "foresight/sim/policy_registry.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "foresight/sim/compare.hpp"
#include "foresight/sim/generator.hpp"
#include "foresight/sim/replay.hpp"
#include "foresight/sim/vm_trace.hpp"

namespace foresight {
namespace {

std::string ResolveError(const std::string& list) {
  auto r = PolicyRegistry::Global().Resolve(list);
  REQUIRE_FALSE(r.ok());
  CHECK(absl::IsInvalidArgument(r.status()));
  return std::string(r.status().message());
}

TEST_CASE("track+fleet+damped lists its knobs with the defaults its entry uses") {
  const PolicyInfo* p = PolicyRegistry::Global().Find("track+fleet+damped");
  REQUIRE(p != nullptr);
  // The risk knobs; the CPU, IO and network damping knobs at what
  // TrackSmoothDampingOptions sets (IO and network harder than CPU); the young
  // VMs' memory floor (YoungHeadroom): its rank and the youth. The order is
  // the order TuneTrackFleetDamped reads them in.
  const std::vector<std::pair<std::string, double>> expected = {
      {"fleet_level", 0.98},    {"cpu_level", 0.9},       {"cpu_min_change", 0.02},
      {"cpu_hysteresis", 0.10}, {"cpu_overshoot", 0.0},   {"io_min_change", 0.05},
      {"io_hysteresis", 0.20},  {"net_min_change", 0.05}, {"net_hysteresis", 0.20},
      {"young_level", 0.98},    {"young_hours", 24.0}};
  REQUIRE(p->knobs.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(p->knobs[i].name == expected[i].first);
    CHECK(p->knobs[i].default_value == expected[i].second);
  }
  CHECK(p->tune);
  CHECK(PolicyRegistry::Global().Find("hpa")->knobs.empty());
}

TEST_CASE("vpa and autopilot-window list their recommenders' numbers as knobs") {
  const PolicyInfo* vpa = PolicyRegistry::Global().Find("vpa");
  REQUIRE(vpa != nullptr);
  REQUIRE(vpa->knobs.size() == 5);
  CHECK(vpa->knobs[0].name == "memory_percentile");
  CHECK(vpa->knobs[0].default_value == 0.9);
  CHECK(vpa->knobs[1].name == "cpu_percentile");
  CHECK(vpa->knobs[2].name == "margin");
  CHECK(vpa->knobs[2].default_value == 0.15);
  CHECK(vpa->knobs[3].name == "cpu_half_life_hours");
  CHECK(vpa->knobs[3].default_value == 24);
  CHECK(vpa->knobs[4].name == "memory_half_life_hours");
  CHECK(vpa->knobs[4].default_value == 24);
  const PolicyInfo* ap = PolicyRegistry::Global().Find("autopilot-window");
  REQUIRE(ap != nullptr);
  REQUIRE(ap->knobs.size() == 4);
  CHECK(ap->knobs[0].name == "percentile");
  CHECK(ap->knobs[0].default_value == 0.95);
  CHECK(ap->knobs[1].name == "margin");
  CHECK(ap->knobs[1].default_value == 0.1);
}

TEST_CASE("vpa's knobs trace its own frontier: each moves its resource only") {
  absl::StatusOr<Workload> w = GenerateVmTrace({.vms = 8, .days = 8, .seed = 7});
  REQUIRE(w.ok());
  auto r = PolicyRegistry::Global().Resolve(
      "vpa,vpa[],vpa[memory_percentile=0.3],vpa[cpu_percentile=0.3],vpa[margin=0],"
      "vpa[margin=0.5],autopilot-window,autopilot-window[margin=0],"
      "autopilot-window[peak_window_hours=2],vpa[cpu_half_life_hours=2]");
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE(r->size() == 10);
  ReplayOptions o;
  o.warmup = absl::Hours(24);
  auto runs = RunPolicies(*w, *r, o, 1, {});
  REQUIRE_MESSAGE(runs.ok(), runs.status().ToString());
  auto cpu = [&](int i) { return (*runs)[i].metrics.allocated_resource_seconds.cpu(); };
  auto mem = [&](int i) { return (*runs)[i].metrics.allocated_resource_seconds.memory(); };
  CHECK(cpu(1) == cpu(0));
  CHECK(mem(1) == mem(0));
  CHECK((*runs)[1].metrics.oom_events == (*runs)[0].metrics.oom_events);
  CHECK(mem(2) < mem(0));   // a lower memory percentile holds less memory ...
  CHECK(cpu(2) == cpu(0));  // ... and the same CPU
  CHECK(cpu(3) < cpu(0));
  CHECK(mem(3) == mem(0));
  CHECK(mem(4) < mem(0));  // no margin: less of both
  CHECK(cpu(4) < cpu(0));
  CHECK(mem(5) > mem(0));
  CHECK(cpu(5) > cpu(0));
  CHECK((*runs)[4].metrics.oom_events >= (*runs)[0].metrics.oom_events);
  CHECK(cpu(7) < cpu(6));  // autopilot-window without its margin
  CHECK(mem(7) < mem(6));
  CHECK(mem(8) < mem(6));  // a 2 h memory peak window instead of 24 h
  CHECK(cpu(8) == cpu(6));
  CHECK(cpu(9) != cpu(0));  // a CPU half-life of 2 h follows CPU faster ...
  CHECK(mem(9) == mem(0));  // ... and leaves memory's alone
  for (const PolicyRun& run : *runs) CHECK(run.metrics.capacity_violations == 0);
}

TEST_CASE("a tuned variant is one list item, named as written, resolved once") {
  auto r = PolicyRegistry::Global().Resolve(
      "vpa, track+fleet+damped[fleet_level=0.95, cpu_level=0.8],track+fleet+damped[cpu_level=0.8 ,"
      "fleet_level=0.95],oracle");
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE(r->size() == 4);  // the two spellings are two names
  CHECK((*r)[1]->name == "track+fleet+damped[fleet_level=0.95, cpu_level=0.8]");
  CHECK((*r)[3]->name == "oracle");
  // Resolving the same text again gives the same entry.
  auto again =
      PolicyRegistry::Global().Resolve("track+fleet+damped[fleet_level=0.95, cpu_level=0.8]");
  REQUIRE(again.ok());
  CHECK((*again)[0] == (*r)[1]);
  // A tuned name is not listed among the registered entries.
  for (const PolicyInfo* p : PolicyRegistry::Global().All()) {
    CHECK(p->name.find('[') == std::string::npos);
  }
}

TEST_CASE("knobs change what the policy holds; empty brackets are the registered policy") {
  absl::StatusOr<Workload> w = GenerateVmTrace({.vms = 6, .days = 3, .seed = 4});
  REQUIRE(w.ok());
  auto r = PolicyRegistry::Global().Resolve(
      "track+fleet+damped,track+fleet+damped[],track+fleet+damped[cpu_level=0.6],"
      "track+fleet+damped[cpu_level=0.99],track+fleet+damped[fleet_level=0.5],"
      "track+fleet+damped[cpu_min_change=0.3,cpu_hysteresis=0.5],"
      "track+fleet+damped[cpu_overshoot=0.5],"
      "track+fleet+damped[io_min_change=0.3,io_hysteresis=0.5],"
      "track+fleet+damped[net_min_change=0.3,net_hysteresis=0.5]");
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE(r->size() == 9);
  ReplayOptions o;
  o.warmup = absl::Hours(24);
  auto runs = RunPolicies(*w, *r, o, 1, {});
  REQUIRE_MESSAGE(runs.ok(), runs.status().ToString());
  const PolicyMetrics& base = (*runs)[0].metrics;
  const PolicyMetrics& same = (*runs)[1].metrics;
  CHECK(same.name == "track+fleet+damped[]");
  CHECK(same.allocated_resource_seconds.cpu() == base.allocated_resource_seconds.cpu());
  CHECK(same.allocated_resource_seconds.memory() == base.allocated_resource_seconds.memory());
  CHECK(same.oom_events == base.oom_events);
  // CPU: a lower quantile holds less and throttles at least as much.
  const PolicyMetrics& low = (*runs)[2].metrics;
  const PolicyMetrics& high = (*runs)[3].metrics;
  CHECK(low.allocated_resource_seconds.cpu() < base.allocated_resource_seconds.cpu());
  CHECK(high.allocated_resource_seconds.cpu() > base.allocated_resource_seconds.cpu());
  CHECK(low.throttled_cpu_seconds >= base.throttled_cpu_seconds);
  CHECK(high.throttled_cpu_seconds <= base.throttled_cpu_seconds);
  CHECK(low.allocated_resource_seconds.memory() == base.allocated_resource_seconds.memory());
  // Memory: a fleet this small never files enough peaks for its rank to
  // answer, so fleet_level cannot show in the metrics here (on the 200-VM
  // trace 0.95 holds 0.85x VPA's memory against 0.89x: evaluate.md); the
  // builder test below checks that the level reaches the fleet.
  const PolicyMetrics& lean = (*runs)[4].metrics;
  CHECK(lean.allocated_resource_seconds.cpu() == base.allocated_resource_seconds.cpu());
  // CPU damping: harder damping changes CPU limits less often and leaves
  // memory alone; an overshoot holds more CPU and throttles no more.
  const PolicyMetrics& calm = (*runs)[5].metrics;
  const PolicyMetrics& over = (*runs)[6].metrics;
  MESSAGE(
      "cpu changes per entity-day (median): ", base.changes_per_entity_day_median_by_resource.cpu(),
      " -> ", calm.changes_per_entity_day_median_by_resource.cpu());
  CHECK(calm.changes_per_entity_day_median_by_resource.cpu() <
        0.7 * base.changes_per_entity_day_median_by_resource.cpu());
  CHECK(calm.changes_per_entity_day_median_by_resource.memory() ==
        base.changes_per_entity_day_median_by_resource.memory());
  CHECK(calm.allocated_resource_seconds.memory() == base.allocated_resource_seconds.memory());
  CHECK(over.allocated_resource_seconds.cpu() > base.allocated_resource_seconds.cpu());
  CHECK(over.throttled_cpu_seconds <= base.throttled_cpu_seconds);
  CHECK(over.allocated_resource_seconds.memory() == base.allocated_resource_seconds.memory());
  // IO and network damping: each changes its own resource's limit less often
  // and leaves the other three resources alone.
  const auto changes = [](const PolicyMetrics& m) {
    return m.changes_per_entity_day_median_by_resource;
  };
  const PolicyMetrics& io = (*runs)[7].metrics;
  const PolicyMetrics& net = (*runs)[8].metrics;
  MESSAGE("io changes per entity-day (median): ", changes(base).io(), " -> ", changes(io).io(),
          "; net: ", changes(base).net(), " -> ", changes(net).net());
  CHECK(changes(io).io() < 0.7 * changes(base).io());
  CHECK(changes(net).net() < 0.7 * changes(base).net());
  for (Resource r : {Resource::kCpu, Resource::kMemory, Resource::kNet}) {
    CHECK(io.allocated_resource_seconds[r] == base.allocated_resource_seconds[r]);
  }
  for (Resource r : {Resource::kCpu, Resource::kMemory, Resource::kIo}) {
    CHECK(net.allocated_resource_seconds[r] == base.allocated_resource_seconds[r]);
  }
  for (const PolicyRun& run : *runs) CHECK(run.metrics.capacity_violations == 0);
}

TEST_CASE("fleet_level, young_level and young_hours reach their own fleets, and only them") {
  absl::StatusOr<Workload> w = GenerateVmTrace({.vms = 2, .days = 1, .seed = 4});
  REQUIRE(w.ok());
  struct Levels {
    double margins, cap, young;
    int youth;
    std::size_t young_categories;
  };
  auto levels_of = [&](double level, double young, absl::Duration youth) {
    auto f = TrackFleetSmoothReplayForecaster(*w, SimulatedPoolOptions{}, level, young, youth);
    REQUIRE_MESSAGE(f.ok(), f.status().ToString());
    const auto& cap = f->memory().inner();  // YoungHeadroom -> PeakCap -> PeakHeadroom
    const auto& margin = cap.inner();
    REQUIRE(margin.options().fleet != nullptr);
    REQUIRE(cap.options().fleet != nullptr);
    REQUIRE(f->memory().options().fleet != nullptr);
    return Levels{margin.options().fleet->options().level, cap.options().fleet->options().level,
                  f->memory().options().fleet->options().level, f->memory().options().youth,
                  f->memory().options().fleet->options().edges.size()};
  };
  const Levels lean = levels_of(0.95, 0.99, absl::Hours(48));
  CHECK(lean.margins == 0.95);
  CHECK(lean.cap == TrackFleetCapRecordOptions().level);  // the cap's records keep theirs
  CHECK(lean.young == 0.99);
  CHECK(lean.youth == 576);           // 48 h of 5-minute steps
  CHECK(lean.young_categories == 5);  // from 1, 3, 6, 12 and 24 h
  const Levels defaults = levels_of(FleetPeaksOptions{}.level, YoungFleetOptions().level,
                                    absl::Hours(kTrackFleetYouthHours));
  CHECK(defaults.margins == 0.98);
  CHECK(defaults.young == 0.98);
  CHECK(defaults.youth == 288);
  CHECK(defaults.young_categories == 4);
  CHECK_FALSE(TrackFleetSmoothReplayForecaster(*w, SimulatedPoolOptions{}, 1.5).ok());
  CHECK_FALSE(TrackFleetSmoothReplayForecaster(*w, SimulatedPoolOptions{}, 0.98, 0.0).ok());
}

TEST_CASE("on VMs that come and go, the young floor buys back the young VMs' OOMs") {
  // 150 VMs with a mean lifetime of a day over 6 days: a third of the alive
  // VM-steps are in a VM's first day. A youth of 1 h is all but no floor.
  absl::StatusOr<Workload> w =
      GenerateVmTrace({.vms = 150, .days = 6, .seed = 3, .mean_lifetime = absl::Hours(24)});
  REQUIRE(w.ok());
  auto r =
      PolicyRegistry::Global().Resolve("vpa,track+fleet+damped,track+fleet+damped[young_hours=1]");
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  ReplayOptions o;
  o.warmup = absl::Hours(48);
  auto runs = RunPolicies(*w, *r, o, 1, {});
  REQUIRE_MESSAGE(runs.ok(), runs.status().ToString());
  const PolicyMetrics& vpa = (*runs)[0].metrics;
  const PolicyMetrics& floored = (*runs)[1].metrics;
  const PolicyMetrics& bare = (*runs)[2].metrics;
  MESSAGE("OOMs: vpa ", vpa.oom_events, ", floored ", floored.oom_events, ", 1 h youth ",
          bare.oom_events, "; OOM-free days ", vpa.oom_free_entity_days, ", ",
          floored.oom_free_entity_days, ", ", bare.oom_free_entity_days);
  // Measured: 11 OOMs against 17 with a 1 h youth (VPA 4). The full-size
  // traces in docs/forecast/young_headroom.md show the floor's real effect.
  CHECK(floored.oom_events < bare.oom_events);
  CHECK(floored.oom_free_entity_days > bare.oom_free_entity_days);
  // The price is memory, and still less than VPA's.
  CHECK(floored.allocated_resource_seconds.memory() > bare.allocated_resource_seconds.memory());
  CHECK(floored.allocated_resource_seconds.memory() < vpa.allocated_resource_seconds.memory());
  // CPU is untouched.
  CHECK(floored.allocated_resource_seconds.cpu() == bare.allocated_resource_seconds.cpu());
}

TEST_CASE("every registered policy (and family member) hands a deleted VM's slot to the next VM") {
  // Six VMs, one alive at a time with a step between lives: a controller that
  // reuses slots needs one, whatever its allocator.
  Workload w;
  w.step = absl::Minutes(5);
  const std::size_t n = 6, life = 30;
  w.demand = DemandTable(n, n * (life + 1));
  w.host_capacity = {MakeResources(64, 256e9, 1e9, 1e9)};
  for (std::size_t u = 0; u < n; ++u) {
    WorkloadUser user;
    user.id = UserId{u + 1};
    user.name = absl::StrCat("vm", u);
    user.initial_allocation = MakeResources(2, 4e9, 1e7, 1e7);
    w.users.push_back(user);
    for (std::size_t t = u * (life + 1); t < u * (life + 1) + life; ++t) {
      const double f = 1.0 + 0.2 * static_cast<double>((t * 7 + u) % 5);
      const ResourceVector d = MakeResources(f, 2e9 * f, 5e6 * f, 5e6 * f);
      for (Resource r : kAllResources) w.demand.Set(u, t, Index(r), d[r]);
    }
  }
  absl::StatusOr<std::vector<const PolicyInfo*>> all =
      PolicyRegistry::Global().Resolve("all,proactive(ets),proactive(holt_winters)");
  REQUIRE(all.ok());
  absl::StatusOr<std::vector<PolicyRun>> runs = RunPolicies(w, *all, ReplayOptions{}, 1, {});
  REQUIRE_MESSAGE(runs.ok(), runs.status().ToString());
  for (const PolicyRun& r : *runs) CHECK_MESSAGE(r.metrics.controller_slots == 1, r.metrics.name);
}

TEST_CASE("bad tuned names are errors naming the policy, the knob or the value") {
  CHECK(ResolveError("track+fleet+damped[fleet_levl=0.9]").find("unknown knob 'fleet_levl'") !=
        std::string::npos);
  CHECK(ResolveError("track+fleet+damped[fleet_levl=0.9]").find("fleet_level=0.98") !=
        std::string::npos);  // the knobs are listed
  CHECK(ResolveError("track+fleet+damped[cpu_level=high]").find("needs a number, got 'high'") !=
        std::string::npos);
  CHECK(ResolveError("track+fleet+damped[cpu_level]").find("needs a number") != std::string::npos);
  CHECK(ResolveError("track+fleet+damped[cpu_level=1.5]").find("cpu_level must be in (0, 1)") !=
        std::string::npos);
  CHECK(ResolveError("track+fleet+damped[fleet_level=0]").find("fleet_level must be in (0, 1]") !=
        std::string::npos);
  CHECK(ResolveError("track+fleet+damped[cpu_level=nan]").find("needs a number") !=
        std::string::npos);
  CHECK(ResolveError("track+fleet+damped[cpu_min_change=1]")
            .find("cpu_min_change must be in "
                  "[0, 1), got 1") != std::string::npos);
  CHECK(ResolveError("track+fleet+damped[cpu_hysteresis=-0.1]").find("cpu_hysteresis must be") !=
        std::string::npos);
  CHECK(ResolveError("track+fleet+damped[cpu_overshoot=-1]").find("cpu_overshoot must be") !=
        std::string::npos);
  CHECK(ResolveError("track+fleet+damped[io_min_change=1.5]")
            .find("io_min_change must be in "
                  "[0, 1), got 1.5") != std::string::npos);
  CHECK(ResolveError("track+fleet+damped[io_hysteresis=-1]").find("io_hysteresis must be") !=
        std::string::npos);
  CHECK(ResolveError("track+fleet+damped[net_min_change=2]").find("net_min_change must be") !=
        std::string::npos);
  CHECK(ResolveError("track+fleet+damped[net_hysteresis=1]").find("net_hysteresis must be") !=
        std::string::npos);
  CHECK(ResolveError("track+fleet+damped[young_level=0]").find("young_level must be in (0, 1]") !=
        std::string::npos);
  CHECK(ResolveError("track+fleet+damped[young_hours=0.5]")
            .find("young_hours must be in "
                  "[1, 8760], got 0.5") != std::string::npos);
  CHECK(ResolveError("hpa[level=0.9]").find("knobs of 'hpa': none") != std::string::npos);
  CHECK(ResolveError("vpa[level=0.9]").find("memory_percentile=0.9") != std::string::npos);
  CHECK(ResolveError("vpa[margin=-0.1]").find("safety_margin must be >= 0, got -0.1") !=
        std::string::npos);
  CHECK(ResolveError("vpa[memory_percentile=0]").find("memory_target_percentile") !=
        std::string::npos);
  CHECK(ResolveError("vpa[cpu_half_life_hours=0]").find("cpu_half_life") != std::string::npos);
  CHECK(ResolveError("vpa[memory_half_life_hours=-2]").find("memory_half_life") !=
        std::string::npos);
  CHECK(ResolveError("autopilot-window[percentile=2]").find("percentile must be in (0, 1]") !=
        std::string::npos);
  CHECK(ResolveError("bogus[level=0.9]").find("unknown policy 'bogus'") != std::string::npos);
  CHECK(ResolveError("track+fleet+damped[cpu_level=0.8").find("write name[knob=value") !=
        std::string::npos);
}

TEST_CASE("proactive(<method>) is a family: any registry method, the family's knobs after it") {
  const PolicyRegistry& reg = PolicyRegistry::Global();
  const std::vector<const PolicyFamily*> families = reg.Families();
  REQUIRE(families.size() == 1);
  CHECK(families[0]->prefix == "proactive");
  CHECK(families[0]->argument == "<method>");
  const std::vector<std::pair<std::string, double>> expected = {
      {"cpu_level", 0.95},      {"memory_level", 0.9999}, {"refit_hours", 24},
      {"history_days", 7},      {"conformal_days", 7},    {"stagger", 1},
      {"memory_peak_hours", 0}, {"memory_fleet", 0},      {"damping", 0}};
  REQUIRE(families[0]->knobs.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(families[0]->knobs[i].name == expected[i].first);
    CHECK(families[0]->knobs[i].default_value == expected[i].second);
  }
  // Members are named as written; the same name is one policy.
  auto r = reg.Resolve(
      "proactive(ets), proactive(holt_winters[alpha=0.3,gamma=0.1])[cpu_level=0.9],"
      "proactive(ets),proactive(conformal_ensemble[power=2])");
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE(r->size() == 3);
  CHECK((*r)[0]->name == "proactive(ets)");
  CHECK((*r)[0]->description.find("<method> = ets") != std::string::npos);
  CHECK((*r)[1]->name == "proactive(holt_winters[alpha=0.3,gamma=0.1])[cpu_level=0.9]");
  CHECK((*r)[2]->name == "proactive(conformal_ensemble[power=2])");
  auto again = reg.Resolve("proactive(ets)");
  REQUIRE(again.ok());
  CHECK(again->front() == (*r)[0]);
  // Exact names come first: "proactive" and "max(proactive,vpa)" are entries.
  CHECK(reg.Resolve("proactive")->front() == reg.Find("proactive"));
  CHECK(reg.Resolve("max(proactive,vpa)")->front() == reg.Find("max(proactive,vpa)"));
}

TEST_CASE("bad proactive(<method>) names are errors naming the method, the knob or the value") {
  CHECK(ResolveError("proactive(nosuch)").find("nosuch") != std::string::npos);
  CHECK(ResolveError("proactive(nosuch)").find("policy 'proactive(nosuch)'") != std::string::npos);
  CHECK(ResolveError("proactive()").find("name the <method> inside proactive(...)") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets").find("with one closing ')'") != std::string::npos);
  CHECK(ResolveError("proactive(ets)x").find("unexpected 'x' after proactive(ets)") !=
        std::string::npos);
  CHECK(ResolveError("proactive(holt_winters[alpha=2])").find("alpha must be in [0, 1], got 2") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets)[bogus=1]").find("unknown knob 'bogus'") != std::string::npos);
  CHECK(ResolveError("proactive(ets)[bogus=1]").find("memory_level=0.9999") != std::string::npos);
  CHECK(ResolveError("proactive(ets)[cpu_level=1]").find("cpu_level must be in (0, 1), got 1") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets)[memory_level=0]").find("memory_level must be in (0, 1)") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets)[refit_hours=0]")
            .find("refit_hours must be in (0, 1e+06], "
                  "got 0") != std::string::npos);
  CHECK(ResolveError("proactive(ets)[refit_hours=1e12]").find("refit_hours must be in") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets)[history_days=-1]").find("history_days must be in (0, 366]") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets)[history_days=1e6]").find("history_days must be in") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets)[conformal_days=400]").find("conformal_days must be in") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets)[conformal_days=nan]").find("needs a number") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets)[stagger=0.5]").find("stagger must be 0 or 1, got 0.5") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets)[memory_peak_hours=25]")
            .find("memory_peak_hours must be in [0, 24], got 25") != std::string::npos);
  CHECK(ResolveError("proactive(ets)[memory_peak_hours=-1]").find("memory_peak_hours must be") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets)[damping=0.5]").find("damping must be 0 or 1, got 0.5") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets)[memory_fleet=2]").find("memory_fleet must be 0 or 1, got 2") !=
        std::string::npos);
  CHECK(ResolveError("proactive(ets)[cpu_level=0.9").find("write name[knob=value") !=
        std::string::npos);
  CHECK(ResolveError("bogus").find("proactive(<method>)") != std::string::npos);  // listed
  CHECK(ResolveError("bogus(ets)").find("unknown policy 'bogus(ets)'") != std::string::npos);
}

TEST_CASE("a policy family with a bad or taken prefix is refused") {
  PolicyRegistry reg;
  auto make = [](std::string_view, const std::vector<double>&) -> absl::StatusOr<PolicyRunner> {
    return absl::InternalError("not run");
  };
  CHECK(reg.AddFamily({"fam", "<x>", "a family", {}, make, 1}).ok());
  CHECK(absl::IsAlreadyExists(reg.AddFamily({"fam", "<x>", "again", {}, make, 1})));
  CHECK(absl::IsInvalidArgument(reg.AddFamily({"", "<x>", "no prefix", {}, make, 1})));
  CHECK(absl::IsInvalidArgument(reg.AddFamily({"f(x", "<x>", "a bracket", {}, make, 1})));
  CHECK(absl::IsInvalidArgument(reg.AddFamily({"g", "<x>", "no maker", {}, nullptr, 1})));
  REQUIRE(reg.Families().size() == 1);
  // The maker's error names the policy.
  auto r = reg.Resolve("fam(y)");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "policy 'fam(y)': not run");
}

TEST_CASE("proactive(<method>) replays the method it names at the levels its knobs set") {
  auto w = GenerateWorkload({.users = 4, .days = 3, .seed = 11});
  REQUIRE(w.ok());
  auto policies = PolicyRegistry::Global().Resolve(
      "proactive(holt_winters),proactive(naive),proactive(holt_winters)[cpu_level=0.6],"
      "proactive(holt_winters)[memory_level=0.9],proactive(ets),proactive(ets)[refit_hours=1000],"
      "proactive(ets)[stagger=0],proactive(holt_winters)[stagger=0],"
      "proactive(holt_winters)[stagger=0,memory_peak_hours=2],"
      "proactive(holt_winters)[stagger=0,memory_fleet=1],"
      "proactive(holt_winters)[stagger=0,damping=1],"
      "proactive(holt_winters)[stagger=0,memory_fleet=1,damping=1]");
  REQUIRE(policies.ok());
  REQUIRE(policies->size() == 12);
  auto runs = RunPolicies(*w, *policies, ReplayOptions{}, 2, {});
  REQUIRE_MESSAGE(runs.ok(), runs.status().ToString());
  const PolicyMetrics &hw = (*runs)[0].metrics, &naive = (*runs)[1].metrics,
                      &low_cpu = (*runs)[2].metrics, &low_memory = (*runs)[3].metrics,
                      &ets = (*runs)[4].metrics, &ets_never_refit = (*runs)[5].metrics,
                      &ets_together = (*runs)[6].metrics, &hw_together = (*runs)[7].metrics,
                      &hw_peak = (*runs)[8].metrics, &hw_fleet = (*runs)[9].metrics,
                      &hw_damped = (*runs)[10].metrics, &hw_fleet_damped = (*runs)[11].metrics;
  for (const PolicyRun& run : *runs) {
    CAPTURE(run.metrics.name);
    CHECK(run.metrics.capacity_violations == 0);
  }
  // Another method, other limits.
  CHECK(hw.allocated_resource_seconds.memory() != naive.allocated_resource_seconds.memory());
  // The knobs reach the allocator: a lower level holds less of its resource
  // and leaves the other one as it was.
  CHECK(low_cpu.allocated_resource_seconds.cpu() < hw.allocated_resource_seconds.cpu());
  CHECK(low_cpu.allocated_resource_seconds.memory() == hw.allocated_resource_seconds.memory());
  CHECK(low_memory.allocated_resource_seconds.memory() < hw.allocated_resource_seconds.memory());
  CHECK(low_memory.allocated_resource_seconds.cpu() == hw.allocated_resource_seconds.cpu());
  // ETS refitted daily is another model than ETS never refitted (3 days).
  CHECK(ets.allocated_resource_seconds.cpu() != ets_never_refit.allocated_resource_seconds.cpu());
  // Refits spread over the day (the default) are refits at other times than
  // all at the end of each day, and both are repeatable.
  CHECK(ets.allocated_resource_seconds.cpu() != ets_together.allocated_resource_seconds.cpu());
  // Memory forecast as a running peak: memory's limits change and nothing else's
  // (unstaggered: staggered phases count the fits of each model apart).
  CHECK(hw_peak.allocated_resource_seconds.memory() !=
        hw_together.allocated_resource_seconds.memory());
  CHECK(hw_peak.allocated_resource_seconds.cpu() == hw_together.allocated_resource_seconds.cpu());
  CHECK(hw_peak.allocated_resource_seconds.io() == hw_together.allocated_resource_seconds.io());
  // A fleet margin only raises memory's limits: more memory, CPU as it was.
  CHECK(hw_fleet.allocated_resource_seconds.memory() >
        hw_together.allocated_resource_seconds.memory());
  CHECK(hw_fleet.allocated_resource_seconds.cpu() == hw_together.allocated_resource_seconds.cpu());
  // Damped, every resource's limit changes less often (undamped, memory's
  // follows its quantile at nearly every step), with or without the margin.
  for (Resource r : kAllResources) {
    CAPTURE(ResourceName(r));
    CHECK(hw_damped.changes_per_entity_day_median_by_resource[r] <
          hw_together.changes_per_entity_day_median_by_resource[r]);
    CHECK(hw_fleet_damped.changes_per_entity_day_median_by_resource[r] <
          hw_fleet.changes_per_entity_day_median_by_resource[r]);
  }
  CHECK(hw_damped.changes_per_entity_day_median_by_resource.memory() <
        0.5 * hw_together.changes_per_entity_day_median_by_resource.memory());
  auto again = RunPolicies(*w, *policies, ReplayOptions{}, 1, {});
  REQUIRE(again.ok());
  CHECK((*again)[4].metrics.allocated_resource_seconds.cpu() ==
        ets.allocated_resource_seconds.cpu());
  CHECK((*again)[6].metrics.allocated_resource_seconds.cpu() ==
        ets_together.allocated_resource_seconds.cpu());
}

TEST_CASE(
    "proactive(<method>)[damping=1] makes every memory grow unless the fleet margin has room") {
  // Damping drops moves under 2 % of the limit. Under a VM's memory, whose
  // 0.9999 quantile rises by a little at many steps, a dropped grow leaves
  // the limit under what was planned, and without the fleet margin's 5 %
  // floor the demand creeps past it. So without memory_fleet memory's grows
  // are all made and its shrinks damped: it changes far less often than
  // undamped and goes out of memory no more often.
  absl::StatusOr<Workload> w = GenerateVmTrace({.vms = 16, .days = 5, .seed = 3});
  REQUIRE(w.ok());
  auto policies = PolicyRegistry::Global().Resolve(
      "proactive(theta)[stagger=0],proactive(theta)[stagger=0,damping=1]");
  REQUIRE(policies.ok());
  auto runs = RunPolicies(*w, *policies, ReplayOptions{}, 2, {});
  REQUIRE_MESSAGE(runs.ok(), runs.status().ToString());
  const PolicyMetrics &plain = (*runs)[0].metrics, &damped = (*runs)[1].metrics;
  MESSAGE("OOM events: undamped ", plain.oom_events, ", damped ", damped.oom_events);
  CHECK(damped.changes_per_entity_day_median_by_resource.memory() <
        0.2 * plain.changes_per_entity_day_median_by_resource.memory());
  CHECK(damped.oom_events <= plain.oom_events);
  CHECK(damped.capacity_violations == 0);
}

}  // namespace
}  // namespace foresight
