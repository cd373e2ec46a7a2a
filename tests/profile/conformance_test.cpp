// Every shipped Profiler runs this: the contract of profile/profiler.hpp.
#include <doctest/doctest.h>

#include <cmath>

#include "foresight/profile/behavior_profiler.hpp"
#include "foresight/profile/profiler.hpp"
#include "synthetic.hpp"

namespace foresight {
namespace {

using testing::kStep;
using testing::Monday;

void CheckSame(const ProfileSummary& a, const ProfileSummary& b) {
  CHECK(a.behavior == b.behavior);
  CHECK(a.confidence == b.confidence);
  CHECK(a.seasonal_mean == b.seasonal_mean);
  CHECK(a.seasonal_peak == b.seasonal_peak);
  CHECK(a.last_app == b.last_app);
  CHECK(a.likely_next_app == b.likely_next_app);
  CHECK(a.next_app_probability == b.next_app_probability);
  CHECK(a.expected_session_minutes == b.expected_session_minutes);
  CHECK(a.in_session == b.in_session);
  CHECK(a.intent == b.intent);
  CHECK(a.workflow_stage == b.workflow_stage);
}

void CheckValid(const ProfileSummary& s) {
  CHECK(s.confidence >= 0.0);
  CHECK(s.confidence <= 1.0);
  CHECK(IsValidAmount(s.seasonal_mean));
  CHECK(IsValidAmount(s.seasonal_peak));
  CHECK(AllLessEqual(s.seasonal_mean, s.seasonal_peak, 1e-9));
  CHECK(s.next_app_probability >= 0.0);
  CHECK(s.next_app_probability <= 1.0);
  CHECK((s.likely_next_app < 0) == (s.next_app_probability == 0.0));
  CHECK(std::isfinite(s.expected_session_minutes));
  CHECK(s.expected_session_minutes >= 0.0);
}

// Two weeks of an interactive user with sessions, app launches and an intent.
template <typename P>
void Train(P& p, Slot slot, std::uint64_t seed) {
  testing::ArchetypeUser user(BehaviorClass::kInteractive, seed);
  for (int i = 0; i < 14 * testing::kStepsPerDay; ++i) {
    UserObservation o = user.Next(i);
    const int minute = (i % testing::kStepsPerDay) * 5;
    if (minute == 9 * 60) o.events |= kEventSessionStart | kEventAppLaunch, o.app = 1;
    if (minute == 11 * 60) o.events |= kEventAppLaunch, o.app = 2, o.intent = 3;
    if (minute == 17 * 60) o.events |= kEventSessionEnd;
    p.Observe(slot, Monday() + kStep * i, o);
  }
}

TEST_CASE_TEMPLATE("Profiler conformance", P, BehaviorProfiler, NullProfiler) {
  static_assert(Profiler<P>);
  CHECK_FALSE(std::string_view(P::Name()).empty());

  P p;
  SUBCASE("a slot never observed has the default summary") {
    const ProfileSummary s = p.Summary(7, Monday());
    CHECK(s.behavior == BehaviorClass::kUnknown);
    CHECK(s.confidence == 0.0);
    CheckSame(s, ProfileSummary{});
  }
  SUBCASE("summaries of a trained slot are valid at every hour") {
    Train(p, 0, 1);
    for (int h = 0; h < 168; h += 5) CheckValid(p.Summary(0, Monday() + absl::Hours(24 * 14 + h)));
  }
  SUBCASE("stale observations change nothing") {
    Train(p, 0, 1);
    const absl::Time end = Monday() + kStep * (14 * testing::kStepsPerDay);
    const ProfileSummary before = p.Summary(0, end);
    UserObservation o;
    o.usage = MakeResources(100, 1e12, 1e9, 1e9);
    o.events = kEventSessionStart | kEventAppLaunch;
    o.app = 77;
    p.Observe(0, Monday(), o);
    p.Observe(0, end - kStep, o);
    CheckSame(p.Summary(0, end), before);
  }
  SUBCASE("a forgotten slot is as never observed, also to the time order") {
    static_assert(SlotForgetting<P>);
    P q;
    Train(p, 0, 1);
    Train(p, 1, 3);
    p.Forget(0);
    CheckSame(p.Summary(0, Monday()), ProfileSummary{});
    Train(p, 0, 2);  // a new user, from an earlier time than the old one's last
    Train(q, 0, 2);
    const absl::Time end = Monday() + absl::Hours(24 * 14 + 10);
    CheckSame(p.Summary(0, end), q.Summary(0, end));
  }
  SUBCASE("deterministic, and slots do not interfere") {
    P q;
    Train(p, 0, 1);
    Train(q, 0, 1);
    Train(q, 1, 2);
    const absl::Time end = Monday() + absl::Hours(24 * 14 + 10);
    CheckSame(p.Summary(0, end), q.Summary(0, end));
    CheckValid(q.Summary(1, end));
  }
}

}  // namespace
}  // namespace foresight
