// -----------------------------------------------------------------------------
// File: behavior_profiler_impl.hpp
// -----------------------------------------------------------------------------
//
// Bodies of `BehaviorProfiler` (see behavior_profiler.hpp). Included at the
// bottom of that header; do not include directly.
#ifndef FORESIGHT_PROFILE_BEHAVIOR_PROFILER_IMPL_HPP_
#define FORESIGHT_PROFILE_BEHAVIOR_PROFILER_IMPL_HPP_

#include <algorithm>
#include <cmath>

#include "foresight/profile/behavior_profiler.hpp"

namespace foresight {
namespace internal {

// Symmetric relative error summed over resources, each term in [0, 1].
inline double RelativeError(const ResourceVector& actual, const ResourceVector& predicted) {
  double e = 0.0;
  for (std::size_t r = 0; r < kNumResources; ++r) {
    const double a = actual.values[r], p = predicted.values[r];
    const double den = std::abs(a) + std::abs(p);
    if (den > 0.0) e += std::abs(a - p) / den;
  }
  return e;
}

}  // namespace internal

inline BehaviorProfiler::BehaviorProfiler(BehaviorProfilerOptions options)
    : options_(options),
      seasonal_(internal::SeasonalShapeBank::Options{options.buckets, options.seasonal_alpha,
                                                     options.peak_quantile, options.peak_eta,
                                                     options.utc_offset}),
      apps_(options.apps),
      sessions_(options.sessions),
      intents_(options.intents),
      workflows_(options.workflows),
      features_(options.sessions.active_cpu, options.classifier.busy_fraction),
      classifier_(options.classifier) {}

inline void BehaviorProfiler::Grow(std::size_t n) {
  if (n <= users_.size()) return;
  users_.resize(n);
  seasonal_.Resize(n);
  apps_.Resize(n);
  sessions_.Resize(n);
  intents_.Resize(n);
  workflows_.Resize(n);
  features_.Resize(n);
}

inline void BehaviorProfiler::Reserve(std::size_t n) { Grow(n); }

inline ResourceVector BehaviorProfiler::Level(Slot slot) const {
  ResourceVector out;
  if (slot >= slots()) return out;
  for (std::size_t r = 0; r < kNumResources; ++r) out.values[r] = users_[slot].level[r];
  return out;
}

inline ResourceVector BehaviorProfiler::SeasonalOrLevel(Slot slot, absl::Time t) const {
  const int b = seasonal_.Bucket(t);
  return seasonal_.Count(slot, b) > 0 ? seasonal_.Mean(slot, b) : Level(slot);
}

inline double BehaviorProfiler::ResidualAutocorrelation(Slot slot, Resource r) const {
  if (slot >= slots()) return 0.0;
  const UserState& u = users_[slot];
  const std::size_t i = Index(r);
  if (u.residual_n < 2.0f || u.residual_c0[i] <= 0.0f) return 0.0;
  return std::clamp(static_cast<double>(u.residual_c1[i]) / u.residual_c0[i], 0.0, 0.999);
}

inline double BehaviorProfiler::AppWeight(Slot slot) const {
  std::optional<AppChain::AppStats> app = apps_.Stats(slot, apps_.current_app(slot));
  if (!app || app->errors <= 0.0) return 0.5;
  const double eb = app->baseline_error, ea = app->error;
  return eb + ea > 0.0 ? eb / (eb + ea) : 0.5;
}

inline void BehaviorProfiler::Observe(Slot slot, absl::Time now, const UserObservation& obs) {
  if (!IsValidAmount(obs.usage) || now == absl::InfinitePast() || now == absl::InfiniteFuture() ||
      (slot < slots() && now <= users_[slot].last)) {
    ++skipped_;
    return;
  }
  if (slot >= slots()) {
    // Geometric growth keeps Observe amortised O(1) for slots seen in order.
    Grow(std::max<std::size_t>(static_cast<std::size_t>(slot) + 1, slots() * 3 / 2));
  }
  UserState& u = users_[slot];
  const ResourceVector& usage = obs.usage;

  // 1. Sessions; a finished session closes the app dwell and any intent.
  const SessionTracker::Change change = sessions_.Observe(slot, now, obs.events, usage.cpu());
  if (change.ended) {
    apps_.EndSession(slot, change.end_time);
    intents_.End(slot);
  }

  // 2. Declared intent (edge-triggered: a new id, or one repeated after a gap).
  if (obs.intent >= 0 && obs.intent != u.last_intent) {
    intents_.Declare(slot, now, obs.intent, u.samples > 0 ? SeasonalOrLevel(slot, now) : usage);
  }
  u.last_intent = obs.intent;

  // 3. Application launch.
  if ((obs.events & kEventAppLaunch) != 0 && obs.app >= 0) apps_.Launch(slot, now, obs.app);

  // The seasonal reference of this sample (before learning it).
  const int bucket = seasonal_.Bucket(now);
  const bool seasonal_seen = seasonal_.Count(slot, bucket) > 0;
  const ResourceVector seasonal = seasonal_seen ? seasonal_.Mean(slot, bucket) : Level(slot);

  // 4a. Residual to the seasonal mean of this bucket, as an AR(1). Pairs that
  // straddle a gap (more than 3 typical intervals) are not counted.
  double dt = 0.0;
  if (u.samples > 0) {
    dt = absl::ToDoubleSeconds(now - u.last);
    u.interval_seconds =
        u.interval_seconds == 0.0f
            ? static_cast<float>(dt)
            : static_cast<float>(u.interval_seconds + 0.05 * (dt - u.interval_seconds));
  }
  if (seasonal_seen) {
    const bool pair = u.has_residual && u.samples > 0 && dt <= 3.0 * u.interval_seconds;
    if (pair) u.residual_n += 1.0f;
    const double w = pair ? std::max(options_.accuracy_alpha, 1.0 / u.residual_n) : 0.0;
    for (std::size_t r = 0; r < kNumResources; ++r) {
      const double res = usage.values[r] - seasonal.values[r];
      if (pair) {
        u.residual_c1[r] =
            static_cast<float>(u.residual_c1[r] + w * (res * u.residual[r] - u.residual_c1[r]));
        u.residual_c0[r] =
            static_cast<float>(u.residual_c0[r] + w * (res * res - u.residual_c0[r]));
      }
      u.residual[r] = static_cast<float>(res);
    }
    u.has_residual = true;
  } else {
    u.has_residual = false;  // no seasonal reference: the recent level stands in
  }

  // 4b. Outside apps, learn how usage compares with the seasonal mean.
  if (apps_.current_app(slot) < 0 && u.samples > 0 && seasonal_seen) {
    u.off_app_n += 1.0f;
    const double w = std::max(options_.accuracy_alpha, 1.0 / u.off_app_n);
    for (std::size_t r = 0; r < kNumResources; ++r) {
      const double ratio =
          seasonal.values[r] > 0.0 ? std::min(usage.values[r] / seasonal.values[r], 10.0) : 1.0;
      u.off_app[r] = static_cast<float>(u.off_app[r] + w * (ratio - u.off_app[r]));
    }
  }

  // 5. Score the seasonal and the current-app predictors on this sample
  // (after the events: a launch is scored by the app it launched).
  if (u.samples > 0) {
    if (std::optional<AppChain::AppStats> app = apps_.Stats(slot, apps_.current_app(slot));
        app && app->samples > 0) {
      apps_.RecordError(slot, internal::RelativeError(usage, app->demand),
                        internal::RelativeError(usage, seasonal), options_.accuracy_alpha);
    }
  }

  // 6. Learn the sample everywhere.
  seasonal_.Observe(slot, now, usage);
  apps_.ObserveUsage(slot, usage);
  intents_.Observe(slot, now, usage);
  workflows_.Observe(slot, now, usage);
  features_.Observe(slot, usage.cpu());
  const double a = u.samples == 0 ? 1.0 : options_.level_alpha;
  for (std::size_t r = 0; r < kNumResources; ++r) {
    u.level[r] = static_cast<float>(u.level[r] + a * (usage.values[r] - u.level[r]));
  }
  ++u.samples;
  u.last = now;
  if (u.samples % static_cast<std::uint32_t>(std::max(options_.classify_every, 1)) == 0) {
    u.behavior = classifier_.Classify(Features(slot));
  }
}

inline void BehaviorProfiler::Forget(Slot slot) {
  // Components are grown together with users_, but each checks its own range.
  if (slot < slots()) users_[slot] = UserState{};  // also the clock: any time is new again
  seasonal_.Forget(slot);
  apps_.Forget(slot);
  sessions_.Forget(slot);
  intents_.Forget(slot);  // learns the open episode into the shared registry first
  workflows_.Forget(slot);
  features_.Forget(slot);
  classifier_.Forget(slot);
}

inline BehaviorFeatures BehaviorProfiler::Features(Slot slot) const {
  BehaviorFeatures f;
  if (!observed(slot)) return f;
  features_.Fill(slot, f);
  double hod[24];
  bool seen[24];
  seasonal_.HourOfDay(slot, Resource::kCpu, hod, seen);
  double lo = 0.0, hi = 0.0, sum = 0.0;
  int n = 0;
  for (int h = 0; h < 24; ++h) {
    if (!seen[h]) continue;
    lo = n == 0 ? hod[h] : std::min(lo, hod[h]);
    hi = n == 0 ? hod[h] : std::max(hi, hod[h]);
    sum += hod[h];
    ++n;
  }
  const double mean = n > 0 ? sum / n : 0.0;
  f.diurnal_amplitude = mean > 0.0 ? (hi - lo) / mean : 0.0;
  double excess = 0.0, night = 0.0;
  for (int h = 0; h < 24; ++h) {
    if (!seen[h]) continue;
    excess += hod[h] - lo;
    if (h >= 22 || h < 6) night += hod[h] - lo;
  }
  f.night_fraction = excess > 1e-12 * (1.0 + mean) ? night / excess : 1.0 / 3.0;
  double weekday = 0.0, weekend = 0.0;
  bool both = false;
  seasonal_.WeekdayWeekend(slot, Resource::kCpu, weekday, weekend, both);
  const double eps = 0.01 * mean + 1e-6;
  f.weekday_weekend_ratio = both ? (weekday + eps) / (weekend + eps) : 1.0;
  return f;
}

inline ProfileSummary BehaviorProfiler::Summary(Slot slot, absl::Time now) const {
  ProfileSummary s;
  if (!observed(slot)) return s;
  const int b = seasonal_.Bucket(now);
  if (seasonal_.Count(slot, b) > 0) {
    s.seasonal_mean = seasonal_.Mean(slot, b);
    s.seasonal_peak = seasonal_.Peak(slot, b);
  } else {
    s.seasonal_mean = s.seasonal_peak = Level(slot);
  }
  s.behavior = users_[slot].behavior;
  s.confidence = std::clamp(seasonal_.Coverage(slot, options_.full_confidence_samples), 0.0, 1.0);
  s.last_app = apps_.last_app(slot);
  const AppChain::Prediction next = apps_.Next(slot);
  s.likely_next_app = next.app;
  s.next_app_probability = next.probability;
  s.in_session = sessions_.in_session(slot);
  s.expected_session_minutes =
      s.in_session ? sessions_.ExpectedRemainingMinutes(slot, now) : sessions_.MeanMinutes(slot);
  s.intent = intents_.active(slot);
  s.workflow_stage = workflows_.Match(slot).stage;
  return s;
}

inline ResourceVector BehaviorProfiler::AppEstimate(Slot slot, const AppChain::AppStats& current,
                                                    double lead, const ResourceVector& base) const {
  // Probability that the session still runs at `lead` (from the session-length
  // histogram); being in an app at `lead` needs both, and the two are strongly
  // correlated (the last app ends the session), so the joint probability is
  // taken as the smaller one.
  const UserState& u = users_[slot];
  const double running =
      sessions_.in_session(slot)
          ? sessions_.Survival(
                slot, std::max(absl::ToDoubleMinutes(u.last - sessions_.session_start(slot)), 0.0),
                lead)
          : std::exp(-lead / 30.0);
  // Remaining dwell of the current app; one that overran is assumed to end soon.
  const double elapsed = std::max(absl::ToDoubleMinutes(u.last - apps_.current_since(slot)), 0.0);
  const double dwell = current.dwell_minutes > 0.0 ? current.dwell_minutes : 30.0;
  const double remaining = std::max(dwell > elapsed ? dwell - elapsed : 0.25 * dwell, 1.0);
  // Dwell left is taken as uniform on [0, 2 * remaining].
  const double p_stay = std::max(0.0, 1.0 - lead / (2.0 * remaining));
  const double in_current = std::min(p_stay, running);
  ResourceVector out = current.demand * in_current;
  double used = in_current;
  // One step further down the chain: b follows with P(b | a) and stays for its own dwell.
  const double after = std::max(lead - remaining, 0.0);
  apps_.ForEachNext(slot, current.app, [&](std::int32_t to, double p) {
    std::optional<AppChain::AppStats> st = apps_.Stats(slot, to);
    if (!st || st->samples <= 0.0) return;
    const double dwell_b = st->dwell_minutes > 0.0 ? st->dwell_minutes : 30.0;
    const double q =
        std::min((1.0 - p_stay) * p * std::max(0.0, 1.0 - after / (2.0 * dwell_b)), running);
    out += st->demand * q;
    used += q;
  });
  if (used > 1.0) return out / used;
  ResourceVector off = base;
  for (std::size_t r = 0; r < kNumResources; ++r) off.values[r] *= u.off_app[r];
  return out + off * (1.0 - used);
}

inline ResourceVector BehaviorProfiler::ExpectedDemand(Slot slot, absl::Time at) const {
  if (!observed(slot)) return {};
  const UserState& u = users_[slot];
  const absl::Time last = u.last;
  ResourceVector base = SeasonalOrLevel(slot, at);
  ResourceVector persisted = base;  // plus the decaying residual of the latest sample
  if (u.has_residual && u.interval_seconds > 0.0f &&
      seasonal_.Count(slot, seasonal_.Bucket(at)) > 0) {
    const double k = std::max(absl::ToDoubleSeconds(at - last), 0.0) / u.interval_seconds;
    for (Resource r : kAllResources) {
      const double rho = ResidualAutocorrelation(slot, r);
      if (rho > 0.0)
        persisted[r] = std::max(0.0, base[r] + std::pow(rho, k) * u.residual[Index(r)]);
    }
  }
  const ResourceVector intent = intents_.MultiplierAt(slot, at);
  const std::optional<ResourceVector> stage = workflows_.DemandAt(slot, last, at);
  auto shape = [&](ResourceVector v) {
    if (stage) {
      for (std::size_t r = 0; r < kNumResources; ++r) {
        if (stage->values[r] > 0.0) v.values[r] = stage->values[r];
      }
    }
    return v * intent;
  };
  base = shape(base);
  persisted = shape(persisted);
  std::optional<AppChain::AppStats> app = apps_.Stats(slot, apps_.current_app(slot));
  if (!app || app->samples <= 0.0) return persisted;
  // The current app explains the latest residual: its estimate falls back on
  // the plain seasonal base, not on the persisted one.
  const double lead = std::max(absl::ToDoubleMinutes(at - last), 0.0);
  const double w = AppWeight(slot);
  return persisted * (1.0 - w) + AppEstimate(slot, *app, lead, base) * w;
}

inline ResourceVector BehaviorProfiler::ExpectedPeak(Slot slot, absl::Time at) const {
  if (!observed(slot)) return {};
  const int b = seasonal_.Bucket(at);
  const ResourceVector spread = seasonal_.Count(slot, b) > 0
                                    ? seasonal_.Peak(slot, b) - seasonal_.Mean(slot, b)
                                    : ResourceVector{};
  return ExpectedDemand(slot, at) + Max(spread, ResourceVector{});
}

inline std::size_t BehaviorProfiler::BytesPerSlot() const {
  return sizeof(UserState) + seasonal_.BytesPerSlot() + apps_.BytesPerSlot() +
         sessions_.BytesPerSlot() + intents_.BytesPerSlot() + workflows_.BytesPerSlot() +
         features_.BytesPerSlot();
}

}  // namespace foresight

#endif  // FORESIGHT_PROFILE_BEHAVIOR_PROFILER_IMPL_HPP_
