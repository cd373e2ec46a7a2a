#include "foresight/profile/session.hpp"

#include <doctest/doctest.h>

#include "synthetic.hpp"

namespace foresight {
namespace {

using testing::Monday;

TEST_CASE("SessionTracker follows session events and learns lengths") {
  SessionTracker s;
  absl::Time t = Monday();
  for (int k = 0; k < 10; ++k) {
    auto c = s.Observe(0, t, kEventSessionStart, 1.0);
    CHECK(c.started);
    CHECK(s.in_session(0));
    c = s.Observe(0, t + absl::Minutes(20), kEventNone, 1.0);
    CHECK_FALSE(c.ended);
    c = s.Observe(0, t + absl::Minutes(40), kEventSessionEnd, 0.0);
    CHECK(c.ended);
    CHECK(c.end_time == t + absl::Minutes(40));
    CHECK_FALSE(s.in_session(0));
    t += absl::Hours(3);
  }
  CHECK(s.event_driven(0));
  CHECK(s.sessions(0) > 8.0);
  // 40 minutes falls in the (30, 45] bin: the mean is its midpoint.
  CHECK(s.MeanMinutes(0) == doctest::Approx(37.5));
  s.Observe(0, t, kEventSessionStart, 1.0);
  CHECK(s.ExpectedRemainingMinutes(0, t) == doctest::Approx(37.5));
  CHECK(s.ExpectedRemainingMinutes(0, t + absl::Minutes(35)) == doctest::Approx(5.0));
  // Past anything seen: a quarter of the elapsed time, at least 5 minutes.
  CHECK(s.ExpectedRemainingMinutes(0, t + absl::Minutes(100)) == doctest::Approx(25.0));
  CHECK(s.ExpectedRemainingMinutes(1, t) == 0.0);
}

TEST_CASE("Expected remaining time is conditional on the time already spent") {
  SessionTracker s;
  absl::Time t = Monday();
  // Half the sessions are ~8 minutes, half ~3.5 hours.
  for (int k = 0; k < 20; ++k) {
    const absl::Duration len = k % 2 == 0 ? absl::Minutes(8) : absl::Minutes(210);
    s.Observe(0, t, kEventSessionStart, 1.0);
    s.Observe(0, t + len, kEventSessionEnd, 1.0);
    t += absl::Hours(5);
  }
  const double fresh = s.ExpectedRemaining(0, 0.0);
  const double past_short = s.ExpectedRemaining(0, 15.0);
  CHECK(past_short > fresh);                           // survived the short mode
  CHECK(past_short == doctest::Approx(210.0 - 15.0));  // (180, 240] bin midpoint
}

TEST_CASE("SessionTracker infers sessions from activity without events") {
  SessionTracker s(SessionOptions{.active_cpu = 0.05, .idle_gap = absl::Minutes(30)});
  absl::Time t = Monday();
  int ended = 0;
  for (int i = 0; i < 288; ++i) {
    const bool active = (i % 72) < 12;  // 1 hour active every 6 hours
    auto c = s.Observe(2, t + absl::Minutes(5) * i, kEventNone, active ? 1.0 : 0.0);
    if (c.ended) {
      ++ended;
      // The session ends at the last active sample, not when the gap is noticed.
      CHECK(c.end_time == t + absl::Minutes(5) * ((i / 72) * 72 + 11));
    }
  }
  CHECK(ended == 4);
  CHECK_FALSE(s.event_driven(2));
  CHECK(s.MeanMinutes(2) == doctest::Approx(52.5));  // 55 min lies in (45, 60]
}

TEST_CASE("A start without an end closes the previous session") {
  SessionTracker s;
  s.Observe(0, Monday(), kEventSessionStart, 1.0);
  auto c = s.Observe(0, Monday() + absl::Minutes(12), kEventSessionStart, 1.0);
  CHECK(c.ended);
  CHECK(c.started);
  CHECK(s.in_session(0));
  CHECK(s.sessions(0) == doctest::Approx(1.0));
}

}  // namespace
}  // namespace foresight
