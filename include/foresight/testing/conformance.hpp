// -----------------------------------------------------------------------------
// File: conformance.hpp
// -----------------------------------------------------------------------------
//
// Shared conformance checks, one per role, that every shipped policy must pass
// (used from doctest cases; each returns the first violation as a Status so the
// test prints it):
//
//   CHECK_MESSAGE(testing::ForecasterConformance(HoltWinters{}).ok(), ...);
//   auto s = testing::AllocatorConformance(make_allocator, /*instances=*/200, /*seed=*/7);
//
//   auto r = testing::SlotReuseConformance(make_allocator, /*instances=*/100, /*seed=*/7);
//
// `RandomRequest` builds seeded random allocation problems (users on hosts,
// usage, limits that fit, quantile outlooks, cost terms) for property tests.
#ifndef FORESIGHT_TESTING_CONFORMANCE_HPP_
#define FORESIGHT_TESTING_CONFORMANCE_HPP_

#include <algorithm>
#include <cmath>
#include <random>
#include <span>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/plan.hpp"
#include "foresight/core/absl_compat.hpp"
#include "foresight/core/user.hpp"
#include "foresight/forecast/forecaster.hpp"

namespace foresight::testing {

// A seeded daily-seasonal series with noise, 24 samples per season.
inline std::vector<double> SeasonalSeries(std::size_t n, std::uint64_t seed, double level = 10.0,
                                          int season = 24) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.5);
  std::vector<double> y(n);
  for (std::size_t t = 0; t < n; ++t) {
    y[t] = level + 4.0 * std::sin(2 * M_PI * static_cast<double>(t % season) / season) +
           noise(rng);
  }
  return y;
}

// Checks the Forecaster contract on `f`.
// `online_equivalent`: Fit(x) then Update(y) must forecast exactly as Fit(x ++ y)
// (true for purely online models; models that re-estimate parameters in Fit
// pass false and are only required to forecast finitely after updates).
template <Forecaster F>
absl::Status ForecasterConformance(const F& f, int season = 24, bool online_equivalent = true) {
  // Cold start.
  absl::StatusOr<typename F::State> cold = f.Fit({});
  if (!cold.ok()) return absl::InternalError(absl::StrCat("Fit({}) failed: ", cold.status().message()));
  Forecast fc = f.Predict(*cold, 3);
  if (fc.horizon() != 3) return absl::InternalError("cold Predict has the wrong horizon");
  // NaN is rejected.
  const std::vector<double> bad = {1.0, std::nan(""), 2.0};
  if (f.Fit(bad).ok()) return absl::InternalError("Fit accepted a NaN");
  // Shapes, finiteness, monotone quantiles.
  const std::vector<double> y = SeasonalSeries(static_cast<std::size_t>(season) * 10, 3, 10.0,
                                               season);
  absl::StatusOr<typename F::State> st = f.Fit(y);
  if (!st.ok()) return st.status();
  for (int h : {1, 5, season + 2}) {
    Forecast p = f.Predict(*st, h);
    if (p.horizon() != h) return absl::InternalError("Predict has the wrong horizon");
    if (p.confidence() < 0 || p.confidence() > 1) {
      return absl::InternalError("confidence outside [0, 1]");
    }
    for (int s = 1; s <= h; ++s) {
      if (!std::isfinite(p.mean(s))) return absl::InternalError("non-finite mean");
      auto q = p.quantiles(s);
      for (std::size_t k = 0; k < q.size(); ++k) {
        if (!std::isfinite(q[k])) return absl::InternalError("non-finite quantile");
        if (k > 0 && q[k] < q[k - 1]) {
          return absl::InternalError(absl::StrCat("quantiles decrease at step ", s));
        }
      }
    }
  }
  // A MeanForecaster's PredictMean is Predict's means, bit for bit.
  if constexpr (MeanForecaster<F>) {
    for (int h : {1, 5, season + 2}) {
      const Forecast p = f.Predict(*st, h);
      std::vector<double> means(static_cast<std::size_t>(h), -1.0);
      f.PredictMean(*st, means);
      for (int s = 1; s <= h; ++s) {
        if (means[static_cast<std::size_t>(s - 1)] != p.mean(s)) {
          return absl::InternalError(absl::StrCat("PredictMean differs from Predict at step ", s,
                                                  ": ", means[static_cast<std::size_t>(s - 1)],
                                                  " vs ", p.mean(s)));
        }
      }
    }
  }
  // Fit(x) then Update(y) learns the same as Fit(x ++ y): same forecast.
  const std::size_t cut = y.size() - 7;
  absl::StatusOr<typename F::State> a = f.Fit(std::span<const double>(y).first(cut));
  if (!a.ok()) return a.status();
  for (std::size_t t = cut; t < y.size(); ++t) f.Update(*a, y[t]);
  const Forecast pa = f.Predict(*a, 4), pb = f.Predict(*st, 4);
  for (int s = 1; s <= 4; ++s) {
    if (!std::isfinite(pa.mean(s))) return absl::InternalError("non-finite after Update");
    if (!online_equivalent) continue;
    if (std::abs(pa.mean(s) - pb.mean(s)) > 1e-6 * (1 + std::abs(pb.mean(s)))) {
      return absl::InternalError(absl::StrCat("Fit+Update differs from Fit at step ", s, ": ",
                                              pa.mean(s), " vs ", pb.mean(s)));
    }
  }
  // A seasonal series is forecast better than its mean by a seasonal model
  // is policy-specific; here only sanity: the one-step mean is within the data range.
  const Forecast p1 = f.Predict(*st, 1);
  if (p1.mean(1) < -100 || p1.mean(1) > 100) return absl::InternalError("absurd forecast");
  return absl::OkStatus();
}

// A seeded random allocation problem whose current limits fit capacity.
struct RandomProblem {
  std::vector<UserObservation> users;
  std::vector<Slot> slots;
  std::vector<CostTerms> costs;
  std::vector<ResourceVector> capacity;
  DemandOutlook outlook;

  AllocationRequest Request(absl::Time now) const {
    AllocationRequest req;
    req.now = now;
    req.step = absl::Minutes(5);
    req.lead_time = PerResource<absl::Duration>::Filled(absl::Minutes(5));
    req.users = users;
    req.slots = slots;
    req.outlook = &outlook;
    req.costs = costs;
    req.host_capacity = capacity;
    return req;
  }
};

inline RandomProblem MakeRandomProblem(std::uint64_t seed, std::size_t max_users = 40,
                                       std::size_t max_hosts = 4) {
  std::mt19937_64 rng(seed);
  auto uni = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
  RandomProblem p;
  const std::size_t hosts = 1 + rng() % max_hosts;
  const std::size_t n = 1 + rng() % max_users;
  p.capacity.resize(hosts);
  for (auto& c : p.capacity) c = MakeResources(uni(4, 32), uni(8, 64) * 1e9, uni(1, 10) * 1e8, uni(1, 10) * 1e8);
  std::vector<ResourceVector> used(hosts);
  p.outlook.Resize(n, kDefaultQuantileLevels);
  for (std::size_t i = 0; i < n; ++i) {
    UserObservation u;
    u.user = UserId{1000 + i};
    u.host = static_cast<std::uint32_t>(rng() % hosts);
    for (Resource r : kAllResources) {
      const double cap = p.capacity[u.host][r];
      const double share = cap / static_cast<double>(n) * uni(0.2, 2.5);
      u.usage[r] = share * uni(0.1, 1.2);
      // Current limits fit: take what is left, at most `share`.
      u.allocation[r] = std::max(0.0, std::min(share, cap - used[u.host][r]) * uni(0.5, 1.0));
      used[u.host][r] += u.allocation[r];
      const double center = u.usage[r] * uni(0.5, 1.5);
      const double spread = center * uni(0.05, 0.6);
      for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) {
        const double z = (kDefaultQuantileLevels[k] - 0.5) * 3.0;
        p.outlook.quantiles(i, Index(r), k) = std::max(0.0, center + z * spread);
      }
      p.outlook.mean(i, Index(r)) = center;
      p.outlook.confidence(i, Index(r)) = uni(0, 1);
    }
    if (rng() % 7 == 0) u.events |= kEventOom;
    p.users.push_back(u);
    p.slots.push_back(static_cast<Slot>(i));
    CostTerms t;
    t.under = MakeResources(1.0, 1e-9, 1e-8, 1e-8) * uni(0.5, 2.0);
    t.over = t.under * uni(0.02, 0.5);
    t.priority = static_cast<double>(1 + rng() % 3);
    p.costs.push_back(t);
  }
  return p;
}

// Checks the Allocator contract over `instances` random problems, each planned
// over three ticks (so stateful allocators see history). `make` builds a fresh
// allocator per instance.
template <typename MakeT>
absl::Status AllocatorConformance(MakeT make, int instances, std::uint64_t seed) {
  for (int k = 0; k < instances; ++k) {
    RandomProblem p = MakeRandomProblem(seed + static_cast<std::uint64_t>(k));
    auto allocator = make();
    AllocationPlan plan;
    absl::Time now = absl::FromUnixSeconds(1700000000);
    for (int tick = 0; tick < 3; ++tick, now += absl::Minutes(5)) {
      const AllocationRequest req = p.Request(now);
      if (absl::Status s = allocator.Plan(req, plan); !s.ok()) {
        return absl::InternalError(absl::StrCat("instance ", k, ": Plan failed: ", s.message()));
      }
      if (absl::Status s = CheckPlan(p.users, p.capacity, plan); !s.ok()) {
        return absl::InternalError(absl::StrCat("instance ", k, " tick ", tick, ": ", s.message()));
      }
      // Shrinks before grows.
      bool grew = false;
      for (const Move& m : plan.moves) {
        if (m.kind != MoveKind::kResize) continue;
        if (m.to > m.from) grew = true;
        if (m.to < m.from && grew) {
          return absl::InternalError(absl::StrCat("instance ", k, ": a shrink follows a grow"));
        }
      }
      // Apply the plan so the next tick starts from it.
      for (const Move& m : plan.moves) {
        if (m.kind == MoveKind::kResize) p.users[m.index].allocation[m.resource] = m.to;
      }
    }
    // A malformed request is rejected and the allocator still works afterwards.
    AllocationRequest bad = p.Request(now);
    std::vector<Slot> short_slots(p.slots.begin(), p.slots.end() - 1);
    bad.slots = short_slots;
    if (!p.users.empty() && allocator.Plan(bad, plan).ok()) {
      return absl::InternalError(absl::StrCat("instance ", k, ": accepted misaligned request"));
    }
  }
  return absl::OkStatus();
}

// Checks that `ReadsOutlook<A>()` tells the truth. Two allocators plan the
// same `instances` random problems over three ticks, one with the outlook as
// made, the other with every quantile and mean tripled and every confidence
// replaced: an allocator declaring `kReadsOutlook = false` must plan the same
// moves for both; one that reads the outlook must plan differently on at
// least one of them. A replay credits an allocator with its forecaster's
// calibration only when it reads the outlook (sim/metrics.hpp).
template <typename MakeT>
absl::Status OutlookConformance(MakeT make, int instances, std::uint64_t seed) {
  using A = decltype(make());
  int differing = 0;
  for (int k = 0; k < instances; ++k) {
    RandomProblem p = MakeRandomProblem(seed + static_cast<std::uint64_t>(k));
    RandomProblem q = p;
    q.outlook.quantiles *= 3.0;
    q.outlook.mean *= 3.0;
    q.outlook.confidence = 1.0 - q.outlook.confidence;
    auto a = make();
    auto b = make();
    AllocationPlan pa, pb;
    absl::Time now = absl::FromUnixSeconds(1700000000);
    bool same = true;
    for (int tick = 0; tick < 3; ++tick, now += absl::Minutes(5)) {
      if (absl::Status s = a.Plan(p.Request(now), pa); !s.ok()) return s;
      if (absl::Status s = b.Plan(q.Request(now), pb); !s.ok()) return s;
      same = same && pa.moves.size() == pb.moves.size();
      for (std::size_t m = 0; same && m < pa.moves.size(); ++m) {
        same = pa.moves[m].user == pb.moves[m].user &&
               pa.moves[m].resource == pb.moves[m].resource && pa.moves[m].to == pb.moves[m].to;
      }
      // Both start the next tick from the first one's limits.
      for (const Move& m : pa.moves) {
        if (m.kind == MoveKind::kResize) p.users[m.index].allocation[m.resource] = m.to;
      }
      q.users = p.users;
    }
    if (!same) ++differing;
    if (!same && !ReadsOutlook<A>()) {
      return absl::InternalError(absl::StrCat(Sv(A::Name()),
                                              " declares kReadsOutlook = false but its plan for "
                                              "instance ",
                                              k, " changed with the outlook"));
    }
  }
  if (ReadsOutlook<A>() && differing == 0) {
    return absl::InternalError(absl::StrCat(Sv(A::Name()), " reads the outlook (ReadsOutlook) but ",
                                            instances,
                                            " tripled outlooks never changed its plan: declare "
                                            "kReadsOutlook = false"));
  }
  return absl::OkStatus();
}

// Checks that `Forget(slot)` drops everything an allocator keeps for a slot,
// so a new user given the slot is planned for as if the slot were never used.
// Users X on host 0 and K on host 1 are planned for three ticks by allocator
// A; a fresh allocator B sees only K. A then forgets X's slots, and both plan
// three more ticks for K beside new users Y on X's slots (new ids, a third of
// X's usage and outlook, no OOM). Every move of A must equal B's. Hosts are planned independently,
// so K's history is the same in both; any trace of X left in A shows in Y's
// moves.
template <typename MakeT>
absl::Status SlotReuseConformance(MakeT make, int instances, std::uint64_t seed) {
  using A = decltype(make());
  static_assert(SlotForgetting<A>, "the allocator must declare Forget(Slot)");
  // X and Y share host 0 (built from one problem), K is on host 1.
  auto combine = [](const RandomProblem& x, const RandomProblem& k, bool with_x) {
    RandomProblem c;
    c.capacity = {x.capacity[0], k.capacity[0]};
    const std::size_t nx = with_x ? x.users.size() : 0, n = nx + k.users.size();
    c.outlook.Resize(n, kDefaultQuantileLevels);
    auto add = [&](const RandomProblem& p, std::size_t i, std::uint32_t host, Slot slot) {
      const std::size_t row = c.users.size();
      c.users.push_back(p.users[i]);
      c.users.back().host = host;
      c.slots.push_back(slot);
      c.costs.push_back(p.costs[i]);
      for (Resource r : kAllResources) {
        for (std::size_t q = 0; q < kDefaultQuantileLevels.size(); ++q) {
          c.outlook.quantiles(row, Index(r), q) = p.outlook.quantiles(i, Index(r), q);
        }
        c.outlook.mean(row, Index(r)) = p.outlook.mean(i, Index(r));
        c.outlook.confidence(row, Index(r)) = p.outlook.confidence(i, Index(r));
      }
    };
    if (with_x) {
      for (std::size_t i = 0; i < x.users.size(); ++i) add(x, i, 0, static_cast<Slot>(i));
    }
    for (std::size_t i = 0; i < k.users.size(); ++i) {
      add(k, i, 1, static_cast<Slot>(x.users.size() + i));
    }
    return c;
  };
  // Each tick's usage swings, so the histories differ from tick to tick.
  auto at_tick = [](RandomProblem p, int tick) {
    const double f = 1.0 + 0.4 * std::sin(1.7 * tick);
    for (UserObservation& u : p.users) u.usage = u.usage * f;
    return p;
  };
  auto moves_by_user = [](const AllocationPlan& plan) {
    std::vector<Move> m = plan.moves;
    std::sort(m.begin(), m.end(), [](const Move& a, const Move& b) {
      return std::tie(a.user, a.resource) < std::tie(b.user, b.resource);
    });
    return m;
  };
  for (int k = 0; k < instances; ++k) {
    const std::uint64_t s = seed + 2 * static_cast<std::uint64_t>(k);
    RandomProblem x = MakeRandomProblem(s, 20, 1);
    const RandomProblem kept = MakeRandomProblem(s + 1, 20, 1);
    RandomProblem y = x;
    for (std::size_t i = 0; i < y.users.size(); ++i) {
      y.users[i].user = UserId{500000 + i};
      y.users[i].usage = x.users[i].usage / 3.0;
      y.users[i].events = kEventNone;
    }
    y.outlook.quantiles /= 3.0;
    y.outlook.mean /= 3.0;
    auto a = make();
    auto b = make();
    AllocationPlan pa, pb;
    absl::Time now = absl::FromUnixSeconds(1700000000);
    const RandomProblem with_x = combine(x, kept, true), only_k = combine(x, kept, false);
    const RandomProblem with_y = combine(y, kept, true);
    for (int tick = 0; tick < 6; ++tick, now += absl::Minutes(5)) {
      if (tick == 3) {
        for (std::size_t i = 0; i < x.users.size(); ++i) a.Forget(static_cast<Slot>(i));
      }
      const RandomProblem pa_t = at_tick(tick < 3 ? with_x : with_y, tick);
      const RandomProblem pb_t = at_tick(tick < 3 ? only_k : with_y, tick);
      if (absl::Status st = a.Plan(pa_t.Request(now), pa); !st.ok()) return st;
      if (absl::Status st = b.Plan(pb_t.Request(now), pb); !st.ok()) return st;
      if (tick < 3) continue;
      const std::vector<Move> ma = moves_by_user(pa), mb = moves_by_user(pb);
      if (ma.size() != mb.size()) {
        return absl::InternalError(absl::StrCat("instance ", k, " tick ", tick, ": ", ma.size(),
                                                " moves after Forget, ", mb.size(),
                                                " from a fresh allocator"));
      }
      for (std::size_t j = 0; j < ma.size(); ++j) {
        if (ma[j].user != mb[j].user || ma[j].resource != mb[j].resource ||
            ma[j].kind != mb[j].kind || ma[j].to != mb[j].to) {
          return absl::InternalError(absl::StrCat(
              "instance ", k, " tick ", tick, ": after Forget ", ToString(ma[j].user), " ",
              Sv(ResourceName(ma[j].resource)), " goes to ", ma[j].to, "; a fresh allocator moves ",
              ToString(mb[j].user), " ", Sv(ResourceName(mb[j].resource)), " to ", mb[j].to));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace foresight::testing

#endif  // FORESIGHT_TESTING_CONFORMANCE_HPP_
