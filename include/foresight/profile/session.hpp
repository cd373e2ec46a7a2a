// -----------------------------------------------------------------------------
// File: session.hpp
// -----------------------------------------------------------------------------
//
// `SessionTracker` follows each user's sessions and learns how long they last.
// Sessions come from `kEventSessionStart` / `kEventSessionEnd` when the user's
// pool reports them (a user switches to event mode at its first session event);
// otherwise they are inferred from activity: a session starts at the first
// active sample and ends at the last active sample once the user has been
// inactive for `idle_gap`.
//
// Lengths go into a decayed histogram with log-spaced bins (5 min ... 24 h), so
// the expected *remaining* length is the conditional mean E[L - e | L > e] at
// elapsed time e: a user whose sessions are either 10 minutes or 3 hours is
// expected to stay long once past the 10-minute mark.
//
// All state is per user: `Forget(slot)` (the user was deleted, the slot goes to
// a new user) drops the session in progress, the event mode and the histogram.
//
// | type     | name       | description                                        | default |
// |----------|------------|----------------------------------------------------|---------|
// | double   | active_cpu | cores above which a sample is activity (no events) | 0.05    |
// | Duration | idle_gap   | inactivity that ends an inferred session           | 30 min  |
// | double   | decay      | histogram decay per finished session, in [0, 1)    | 0.02    |
#ifndef FORESIGHT_PROFILE_SESSION_HPP_
#define FORESIGHT_PROFILE_SESSION_HPP_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "foresight/core/user.hpp"
#include "foresight/telemetry/observation.hpp"

namespace foresight {

struct SessionOptions {
  double active_cpu = 0.05;
  absl::Duration idle_gap = absl::Minutes(30);
  double decay = 0.02;
};

class SessionTracker {
 public:
  // Upper edges (minutes) of the length histogram's bins; the last bin is open.
  static constexpr std::array<double, 14> kBinEdges = {5,   10,  15,  30,  45,  60,  90,
                                                       120, 180, 240, 360, 480, 720, 1440};
  static constexpr std::size_t kBins = kBinEdges.size() + 1;

  // What one observation changed.
  struct Change {
    bool started = false;
    bool ended = false;
    absl::Time end_time = absl::InfinitePast();  // when `ended`
  };

  SessionTracker() : SessionTracker(SessionOptions{}) {}
  explicit SessionTracker(SessionOptions options) : options_(options) {
    options_.decay = std::clamp(options_.decay, 0.0, 0.999);
  }
  const SessionOptions& options() const { return options_; }
  std::size_t slots() const { return users_.size(); }
  void Resize(std::size_t n) {
    if (n > slots()) users_.resize(n);
  }

  // One observation of `slot` at `now` with its event flags and measured CPU.
  Change Observe(Slot slot, absl::Time now, std::uint32_t events, double cpu);

  // Drops all that is known of `slot`, as if it were never used (a session in
  // progress ends unrecorded); no-op beyond `slots()`.
  void Forget(Slot slot) {
    if (slot < slots()) users_[slot] = UserState{};
  }

  bool in_session(Slot slot) const { return slot < slots() && users_[slot].in_session; }
  absl::Time session_start(Slot slot) const {
    return slot < slots() ? users_[slot].start : absl::InfinitePast();
  }
  bool event_driven(Slot slot) const { return slot < slots() && users_[slot].event_driven; }
  // Decayed number of finished sessions.
  double sessions(Slot slot) const;
  // Mean length of finished sessions (0 when none).
  double MeanMinutes(Slot slot) const { return ExpectedRemaining(slot, 0.0); }
  // Expected minutes left in the session in progress at `now` (0 outside a session).
  double ExpectedRemainingMinutes(Slot slot, absl::Time now) const;
  // E[L - e | L > e] from the histogram, e in minutes.
  double ExpectedRemaining(Slot slot, double elapsed_minutes) const;
  // P(L > e + lead | L > e) from the histogram (minutes); 1 with no history.
  double Survival(Slot slot, double elapsed_minutes, double lead_minutes) const;

  std::size_t BytesPerSlot() const { return sizeof(UserState); }

 private:
  struct UserState {
    bool in_session = false;
    bool event_driven = false;
    absl::Time start = absl::InfinitePast();
    absl::Time last_active = absl::InfinitePast();
    std::array<float, kBins> hist{};
  };
  void Open(UserState& u, absl::Time t, Change& c) {
    u.in_session = true;
    u.start = t;
    u.last_active = t;
    c.started = true;
  }
  void Close(UserState& u, absl::Time end, Change& c);

  SessionOptions options_;
  std::vector<UserState> users_;
};

// ---------------------------------------------------------------------------
// Implementation.
// ---------------------------------------------------------------------------

inline void SessionTracker::Close(UserState& u, absl::Time end, Change& c) {
  u.in_session = false;
  c.ended = true;
  c.end_time = end;
  const double minutes = std::max(absl::ToDoubleMinutes(end - u.start), 0.0);
  const float keep = static_cast<float>(1.0 - options_.decay);
  for (float& h : u.hist) h *= keep;
  const std::size_t bin = static_cast<std::size_t>(
      std::upper_bound(kBinEdges.begin(), kBinEdges.end(), minutes) - kBinEdges.begin());
  u.hist[bin] += 1.0f;
}

inline SessionTracker::Change SessionTracker::Observe(Slot slot, absl::Time now,
                                                      std::uint32_t events, double cpu) {
  Resize(static_cast<std::size_t>(slot) + 1);
  UserState& u = users_[slot];
  Change c;
  const bool start = (events & kEventSessionStart) != 0;
  const bool end = (events & kEventSessionEnd) != 0;
  if (start || end) u.event_driven = true;
  if (u.event_driven) {
    if (u.in_session) {
      if (end || start) Close(u, now, c);  // a start without an end closes the old one
      if (start) Open(u, now, c);
    } else {
      if (start) Open(u, now, c);
      if (start && end) Close(u, now, c);
    }
    if (u.in_session && cpu > options_.active_cpu) u.last_active = now;
    return c;
  }
  if (cpu > options_.active_cpu) {
    if (!u.in_session) Open(u, now, c);
    u.last_active = now;
  } else if (u.in_session && now - u.last_active >= options_.idle_gap) {
    Close(u, u.last_active, c);
  }
  return c;
}

inline double SessionTracker::sessions(Slot slot) const {
  if (slot >= slots()) return 0.0;
  double n = 0.0;
  for (float h : users_[slot].hist) n += h;
  return n;
}

inline double SessionTracker::ExpectedRemaining(Slot slot, double e) const {
  if (slot >= slots()) return 0.0;
  const auto& hist = users_[slot].hist;
  double mass = 0.0, sum = 0.0;
  for (std::size_t k = 0; k < kBins; ++k) {
    if (hist[k] <= 0.0f) continue;
    const double lo = k == 0 ? 0.0 : kBinEdges[k - 1];
    const double hi = k < kBinEdges.size() ? kBinEdges[k] : 2.0 * kBinEdges.back();
    if (hi <= e) continue;
    // Lengths are taken as uniform within a bin; only the part beyond e counts.
    const double from = std::max(lo, e);
    const double frac = (hi - from) / (hi - lo);
    mass += hist[k] * frac;
    sum += hist[k] * frac * ((from + hi) / 2.0 - e);
  }
  if (mass > 0.0) return sum / mass;
  // Longer than anything seen: assume a quarter of the time so far remains.
  return sessions(slot) > 0.0 ? std::max(5.0, 0.25 * e) : 0.0;
}

inline double SessionTracker::Survival(Slot slot, double e, double lead) const {
  if (slot >= slots()) return 1.0;
  const auto& hist = users_[slot].hist;
  // Mass of lengths above x, lengths uniform within a bin.
  auto above = [&](double x) {
    double m = 0.0;
    for (std::size_t k = 0; k < kBins; ++k) {
      const double lo = k == 0 ? 0.0 : kBinEdges[k - 1];
      const double hi = k < kBinEdges.size() ? kBinEdges[k] : 2.0 * kBinEdges.back();
      if (hi <= x) continue;
      m += hist[k] * (hi - std::max(lo, x)) / (hi - lo);
    }
    return m;
  };
  const double now = above(e);
  if (now <= 0.0) {
    // Longer than anything seen (or no history): a quarter of the elapsed time remains on average.
    const double mean = std::max(5.0, 0.25 * e);
    return sessions(slot) > 0.0 ? std::exp(-lead / mean) : 1.0;
  }
  return std::clamp(above(e + std::max(lead, 0.0)) / now, 0.0, 1.0);
}

inline double SessionTracker::ExpectedRemainingMinutes(Slot slot, absl::Time now) const {
  if (!in_session(slot)) return 0.0;
  return ExpectedRemaining(slot, std::max(absl::ToDoubleMinutes(now - users_[slot].start), 0.0));
}

}  // namespace foresight

#endif  // FORESIGHT_PROFILE_SESSION_HPP_
