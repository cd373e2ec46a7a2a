// -----------------------------------------------------------------------------
// File: young_headroom.hpp
// -----------------------------------------------------------------------------
//
// `YoungHeadroom<ForecasterT>` wraps any forecaster and, while a series is
// young, floors its upper quantiles at a fraction over the largest sample the
// series has shown so far, learned from how far the fleet's young series went
// past theirs:
//
//     q'(tau) = max(q(tau), P × (1 + m(age)))   for tau >= min_level, age < youth
//
// where P is the series' peak so far and m(age) the fleet's conformal rank at
// `level` of the excesses recorded at that age.
//
// The problem. Cloud VMs come and go (Azure's public 2017 trace averages 52 h
// per VM within its 30 days), so at any time many VMs are in their first day.
// A VM born at 15:00 has not yet shown its nightly job or its day's cache; the
// margin learners (`PeakHeadroom`, `PeakCap`) price a series' misses from its
// own history and category, which a VM a few hours old does not have. On the
// VM trace with a 2-day mean lifetime, `track+fleet+damped` then had 145 OOMs
// against VPA's 34, 125 of them in VMs' first 24 hours, almost all at a new
// peak (up to 1.6x the VM's peak so far), most at night. Holding the
// provisioned size for a young VM's first day removes them, but costs all of
// VPA's memory. What a young VM needs is what the fleet's young VMs went on to
// do after the same age.
//
// What it learns. The fleet (`FleetPeaks`) is shared with the other series of
// one fleet; its `edges` are ages in samples, and its category of a series of
// age a is `Bucket(a)`, 1 + the number of edges at or below a. When a series
// first reaches a category (with a peak P_b > 0 so far), it notes P_b; until
// the end of its youth it tracks the largest sample from then on, M_b. At
// `youth` samples it files, for each category it passed through,
//
//     r_b = max(0, M_b / P_b - 1)
//
// so the fleet's answer for a category is "of the fleet's series that reached
// this age, how far past their peak did the rest of their youth go?" A series
// that ends young (`End`: the Controller calls it when the pool reports the
// entity deleted) files the same records at its end, the rest of its life
// being the rest of its youth; a series that only stops being updated files
// nothing (censored, not zero). Series that all start together (a fleet replayed from its
// beginning) file their records when they are all past their youth, so the
// floor never applies to them: only series born into a fleet that has seen
// youths end are floored.
//
// The floor applies to quantile levels at or above `min_level` (the median and
// the point forecast are left alone), from the second sample of a series' life
// (P needs one) to its `youth`-th, and only while the fleet answers for its
// category; otherwise, and after its youth, the forecast passes through. A
// series reads its category's answer when it enters the category and every
// `refresh` samples after, so Predict never locks.
//
// Non-finite samples are passed to the wrapped forecaster and skipped by the
// bookkeeping (a gap does not age the series). Fit files the history's records
// as Update does.
//
// Cost: state is the wrapped state plus 2 per fleet bucket + 5 numbers. Update
// costs the wrapped Update plus, while young, O(categories); it locks the
// fleet on a category change, every `refresh` samples, and once at the end of
// the youth to file at most `categories` records. Predict adds
// O(horizon x levels) while young.
//
// | type   | name      | description                                           | default |
// |--------|-----------|-------------------------------------------------------|---------|
// | int    | youth     | samples a series is young for (>= 1)                  | 288     |
// | double | min_level | lowest quantile level floored, in (0, 1]              | 0.9     |
// | int    | refresh   | samples between reads of the fleet's answer (>= 1)    | 12      |
// | std::shared_ptr<FleetPeaks> | fleet | young records; edges are ages in samples (required) | - |
#ifndef FORESIGHT_FORECAST_YOUNG_HEADROOM_HPP_
#define FORESIGHT_FORECAST_YOUNG_HEADROOM_HPP_

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/forecast/fleet_peaks.hpp"
#include "foresight/forecast/forecaster.hpp"

namespace foresight {

struct YoungHeadroomOptions {
  int youth = 288;
  double min_level = 0.9;
  int refresh = 12;
  std::shared_ptr<FleetPeaks> fleet = nullptr;
};

// The young records' fleet for a youth of `youth_hours` at `samples_per_hour`:
// categories of age starting at 1, 3, 6, 12, 24, 48, ... hours, those under
// the youth (edges in samples). For a day: under 1 h, 1-3 h, 3-6 h, 6-12 h and
// 12-24 h. At 0.98 a category's answer is the largest of its first 50
// records.
inline FleetPeaksOptions YoungFleetOptions(double samples_per_hour = 12, double youth_hours = 24) {
  FleetPeaksOptions o;
  o.edges.clear();
  for (double hours : {1.0, 3.0}) {
    if (hours < youth_hours) o.edges.push_back(hours * samples_per_hour);
  }
  for (double hours = 6.0; hours < youth_hours; hours *= 2) {
    o.edges.push_back(hours * samples_per_hour);
  }
  o.level = 0.98;
  o.min_samples = 50;
  return o;
}

template <Forecaster ForecasterT>
class YoungHeadroom {
 public:
  struct State {
    typename ForecasterT::State inner;
    long long age = 0;                                       // finite samples seen
    double peak = -std::numeric_limits<double>::infinity();  // largest so far
    std::vector<double> entry_peak;  // per category: the peak when first reached (NaN: not yet)
    std::vector<double> after_max;   // per category: the largest sample since
    std::size_t bucket = 0;          // the category of the next sample
    double margin = std::nan("");    // the fleet's answer for it (NaN: none)
    long long read_at = 0;           // age at which `margin` was read
  };

  // Fails with InvalidArgumentError naming the first option out of range.
  static absl::StatusOr<YoungHeadroom> Create(ForecasterT inner, YoungHeadroomOptions options) {
    const YoungHeadroomOptions& o = options;
    if (o.youth < 1) return Invalid("youth must be >= 1, got ", o.youth);
    if (!(o.min_level > 0.0 && o.min_level <= 1.0)) {
      return Invalid("min_level must be in (0, 1], got ", o.min_level);
    }
    if (o.refresh < 1) return Invalid("refresh must be >= 1, got ", o.refresh);
    if (!o.fleet) return Invalid("fleet is required (the young records are the fleet's)");
    return YoungHeadroom(std::move(inner), std::move(options));
  }

  static std::string_view Name() { return "young_headroom"; }
  const ForecasterT& inner() const { return inner_; }
  const YoungHeadroomOptions& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    return Tracked(inner_.Fit(history), history);
  }
  // Forwarded so that wrapping keeps a per-resource forecaster resource-aware.
  absl::StatusOr<State> FitFor(Resource r, std::span<const double> history) const
    requires ResourceAwareForecaster<ForecasterT>
  {
    return Tracked(inner_.FitFor(r, history), history);
  }

  void Update(State& state, double y) const {
    inner_.Update(state.inner, y);
    Track(state, y);
  }

  // The series has ended (its entity is gone). Young, it files its records
  // now: the rest of its life was the rest of its youth. Passed on inward.
  void End(State& state) const {
    if (state.age > 0 && state.age < options_.youth) File(state);
    EndSeries(inner_, state.inner);
  }

  // The floor in force as a fraction over the peak so far (NaN: none).
  double Floor(const State& state) const {
    if (state.age < 1 || state.age >= options_.youth || !(state.peak > 0.0)) return std::nan("");
    return state.margin;
  }

  Forecast Predict(const State& state, int horizon) const {
    Forecast f = inner_.Predict(state.inner, horizon);
    const double m = Floor(state);
    if (!std::isfinite(m)) return f;
    const double floor = state.peak * (1.0 + m);
    const std::span<const double> levels = f.levels();
    for (int step = 1; step <= f.horizon(); ++step) {
      for (std::size_t k = 0; k < levels.size(); ++k) {
        if (levels[k] < options_.min_level) continue;
        f.quantile(step, k) = std::max(f.quantile(step, k), floor);
      }
    }
    return f;
  }

 private:
  YoungHeadroom(ForecasterT inner, YoungHeadroomOptions options)
      : inner_(std::move(inner)), options_(std::move(options)) {}

  template <typename... Args>
  static absl::Status Invalid(const Args&... args) {
    return absl::InvalidArgumentError(absl::StrCat("YoungHeadroom: ", args...));
  }

  std::size_t BucketOf(long long age) const {
    return options_.fleet->Bucket(static_cast<double>(age), /*cold=*/false);
  }

  void Track(State& state, double y) const {
    if (!std::isfinite(y) || state.age >= options_.youth) return;
    // The sample at age `state.age` is the first of its category after a
    // peak has been seen: the category's entry.
    const std::size_t b = BucketOf(state.age);
    if (state.peak > 0.0 && std::isnan(state.entry_peak[b])) {
      state.entry_peak[b] = state.peak;
      state.after_max[b] = y;
    }
    for (std::size_t c = 0; c < state.entry_peak.size(); ++c) {
      if (!std::isnan(state.entry_peak[c])) state.after_max[c] = std::max(state.after_max[c], y);
    }
    state.peak = std::max(state.peak, y);
    ++state.age;
    if (state.age == options_.youth) {
      File(state);
      return;
    }
    const std::size_t next = BucketOf(state.age);
    if (next != state.bucket || state.age - state.read_at >= options_.refresh) {
      state.bucket = next;
      state.margin = options_.fleet->Margin(next);
      state.read_at = state.age;
    }
  }

  // Files one record per category the series entered, and ends its youth.
  void File(State& state) const {
    for (std::size_t c = 0; c < state.entry_peak.size(); ++c) {
      if (std::isnan(state.entry_peak[c])) continue;
      options_.fleet->Add(c, std::max(0.0, state.after_max[c] / state.entry_peak[c] - 1.0));
    }
    state.age = options_.youth;
    state.margin = std::nan("");
  }

  absl::StatusOr<State> Tracked(absl::StatusOr<typename ForecasterT::State> inner,
                                std::span<const double> history) const {
    if (!inner.ok()) return inner.status();
    State s;
    s.inner = *std::move(inner);
    s.entry_peak.assign(options_.fleet->num_buckets(), std::nan(""));
    s.after_max.assign(options_.fleet->num_buckets(), std::nan(""));
    s.bucket = BucketOf(0);
    s.margin = options_.fleet->Margin(s.bucket);
    for (double y : history) Track(s, y);
    return s;
  }

  ForecasterT inner_;
  YoungHeadroomOptions options_;
};

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_YOUNG_HEADROOM_HPP_
