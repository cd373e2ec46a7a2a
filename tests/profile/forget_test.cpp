// Forget (core/user.hpp `SlotForgetting`): a deleted user's slot goes to a new
// user, who must get the answers of a slot never used, and nobody else's change.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/profile/app_chain.hpp"
#include "foresight/profile/behavior_profiler.hpp"
#include "foresight/profile/internal/seasonal_shape.hpp"
#include "foresight/profile/profiler.hpp"
#include "synthetic.hpp"

namespace foresight {
namespace {

using testing::kStep;
using testing::kStepsPerDay;
using testing::Monday;

constexpr std::int32_t kIntentOfA = 7;     // only the deleted user declares it
constexpr std::int32_t kSharedIntent = 3;  // declared by B and by C
constexpr int kDaysAB = 14;                // A and B are fed days [0, 14)
constexpr int kFirstDayC = 10;             // C is fed days [10, 24): before A's last sample
constexpr int kDaysC = 14;

static_assert(SlotForgetting<BehaviorProfiler>);
static_assert(SlotForgetting<NullProfiler>);

absl::Time At(int step) { return Monday() + kStep * step; }

// Both profilers of a comparison start with the same shared registries.
BehaviorProfiler MakeProfiler() {
  BehaviorProfiler p;
  REQUIRE(p.RegisterIntent(kSharedIntent, "render", MakeResources(2, 1.5, 1, 1), absl::Minutes(30))
              .ok());
  REQUIRE(
      p.AddWorkflow(WorkflowTemplate{"crunch",
                                     {{"load", MakeResources(4.0, 4.5e9, 0, 0), absl::Minutes(40)},
                                      {"write", MakeResources(1.0, 0, 0, 0), absl::Minutes(20)}}})
          .ok());
  return p;
}

// A: interactive, with session events, apps 1 -> 2 and intent 7 every weekday;
// its last hour is a heavy late session (app 4, intent 7, the "load" stage)
// still open when it is deleted, so every component holds live state of it.
std::vector<UserObservation> UserA() {
  testing::ArchetypeUser user(BehaviorClass::kInteractive, 21);
  std::vector<UserObservation> obs;
  const int steps = kDaysAB * kStepsPerDay;
  for (int i = 0; i < steps; ++i) {
    UserObservation o = user.Next(i);
    const int minute = (i % kStepsPerDay) * 5;
    if (minute == 9 * 60) o.events |= kEventSessionStart | kEventAppLaunch, o.app = 1;
    if (minute == 11 * 60) o.events |= kEventAppLaunch, o.app = 2, o.intent = kIntentOfA;
    if (minute == 17 * 60) o.events |= kEventSessionEnd;
    if (i >= steps - 12) {
      o.usage = MakeResources(4.0, 4.5e9, 1e6, 1e6);
      if (i == steps - 12) o.events |= kEventSessionStart | kEventAppLaunch, o.app = 4;
      if (i == steps - 6) o.intent = kIntentOfA;
    }
    obs.push_back(o);
  }
  return obs;
}

// B: an always-on service declaring the shared intent every afternoon.
std::vector<UserObservation> UserB() {
  testing::ArchetypeUser user(BehaviorClass::kService, 22);
  std::vector<UserObservation> obs;
  for (int i = 0; i < kDaysAB * kStepsPerDay; ++i) {
    UserObservation o = user.Next(i);
    if ((i % kStepsPerDay) * 5 == 14 * 60) o.intent = kSharedIntent;
    obs.push_back(o);
  }
  return obs;
}

// C: batch jobs at any hour, no session events (inferred sessions), apps 5 ->
// 6 every morning and the shared intent every evening. Indexed from step 0 of
// Monday(); only days [kFirstDayC, kFirstDayC + kDaysC) are filled.
std::vector<UserObservation> UserC() {
  testing::ArchetypeUser user(BehaviorClass::kBatch, 23);
  std::vector<UserObservation> obs((kFirstDayC + kDaysC) * kStepsPerDay);
  for (int i = kFirstDayC * kStepsPerDay; i < static_cast<int>(obs.size()); ++i) {
    UserObservation o = user.Next(i);
    const int minute = (i % kStepsPerDay) * 5;
    if (minute == 10 * 60) o.events |= kEventAppLaunch, o.app = 5;
    if (minute == 10 * 60 + 30) o.events |= kEventAppLaunch, o.app = 6;
    if (minute == 20 * 60) o.intent = kSharedIntent;
    obs[static_cast<std::size_t>(i)] = o;
  }
  return obs;
}

// Lists what differs between slot `s` of `x` and of `y` as seen at `now`:
// every per-slot answer of the profiler and of its components ("" when none).
std::string Diff(const BehaviorProfiler& x, const BehaviorProfiler& y, Slot s, absl::Time now) {
  std::string out;
  auto same = [&out](const char* what, const auto& a, const auto& b) {
    if (!(a == b)) absl::StrAppend(&out, what, "; ");
  };
  same("observed", x.observed(s), y.observed(s));
  same("last_time", x.last_time(s), y.last_time(s));
  same("Level", x.Level(s), y.Level(s));
  for (Resource r : kAllResources) {
    same("ResidualAutocorrelation", x.ResidualAutocorrelation(s, r),
         y.ResidualAutocorrelation(s, r));
  }
  same("AppWeight", x.AppWeight(s), y.AppWeight(s));
  for (absl::Duration ahead : {absl::ZeroDuration(), absl::Minutes(5), absl::Minutes(30),
                               absl::Hours(3), absl::Hours(24)}) {
    const ProfileSummary a = x.Summary(s, now + ahead), b = y.Summary(s, now + ahead);
    same("Summary.behavior", a.behavior, b.behavior);
    same("Summary.confidence", a.confidence, b.confidence);
    same("Summary.seasonal_mean", a.seasonal_mean, b.seasonal_mean);
    same("Summary.seasonal_peak", a.seasonal_peak, b.seasonal_peak);
    same("Summary.last_app", a.last_app, b.last_app);
    same("Summary.likely_next_app", a.likely_next_app, b.likely_next_app);
    same("Summary.next_app_probability", a.next_app_probability, b.next_app_probability);
    same("Summary.expected_session_minutes", a.expected_session_minutes,
         b.expected_session_minutes);
    same("Summary.in_session", a.in_session, b.in_session);
    same("Summary.intent", a.intent, b.intent);
    same("Summary.workflow_stage", a.workflow_stage, b.workflow_stage);
    same("ExpectedDemand", x.ExpectedDemand(s, now + ahead), y.ExpectedDemand(s, now + ahead));
    same("ExpectedPeak", x.ExpectedPeak(s, now + ahead), y.ExpectedPeak(s, now + ahead));
  }
  const BehaviorFeatures fa = x.Features(s), fb = y.Features(s);
  same("Features.diurnal_amplitude", fa.diurnal_amplitude, fb.diurnal_amplitude);
  same("Features.weekday_weekend_ratio", fa.weekday_weekend_ratio, fb.weekday_weekend_ratio);
  same("Features.burstiness", fa.burstiness, fb.burstiness);
  same("Features.duty_cycle", fa.duty_cycle, fb.duty_cycle);
  same("Features.night_fraction", fa.night_fraction, fb.night_fraction);
  same("Features.mean_cpu", fa.mean_cpu, fb.mean_cpu);
  same("Features.samples", fa.samples, fb.samples);
  const BehaviorClassification ca = x.Classify(s), cb = y.Classify(s);
  same("Classify.behavior", ca.behavior, cb.behavior);
  same("Classify.distance", ca.distance, cb.distance);
  same("Classify.margin", ca.margin, cb.margin);
  same("Classify.reason", ca.reason, cb.reason);

  same("seasonal.Coverage", x.seasonal().Coverage(s, 1), y.seasonal().Coverage(s, 1));
  same("apps.last_app", x.apps().last_app(s), y.apps().last_app(s));
  same("apps.current_app", x.apps().current_app(s), y.apps().current_app(s));
  same("apps.current_since", x.apps().current_since(s), y.apps().current_since(s));
  for (std::int32_t app : {1, 2, 4, 5, 6}) {
    const std::optional<AppChain::AppStats> a = x.apps().Stats(s, app), b = y.apps().Stats(s, app);
    same("apps.Stats", a.has_value(), b.has_value());
    if (a && b) {
      same("apps.Stats.launches", a->launches, b->launches);
      same("apps.Stats.demand", a->demand, b->demand);
      same("apps.Stats.dwell_minutes", a->dwell_minutes, b->dwell_minutes);
      same("apps.Stats.error", a->error, b->error);
    }
    same("apps.Next", x.apps().Next(s, app).probability, y.apps().Next(s, app).probability);
  }
  same("sessions.in_session", x.sessions().in_session(s), y.sessions().in_session(s));
  same("sessions.session_start", x.sessions().session_start(s), y.sessions().session_start(s));
  same("sessions.event_driven", x.sessions().event_driven(s), y.sessions().event_driven(s));
  same("sessions.sessions", x.sessions().sessions(s), y.sessions().sessions(s));
  same("intents.active", x.intents().active(s), y.intents().active(s));
  same("intents.active_since", x.intents().active_since(s), y.intents().active_since(s));
  const WorkflowMatch wa = x.workflows().Match(s), wb = y.workflows().Match(s);
  same("workflows.Match.workflow", wa.workflow, wb.workflow);
  same("workflows.Match.stage", wa.stage, wb.stage);
  same("workflows.Match.stage_since", wa.stage_since, wb.stage_since);
  same("workflows.Match.distance", wa.distance, wb.distance);
  same("workflows.Match.pinned", wa.pinned, wb.pinned);
  return out;
}

TEST_CASE("Forget: a reused slot answers exactly as for a user new to the profiler") {
  const std::vector<UserObservation> a = UserA(), b = UserB(), c = UserC();
  BehaviorProfiler reused = MakeProfiler();  // A on 0 and B on 1; A deleted; C on 0
  BehaviorProfiler fresh = MakeProfiler();   // B on 1, then C on 0
  const int end_ab = kDaysAB * kStepsPerDay;
  for (int i = 0; i < end_ab; ++i) {
    if (i == end_ab - 9) REQUIRE(reused.AssignWorkflow(0, 0, At(i)).ok());  // A pins "crunch"
    reused.Observe(0, At(i), a[static_cast<std::size_t>(i)]);
    reused.Observe(1, At(i), b[static_cast<std::size_t>(i)]);
    fresh.Observe(1, At(i), b[static_cast<std::size_t>(i)]);
  }
  const absl::Time last_a = At(end_ab - 1);
  // A leaves live state everywhere (else a Forget that misses it proves nothing).
  REQUIRE(reused.sessions().in_session(0));
  REQUIRE(reused.sessions().event_driven(0));
  REQUIRE(reused.apps().current_app(0) == 4);
  REQUIRE(reused.intents().active(0) == kIntentOfA);
  REQUIRE(reused.workflows().Match(0).stage == 0);
  REQUIRE(reused.workflows().Match(0).pinned);
  REQUIRE(reused.Summary(0, last_a).behavior != BehaviorClass::kUnknown);

  const BehaviorProfiler before = reused;
  const std::size_t slots = reused.slots();
  reused.Forget(0);

  // Dense slots: nothing shrinks.
  CHECK(reused.slots() == slots);
  CHECK(reused.seasonal().slots() == before.seasonal().slots());
  CHECK(reused.apps().slots() == before.apps().slots());
  CHECK(reused.sessions().slots() == before.sessions().slots());
  CHECK(reused.intents().slots() == before.intents().slots());
  CHECK(reused.workflows().slots() == before.workflows().slots());
  // B (slot 1) is untouched.
  CHECK(Diff(reused, before, 1, last_a) == "");
  // Slot 0 is now a slot never observed (fresh has not seen it either).
  CHECK_FALSE(reused.observed(0));
  CHECK(reused.last_time(0) == absl::InfinitePast());
  CHECK(Diff(reused, fresh, 0, last_a) == "");
  // Shared knowledge stays: templates, and the registry with A's open episode
  // learnt into it (as at a session end).
  CHECK(reused.workflows().size() == 1);
  REQUIRE(reused.intents().Effect(kIntentOfA).has_value());
  CHECK(reused.intents().Effect(kIntentOfA)->episodes ==
        before.intents().Effect(kIntentOfA)->episodes + 1.0);
  CHECK(reused.intents().Effect(kSharedIntent)->episodes ==
        fresh.intents().Effect(kSharedIntent)->episodes);

  // C starts 4 days before A's last sample: a new user is not held to A's clock.
  // Compared after every sample, so state that outputs forget soon still shows.
  int compared = 0, in_stage = 0, in_intent = 0;
  for (int i = kFirstDayC * kStepsPerDay; i < (kFirstDayC + kDaysC) * kStepsPerDay; ++i) {
    reused.Observe(0, At(i), c[static_cast<std::size_t>(i)]);
    fresh.Observe(0, At(i), c[static_cast<std::size_t>(i)]);
    const std::string diff = Diff(reused, fresh, 0, At(i));
    INFO("C's step ", i - kFirstDayC * kStepsPerDay, " (", absl::FormatTime(At(i)), ")");
    CHECK(diff == "");
    if (!diff.empty()) break;
    ++compared;
    in_stage += reused.workflows().Match(0).stage >= 0 ? 1 : 0;
    in_intent += reused.intents().active(0) >= 0 ? 1 : 0;
  }
  REQUIRE(compared == kDaysC * kStepsPerDay);
  CHECK(reused.skipped() == fresh.skipped());
  // C exercised what A had used: a class, workflow stages, apps, the shared intent.
  const absl::Time end_c = At((kFirstDayC + kDaysC) * kStepsPerDay - 1);
  CHECK(reused.Summary(0, end_c).behavior != BehaviorClass::kUnknown);
  CHECK(in_stage > 0);
  CHECK(in_intent > 0);
  CHECK(reused.apps().Stats(0, 6).has_value());
  CHECK_FALSE(reused.apps().Stats(0, 4).has_value());
  CHECK(reused.intents().Effect(kSharedIntent)->episodes >
        before.intents().Effect(kSharedIntent)->episodes);
  // B's slot still matches the profiler that never had A (the shared intent's
  // registry entry learnt the same episodes in the same order in both).
  CHECK(Diff(reused, fresh, 1, last_a) == "");
}

TEST_CASE("Forget of an unseen or out-of-range slot changes nothing") {
  BehaviorProfiler empty;
  empty.Forget(0);
  empty.Forget(kNoSlot);
  CHECK(empty.slots() == 0);

  BehaviorProfiler p = MakeProfiler();
  testing::ArchetypeUser user(BehaviorClass::kAnalysis, 5);
  testing::Feed(p, 0, user, 3 * kStepsPerDay);
  p.Reserve(4);
  const BehaviorProfiler before = p;
  const absl::Time now = At(3 * kStepsPerDay - 1);
  p.Forget(2);  // within slots(), never observed
  p.Forget(3);
  p.Forget(100);  // beyond slots()
  p.Forget(kNoSlot);
  CHECK(p.slots() == before.slots());
  CHECK(p.skipped() == before.skipped());
  for (Slot s : {0u, 1u, 2u, 3u, 100u}) {
    INFO("slot ", s);
    CHECK(Diff(p, before, s, now) == "");
  }
  // Forgetting twice is forgetting once.
  p.Forget(0);
  const BehaviorProfiler once = p;
  p.Forget(0);
  CHECK(Diff(p, once, 0, now) == "");
  CHECK(Diff(p, MakeProfiler(), 0, now) == "");
}

TEST_CASE("Forget learns an open intent episode into the shared registry, as a session end") {
  BehaviorProfiler p;
  for (int i = 0; i < 12; ++i) {
    UserObservation o;
    o.usage = MakeResources(1.0, 1e9, 0, 0);
    if (i >= 8) o.usage = MakeResources(3.0, 1e9, 0, 0), o.intent = 9;
    p.Observe(0, At(i), o);
  }
  REQUIRE(p.intents().active(0) == 9);
  REQUIRE_FALSE(p.intents().Effect(9).has_value());
  p.Forget(0);
  CHECK(p.intents().active(0) == -1);
  const std::optional<IntentEffect> learnt = p.intents().Effect(9);
  REQUIRE(learnt.has_value());
  CHECK(learnt->episodes == 1.0);
  CHECK(learnt->multiplier.cpu() == doctest::Approx(3.0));
  CHECK(learnt->duration == 3 * kStep);  // declaration to the last unsettled sample
  // A later user of any slot gets what the deleted one taught.
  UserObservation o;
  o.usage = MakeResources(1.0, 1e9, 0, 0);
  for (int i = 0; i < 3; ++i) p.Observe(1, At(i), o);
  o.intent = 9;
  p.Observe(1, At(3), o);
  CHECK(p.ExpectedDemand(1, At(4)).cpu() == doctest::Approx(3.0));
}

TEST_CASE("SeasonalShapeBank and AppChain forget one slot's contiguous cells only") {
  internal::SeasonalShapeBank bank;
  AppChain chain;
  for (Slot s : {0u, 1u, 2u}) {
    for (int i = 0; i < 2 * kStepsPerDay; ++i) {
      if (i % 24 == 0) chain.Launch(s, At(i), static_cast<std::int32_t>(i / 24 % 5));
      const ResourceVector usage = MakeResources(1.0 + s + i % 7, 1e9, 0, 0);
      bank.Observe(s, At(i), usage);
      chain.ObserveUsage(s, usage);
    }
  }
  const internal::SeasonalShapeBank bank_before = bank;
  const AppChain chain_before = chain;
  bank.Forget(1);
  chain.Forget(1);
  CHECK(bank.slots() == 3);
  CHECK(chain.slots() == 3);
  for (int b = 0; b < bank.buckets(); ++b) {
    CHECK(bank.Count(1, b) == 0);
    CHECK(bank.Mean(1, b) == ResourceVector{});
    CHECK(bank.Peak(1, b) == ResourceVector{});
    for (Slot s : {0u, 2u}) {
      CHECK(bank.Count(s, b) == bank_before.Count(s, b));
      CHECK(bank.Mean(s, b) == bank_before.Mean(s, b));
      CHECK(bank.Peak(s, b) == bank_before.Peak(s, b));
    }
  }
  CHECK(chain.last_app(1) == -1);
  CHECK(chain.current_app(1) == -1);
  CHECK(chain.current_since(1) == absl::InfinitePast());
  for (std::int32_t app = 0; app < 5; ++app) {
    CHECK_FALSE(chain.Stats(1, app).has_value());
    CHECK(chain.Next(1, app).app == -1);
    for (Slot s : {0u, 2u}) {
      CHECK(chain.Stats(s, app)->demand == chain_before.Stats(s, app)->demand);
      CHECK(chain.Next(s, app).probability == chain_before.Next(s, app).probability);
    }
  }
  // Launches of the slot's next user start a chain of their own.
  chain.Launch(1, At(0), 3);
  chain.Launch(1, At(1), 0);
  CHECK(chain.Next(1, 3).app == 0);
  CHECK(chain.Next(1, 3).probability == 1.0);
}

TEST_CASE("NullProfiler forgets harmlessly") {
  NullProfiler p;
  p.Observe(0, Monday(), UserObservation{});
  p.Forget(0);
  p.Forget(kNoSlot);
  CHECK(p.Summary(0, Monday()).confidence == 0.0);
}

}  // namespace
}  // namespace foresight
