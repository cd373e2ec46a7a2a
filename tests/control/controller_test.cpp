#include "foresight/control/controller.hpp"

#include <doctest/doctest.h>

#include <array>
#include <memory>
#include <span>

#include "foresight/allocate/vpa_style.hpp"
#include "foresight/forecast/by_resource.hpp"
#include "foresight/forecast/envelope.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/sim/generator.hpp"

namespace foresight {
namespace {

// A pool that replays scripted observations, to feed the controller bad input.
class ScriptedPool {
 public:
  static std::string_view Name() { return "scripted"; }
  absl::Status Observe(absl::Time now, Observation& out) {
    out = next;
    out.time = now;
    return absl::OkStatus();
  }
  absl::Status Apply(absl::Time, const AllocationPlan& plan, std::vector<absl::Status>& results) {
    results.assign(plan.size(), absl::OkStatus());
    applied += plan.size();
    return absl::OkStatus();
  }
  absl::Duration LeadTime(Resource) const { return absl::ZeroDuration(); }
  PoolCapabilities capabilities() const { return {}; }
  Observation next;
  std::size_t applied = 0;
};
static_assert(Pool<ScriptedPool>);

UserObservation User(std::uint64_t id, double usage) {
  UserObservation u;
  u.user = UserId{id};
  u.usage = ResourceVector::Filled(usage);
  u.allocation = ResourceVector::Filled(1);
  return u;
}

// A proactive controller over a scripted pool holding one user (id 1) at
// `usage` on one host of capacity 100.
template <typename F>
Controller<NullProfiler, F, LinearCost, QuantileTarget, ScriptedPool> OneUserController(
    F forecaster, double usage = 5.0) {
  ScriptedPool pool;
  pool.next.host_capacity = {ResourceVector::Filled(100)};
  pool.next.users = {User(1, usage)};
  return Controller<NullProfiler, F, LinearCost, QuantileTarget, ScriptedPool>(
      ControllerOptions{}, NullProfiler{}, std::move(forecaster), LinearCost{}, QuantileTarget{},
      std::move(pool));
}

}  // namespace

TEST_CASE("DefaultController ticks over a simulated pool and explains its moves") {
  auto w = GenerateWorkload({.users = 10, .days = 2, .seed = 3});
  REQUIRE(w.ok());
  auto pool = SimulatedPool::Create(*w);
  REQUIRE(pool.ok());
  DefaultController c(ControllerOptions{}, BehaviorProfiler{}, HoltWinters{}, LinearCost{},
                      QuantileTarget{}, *std::move(pool));
  std::size_t moves = 0;
  for (std::size_t k = 0; k < 100; ++k) {
    absl::StatusOr<TickReport> r = c.Tick(w->time(k));
    REQUIRE(r.ok());
    CHECK(r->users == 10);
    CHECK(r->new_users == (k == 0 ? 10u : 0u));
    for (const Move& m : r->decisions) {
      CHECK(m.to >= 0);
      CHECK((m.reason == Reason::kForecast || m.reason == Reason::kCapacityShare));
    }
    moves += r->decisions.size();
  }
  CHECK(moves > 0);
  CHECK(c.slots().size() == 10);
  CHECK(c.history().size(0) == 100);
  CHECK(c.pool().capacity_violations() == 0);
  CHECK(c.Profile(UserId{3}, w->time(99)).ok());
  CHECK(absl::IsNotFound(c.Profile(UserId{999}, w->time(99)).status()));
}

TEST_CASE("Controller rejects bad observations without changing state") {
  ScriptedPool pool;
  pool.next.host_capacity = {ResourceVector::Filled(100)};
  pool.next.users = {User(1, 1.0), User(2, 2.0)};
  Controller<NullProfiler, HoltWinters, LinearCost, VpaStyle, ScriptedPool> c(
      ControllerOptions{}, NullProfiler{}, HoltWinters{}, LinearCost{}, VpaStyle{}, pool);
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  REQUIRE(c.Tick(t0).ok());
  REQUIRE(c.history().size(0) == 1);

  SUBCASE("the same time again is a duplicate") {
    CHECK(absl::IsInvalidArgument(c.Tick(t0).status()));
    CHECK(c.history().size(0) == 1);
  }
  SUBCASE("a user reported twice") {
    c.pool().next.users = {User(1, 1.0), User(1, 2.0)};
    absl::Status s = c.Tick(t0 + absl::Minutes(5)).status();
    CHECK(absl::IsInvalidArgument(s));
    CHECK(std::string(s.message()).find("twice") != std::string::npos);
    CHECK(c.history().size(0) == 1);
  }
  SUBCASE("NaN usage") {
    c.pool().next.users = {User(1, std::nan("")), User(2, 1.0)};
    CHECK(absl::IsInvalidArgument(c.Tick(t0 + absl::Minutes(5)).status()));
    CHECK(c.history().size(1) == 1);
    CHECK(c.slots().size() == 2);
  }
  SUBCASE("unknown host") {
    c.pool().next.users[0].host = 4;
    CHECK(absl::IsInvalidArgument(c.Tick(t0 + absl::Minutes(5)).status()));
  }
}

TEST_CASE("Controller feeds back one-step forecast errors") {
  auto c = OneUserController(LastValue{});
  absl::Time t = absl::FromUnixSeconds(1700000000);
  REQUIRE(c.Tick(t).ok());
  c.pool().next.users = {User(1, 8.0)};
  auto r = c.Tick(t + absl::Minutes(5));
  REQUIRE(r.ok());
  CHECK(r->forecast_error.cpu() == doctest::Approx(3.0));  // predicted 5, saw 8
}

namespace {

// Quantiles 10h, 10h + 1, 10h + 2 at step h: which step the controller
// scored is readable from the counts.
struct StepTaggedForecaster {
  struct State {};
  static std::string_view Name() { return "step_tagged"; }
  absl::StatusOr<State> Fit(std::span<const double>) const { return State{}; }
  void Update(State&, double) const {}
  Forecast Predict(const State&, int horizon) const {
    static constexpr std::array<double, 3> kLevels = {0.25, 0.5, 0.75};
    Forecast f(horizon, kLevels);
    for (int h = 1; h <= horizon; ++h) {
      f.mean(h) = 10.0 * h + 1;
      for (std::size_t k = 0; k < 3; ++k) f.quantile(h, k) = 10.0 * h + static_cast<double>(k);
    }
    return f;
  }
};
static_assert(Forecaster<StepTaggedForecaster>);

// ScriptedPool with memory changes landing 10 minutes (two 5-minute steps) late.
class LaggedPool : public ScriptedPool {
 public:
  absl::Duration LeadTime(Resource r) const {
    return r == Resource::kMemory ? absl::Minutes(10) : absl::ZeroDuration();
  }
};
static_assert(Pool<LaggedPool>);

}  // namespace

TEST_CASE("Controller scores the coverage of the quantiles its allocator planned on") {
  LaggedPool pool;
  pool.next.host_capacity = {ResourceVector::Filled(100)};
  pool.next.users = {User(1, 0.0)};
  Controller<NullProfiler, StepTaggedForecaster, LinearCost, QuantileTarget, LaggedPool> c(
      ControllerOptions{}, NullProfiler{}, StepTaggedForecaster{}, LinearCost{}, QuantileTarget{},
      pool);
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  REQUIRE(c.Tick(t0).ok());  // nothing forecast yet: nothing scored
  CHECK(c.coverage().empty());
  c.pool().next.users = {User(1, 11.0)};
  REQUIRE(c.Tick(t0 + absl::Minutes(5)).ok());
  // cpu (no lead: step 1, quantiles 10, 11, 12) is scored; memory's quantiles
  // were for two steps ahead, which have not come yet.
  CHECK(c.coverage().scored(Resource::kCpu) == 1);
  CHECK(c.coverage().covered(Resource::kCpu, 0) == 0);
  CHECK(c.coverage().covered(Resource::kCpu, 1) == 1);
  CHECK(c.coverage().scored(Resource::kMemory) == 0);
  c.pool().next.users = {User(1, 21.0)};
  REQUIRE(c.Tick(t0 + absl::Minutes(10)).ok());
  // memory: the first tick's step-2 quantiles (20, 21, 22) against 21.
  CHECK(c.coverage().scored(Resource::kMemory) == 1);
  CHECK(c.coverage().covered(Resource::kMemory, 0) == 0);
  CHECK(c.coverage().covered(Resource::kMemory, 1) == 1);
  CHECK(c.coverage().covered(Resource::kMemory, 2) == 1);
  CHECK(c.coverage().scored(Resource::kCpu) == 2);
  CHECK(c.coverage().covered(Resource::kCpu, 2) == 1);  // 21 > 12 at the second tick

  // A gap is not scored, and the steps forecast across it still are.
  c.pool().next.users = {User(1, 21.0)};
  c.pool().next.users[0].events = kEventNoSample;
  REQUIRE(c.Tick(t0 + absl::Minutes(15)).ok());
  CHECK(c.coverage().scored(Resource::kCpu) == 2);
  CHECK(c.coverage().scored(Resource::kMemory) == 1);
  c.pool().next.users = {User(1, 5.0)};
  REQUIRE(c.Tick(t0 + absl::Minutes(20)).ok());
  CHECK(c.coverage().scored(Resource::kCpu) == 3);
  CHECK(c.coverage().scored(Resource::kMemory) == 2);  // made at the third tick

  c.ClearCoverage();
  CHECK(c.coverage().empty());
  CHECK(c.coverage().levels().size() == 3);
}

TEST_CASE("Controller fits each resource's own model with a resource-aware forecaster") {
  using Split = ByResource<LastValue, PeakEnvelope>;
  absl::StatusOr<Split> f = Split::Create(LastValue(), PeakEnvelope({.recent = 3, .season = 0}));
  REQUIRE(f.ok());
  auto c = OneUserController(*std::move(f));
  absl::Time t = absl::FromUnixSeconds(1700000000);
  REQUIRE(c.Tick(t).ok());
  c.pool().next.users = {User(1, 2.0)};
  REQUIRE(c.Tick(t + absl::Minutes(5)).ok());
  auto cpu = c.forecast_state(UserId{1}, Resource::kCpu);
  auto mem = c.forecast_state(UserId{1}, Resource::kMemory);
  REQUIRE(cpu.ok());
  REQUIRE(mem.ok());
  CHECK((*cpu)->index() == 0);
  CHECK((*mem)->index() == 1);
  // The memory envelope still holds the peak of 5; the CPU model follows to 2.
  CHECK(c.forecaster().Predict(**mem, 1).mean(1) == doctest::Approx(5.0));
  CHECK(c.forecaster().Predict(**cpu, 1).mean(1) == doctest::Approx(2.0));
}

// Breaks the Forecaster contract on purpose: each Predict forecasts one more
// quantile level than the last.
struct GrowingLevels {
  struct State {};
  absl::StatusOr<State> Fit(std::span<const double>) const { return State{}; }
  void Update(State&, double) const {}
  Forecast Predict(const State&, int horizon) const {
    levels.push_back(levels.empty() ? 0.5 : 0.5 + 0.4 * (1.0 - 1.0 / levels.size()));
    return Forecast(horizon, levels);
  }
  static std::string_view Name() { return "growing_levels"; }
  mutable std::vector<double> levels;
};

TEST_CASE("Controller refuses a forecaster whose quantile levels change within a tick") {
  auto c = OneUserController(GrowingLevels{});
  absl::StatusOr<TickReport> r = c.Tick(absl::FromUnixSeconds(1700000000));
  REQUIRE_FALSE(r.ok());
  CHECK(absl::IsInternal(r.status()));
  CHECK(std::string(r.status().message()).find("growing_levels") != std::string::npos);
  CHECK(c.pool().applied == 0);  // nothing was planned or applied
}

// LastValue that counts the series ended (EndAwareForecaster).
struct CountsEnds {
  using State = LastValue::State;
  absl::StatusOr<State> Fit(std::span<const double> h) const { return LastValue().Fit(h); }
  void Update(State& s, double y) const { LastValue().Update(s, y); }
  Forecast Predict(const State& s, int horizon) const { return LastValue().Predict(s, horizon); }
  void End(State&) const { ++*ended; }
  static std::string_view Name() { return "counts_ends"; }
  std::shared_ptr<int> ended = std::make_shared<int>(0);
};
static_assert(EndAwareForecaster<CountsEnds>);

TEST_CASE("Controller ends a deleted user's forecasts and plans nothing for it") {
  CountsEnds f;
  auto c = OneUserController(f, 50.0);
  absl::Time t = absl::FromUnixSeconds(1700000000);
  c.pool().next.users = {User(1, 50.0), User(2, 50.0)};
  REQUIRE(c.Tick(t).ok());
  UserObservation gone = User(1, 50.0);
  gone.events = kEventDeleted | kEventNoSample;
  gone.allocation = ResourceVector{};
  c.pool().next.users = {gone, User(2, 50.0)};
  absl::StatusOr<TickReport> r = c.Tick(t + absl::Minutes(5));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->deleted_users == 1);
  CHECK(*f.ended == static_cast<int>(kNumResources));  // each resource's series, once
  REQUIRE_FALSE(r->decisions.empty());  // user 2 at 50 of 1 is grown
  for (const Move& m : r->decisions) CHECK(m.user == UserId{2});
  // Without the flag the same observation plans for user 1 too.
  c.pool().next.users = {User(1, 50.0), User(2, 50.0)};
  r = c.Tick(t + absl::Minutes(10));
  REQUIRE(r.ok());
  CHECK(r->deleted_users == 0);
  bool planned_1 = false;
  for (const Move& m : r->decisions) planned_1 = planned_1 || m.user == UserId{1};
  CHECK(planned_1);
}

// QuantileTarget without `Forget`: an allocator written before slots were reused.
struct NoForget {
  static std::string_view Name() { return "no_forget"; }
  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out) { return q.Plan(req, out); }
  QuantileTarget q{QuantileTargetOptions{}};
};

template <Allocator A>
using ScriptedController = Controller<NullProfiler, HoltWinters, LinearCost, A, ScriptedPool>;

template <Allocator A>
ScriptedController<A> MakeScripted(A allocator) {
  ScriptedPool pool;
  pool.next.host_capacity = {ResourceVector::Filled(1000)};
  return ScriptedController<A>(ControllerOptions{}, NullProfiler{}, HoltWinters{}, LinearCost{},
                               std::move(allocator), std::move(pool));
}

TEST_CASE("Controller hands a deleted user's slot to the next new user, who starts fresh") {
  static_assert(ScriptedController<VpaStyle>::kReusesSlots);
  static_assert(!ScriptedController<NoForget>::kReusesSlots);
  // `reused` sees user 1 (busy) and user 2 for an hour, user 1's deletion,
  // then user 3 (quiet) beside user 2. `fresh` never sees user 1.
  auto reused = MakeScripted(VpaStyle{});
  auto fresh = MakeScripted(VpaStyle{});
  absl::Time t = absl::FromUnixSeconds(1700000000);
  for (int k = 0; k < 12; ++k, t += absl::Minutes(5)) {
    reused.pool().next.users = {User(1, 80.0 + k), User(2, 10.0 + k % 3)};
    fresh.pool().next.users = {User(2, 10.0 + k % 3)};
    REQUIRE(reused.Tick(t).ok());
    REQUIRE(fresh.Tick(t).ok());
  }
  UserObservation gone = User(1, 0.0);
  gone.events = kEventDeleted | kEventNoSample;
  reused.pool().next.users = {gone, User(2, 10.0)};
  fresh.pool().next.users = {User(2, 10.0)};
  REQUIRE(reused.Tick(t).ok());
  REQUIRE(fresh.Tick(t).ok());
  CHECK(reused.slots().live() == 1);
  CHECK(absl::IsNotFound(reused.forecast_state(UserId{1}, Resource::kCpu).status()));
  std::size_t user3_moves = 0;
  for (int k = 0; k < 12; ++k) {
    t += absl::Minutes(5);
    reused.pool().next.users = {User(3, 2.0 + k % 2), User(2, 10.0 + k % 3)};
    fresh.pool().next.users = {User(3, 2.0 + k % 2), User(2, 10.0 + k % 3)};
    absl::StatusOr<TickReport> a = reused.Tick(t);
    absl::StatusOr<TickReport> b = fresh.Tick(t);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    // The same moves: user 3 inherits nothing of user 1's busy hour.
    REQUIRE(a->decisions.size() == b->decisions.size());
    for (std::size_t j = 0; j < a->decisions.size(); ++j) {
      CHECK(a->decisions[j].user == b->decisions[j].user);
      CHECK(a->decisions[j].resource == b->decisions[j].resource);
      CHECK(a->decisions[j].to == b->decisions[j].to);
      user3_moves += a->decisions[j].user == UserId{3};
    }
    CHECK(a->forecast_error.cpu() == doctest::Approx(b->forecast_error.cpu()));
  }
  CHECK(user3_moves > 0);
  CHECK(reused.slots().Find(UserId{3}) == 0);  // user 1's slot
  CHECK(reused.slots().size() == 2);           // never more than two alive
  CHECK(reused.history().size(0) == 12);       // user 3's samples only
}

TEST_CASE("Controller keeps a deleted user's slot when its allocator cannot forget one") {
  auto c = MakeScripted(NoForget{});
  absl::Time t = absl::FromUnixSeconds(1700000000);
  c.pool().next.users = {User(1, 5.0), User(2, 5.0)};
  REQUIRE(c.Tick(t).ok());
  UserObservation gone = User(1, 0.0);
  gone.events = kEventDeleted | kEventNoSample;
  c.pool().next.users = {gone, User(2, 5.0)};
  REQUIRE(c.Tick(t + absl::Minutes(5)).ok());
  c.pool().next.users = {User(3, 5.0), User(2, 5.0)};
  REQUIRE(c.Tick(t + absl::Minutes(10)).ok());
  CHECK(c.slots().size() == 3);
  CHECK(c.slots().Find(UserId{3}) == 2);
  CHECK(c.forecast_state(UserId{1}, Resource::kCpu).ok());
}

TEST_CASE("Controller's policy hook can edit the plan, and infeasible plans are refused") {
  auto w = GenerateWorkload({.users = 4, .days = 1});
  REQUIRE(w.ok());
  auto pool = SimulatedPool::Create(*w);
  REQUIRE(pool.ok());
  DefaultController c(ControllerOptions{}, BehaviorProfiler{}, HoltWinters{}, LinearCost{},
                      QuantileTarget{}, *std::move(pool));
  // An override that freezes user 0.
  c.set_policy([](const AllocationRequest&, AllocationPlan& plan) {
    std::erase_if(plan.moves, [](const Move& m) { return m.user == UserId{0}; });
    return absl::OkStatus();
  });
  for (std::size_t k = 0; k < 20; ++k) {
    auto r = c.Tick(w->time(k));
    REQUIRE(r.ok());
    for (const Move& m : r->decisions) CHECK(m.user != UserId{0});
  }
  // A policy that breaks capacity is caught before anything is applied.
  c.set_policy([](const AllocationRequest& req, AllocationPlan& plan) {
    Move m;
    m.user = req.users[0].user;
    m.index = 0;
    m.resource = Resource::kCpu;
    m.from = req.users[0].allocation.cpu();
    m.to = 1e9;
    plan.moves.push_back(m);
    return absl::OkStatus();
  });
  CHECK(absl::IsInternal(c.Tick(w->time(20)).status()));
}

}  // namespace foresight
