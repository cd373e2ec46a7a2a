// -----------------------------------------------------------------------------
// File: peak_headroom.hpp
// -----------------------------------------------------------------------------
//
// `PeakHeadroom<ForecasterT>` is a decorator that plays the Forecaster role. It
// is `Headroom` with a margin *learned per series* from its period peaks
// instead of one fixed fraction for every series.
//
// Every sample y is scored against the mean the wrapped forecaster issued `lag`
// steps before it, as its excess over that mean in units of the series' level
// (an exponential mean of its samples over about one period):
//
//     e = (y - mean) / level.
//
// Each period (a day, say) keeps only its largest excess, its *peak excess*.
// The margin is the conformal rank, at `level`, of the peak excesses of the
// last `periods` whole periods and of the current partial one (n in all):
//
//     k = ceil((n + 1) * level), clamped to 1..n,
//
// so the margin at level 0.98 over 28 periods is the largest peak excess of the
// last four weeks. Every quantile at a level of 1/2 or more is raised to at
// least the mean plus that margin:
//
//     q'(tau) = max(q(tau), mean + margin * level)    for tau >= 1/2.
//
// Why period peaks. A memory limit is judged by the days on which it was never
// undercut (OOM-free entity-days), and one undercut sample spoils a day. A
// per-step residual quantile treats a day of 288 samples as 288 chances. The
// peak excess asks the question the metric asks: by how much did this series
// exceed its own forecast at its worst step of each day? A series whose days
// are quiet gets a small margin; one with spikes or steps gets a margin the size
// of the spikes it has shown, for as long as they stay in its window.
//
// Why the level and not the mean. A ratio y / mean would scale a margin learned
// at a quiet hour by the mean of a busy one: a nightly job that doubles memory
// would be given twice the room it ever needed. In units of the level, the
// margin adds the same room at every hour, as an additive conformal margin does.
//
// Warm-up and bounds. The first `warmup_periods` periods are not scored: the
// wrapped forecaster is still learning its season then, and a nightly job it
// has not yet seen once would look like a spike for the next `periods`. Until
// `min_periods` whole periods are scored the margin is at least `prior` (what a
// new series gets, the fixed `Headroom` fraction). The margin is never below
// `min_fraction` (room for a step no window has shown yet) nor above
// `max_fraction`. Missing (non-finite) samples, and samples with no mean issued
// for them yet, are not scored.
//
// A fleet (optional). With `fleet` set, every whole period's peak excess is
// also filed in that shared `FleetPeaks` under the series' category (its own
// margin when the period began, or cold), and the margin is at least the
// fleet's margin for the series' current category: what the fleet's periods
// that began like this one brought (Mondrian conformal, fleet_peaks.hpp). It
// prices what a series' own few weeks cannot show (a deployment step on a VM
// that has been flat so far) from the VMs that showed it, and a fleet that never
// shows such steps gives its quiet series no more than their own noise, so the
// hand-set `min_fraction` floor can be 0. While the series' category has too
// few peaks in the fleet to answer, `prior` applies until `min_periods` periods
// are scored and `fleet_fallback` after (by default `prior` again, whatever
// `min_periods`): a small fleet may never answer, and `fleet_fallback` is then
// the floor, as `min_fraction` is without a fleet.
//
//   absl::StatusOr<PeakHeadroom<Conformal<PeakEnvelope>>> memory =
//       PeakHeadroom<Conformal<PeakEnvelope>>::Create(
//           Conformal<PeakEnvelope>(PeakEnvelope(e), c, kTailQuantileLevels),
//           {.period = 288, .lag = 3, .min_fraction = 0.2});
//
// A new regime (optional). One jump of many levels (a VM started from idle,
// resized) would be scored as a spike and hold the margin at `max_fraction`
// for `periods` periods. With `regime_fraction` finite, a sample more than
// that many levels above its mean, and above every sample of the window (a
// level the series has not shown: a return to its job level is no new
// regime), opens a pending jump; if every scored sample
// for the next `regime_steps` stays at least half the jump above the mean it
// was scored against, the series restarts: its own peaks and level are
// dropped, the means in flight are discarded, and `prior` applies again as for
// a new series. A jump that falls back sooner stays scored as a spike.
//
// A cap is not this decorator's: wrap it in `PeakCap` (peak_cap.hpp), which
// caps every quantile over the window's peak at a fraction it learns. A
// series that switches between idle and a job of fixed size shows jump-sized
// errors, and this margin learns them; uncapped, they ride on top of the job
// level as well.
//
// A cold-start phase floor (optional). With `phase_floor_periods` > 0, for a
// series' first `phase_floor_periods` periods every quantile at a level of
// 1/2 or more is also at least the largest sample the series has shown within
// `phase_floor_width` phases of the step's phase, on any period so far. A
// new series has not shown its week yet: until it has, each hour is taken to
// be able to do what that hour did on any day so far (the first Monday after
// a quiet weekend, which a wrapped daily or weekly envelope cannot yet bring
// back). The floor is outside the wrapped forecaster, so its calibration
// still learns the wrapped model's own misses. While it holds, samples are
// scored against the larger of the mean and the floor, what the limit was
// built on: a first-week Monday the floor covered is no excess. The floor
// is raised by `phase_floor_fraction` of itself: it is one period's sample,
// which the next period's at the same level exceeds about half the time.
// Samples are scored against the floor before that room, so the room is
// not taken from what the margin learns.

//
// Cost: state is the wrapped state plus 3 `periods` + `lag` + 15 numbers
// (and `period` more with a phase floor).
// Update costs the wrapped Update plus the wrapped model's means for `lag`
// steps (`PredictMeans`: no quantiles when it is a `MeanForecaster`), to
// record the mean the sample `lag` steps on is scored against, and once a
// period O(periods log periods). Predict costs the wrapped Predict plus
// O(log periods + horizon * levels). Fit fits the wrapped forecaster on all but
// the last `periods` periods of the history and replays those through Update,
// so the peaks it learns are out of sample (Fit(x) then Update(y) equals
// Fit(x + y) only up to where that split falls). FitFor does the same when the
// wrapped forecaster is resource-aware. With a fleet, Fit files the replayed
// periods' peaks in it too, as Update does.
//
// | type   | name           | description                                          | default |
// |--------|----------------|------------------------------------------------------|---------|
// | int    | period         | samples per period (>= 1)                            | 288     |
// | int    | periods        | whole periods whose peak excesses are kept (>= 1)    | 28      |
// | double | level          | conformal level of the margin, in (0, 1]             | 0.98    |
// | int    | lag            | steps from the scored mean to its sample (>= 1)      | 1       |
// | int    | warmup_periods | first periods not scored (>= 0)                      | 1       |
// | int    | min_periods    | scored periods before `prior` stops applying (>= 0)  | 3       |
// | double | prior          | smallest margin until then (>= 0)                    | 0.3     |
// | double | min_fraction   | smallest margin ever (>= 0)                          | 0       |
// | double | max_fraction   | largest margin ever (>= min_fraction)                | 3       |
// | double | regime_fraction| jump (levels) that may start a new regime (> 0)     | infinity|
// | int    | regime_steps   | samples the jump must hold to restart (>= 1)         | 12      |
// | std::shared_ptr<FleetPeaks> | fleet | peaks pooled across the fleet's series    | none    |
// | double | fleet_fallback | floor while the fleet cannot answer, once min_periods are scored (>= 0; NaN: prior) | NaN |
// | int    | phase_floor_periods | first periods floored at each phase's peak so far (>= 0) | 0 |
// | int    | phase_floor_width   | half-width of the floor's phase window (0..period-1) | 0 |
// | double | phase_floor_fraction | room over that floor, a fraction of it (>= 0) | 0 |
#ifndef FORESIGHT_FORECAST_PEAK_HEADROOM_HPP_
#define FORESIGHT_FORECAST_PEAK_HEADROOM_HPP_

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/fleet_peaks.hpp"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/period_maxima.hpp"

namespace foresight {

struct PeakHeadroomOptions {
  int period = 288;
  int periods = 28;
  double level = 0.98;
  int lag = 1;
  int warmup_periods = 1;
  int min_periods = 3;
  double prior = 0.3;
  double min_fraction = 0.0;
  double max_fraction = 3.0;
  double regime_fraction = std::numeric_limits<double>::infinity();  // jump that may restart
  int regime_steps = 12;  // samples a jump must hold to restart (a new regime, not a spike)
  std::shared_ptr<FleetPeaks> fleet = nullptr;  // pooled peaks of the fleet (none: own window only)
  double fleet_fallback = std::numeric_limits<double>::quiet_NaN();  // NaN: prior
  int phase_floor_periods = 0;  // first periods floored at each phase's peak so far (0: never)
  int phase_floor_width = 0;    // half-width of that floor's phase window, in samples
  double phase_floor_fraction = 0.0;  // room over that floor, a fraction of it
};

template <Forecaster ForecasterT>
class PeakHeadroom {
 public:
  struct State {
    typename ForecasterT::State inner;
    std::vector<double> peaks;  // ring of the last `periods` whole periods' peak excesses
    std::vector<double> sorted; // the same, sorted
    std::vector<double> means;  // ring of the last `lag` issued means (NaN: none)
    int filled = 0;             // whole periods in `peaks`
    int head = 0;               // next slot of `peaks`
    long long t = 0;            // samples seen
    double current = -std::numeric_limits<double>::infinity();  // this period's peak excess
    double level = 0.0;         // exponential mean of the samples, over about a period
    long long level_n = 0;      // samples in `level` since it (re)started
    long long regimes = 0;      // regime restarts so far
    double jump_base = 0.0;     // a pending jump: the mean it was scored against,
    double jump_height = 0.0;   //   how far above it the sample was,
    int jump_left = 0;          //   and samples it must still hold (0: none pending)
    std::vector<double> phase_peak;  // largest sample at each phase so far (cold start only)
    internal::PeriodMaxima maxima;  // the window's and this period's largest samples
    std::size_t bucket = 0;     // the fleet category this period's peak is filed under
    double fleet_margin = std::numeric_limits<double>::quiet_NaN();  // its fleet margin
  };

  // Fails with InvalidArgumentError naming the first option out of range.
  static absl::StatusOr<PeakHeadroom> Create(ForecasterT inner, PeakHeadroomOptions options = {}) {
    const PeakHeadroomOptions& o = options;
    if (o.period < 1) return Invalid("period must be >= 1, got ", o.period);
    if (o.periods < 1) return Invalid("periods must be >= 1, got ", o.periods);
    if (!(o.level > 0.0 && o.level <= 1.0)) return Invalid("level must be in (0, 1], got ", o.level);
    if (o.lag < 1) return Invalid("lag must be >= 1, got ", o.lag);
    if (o.warmup_periods < 0) return Invalid("warmup_periods must be >= 0, got ", o.warmup_periods);
    if (o.min_periods < 0) return Invalid("min_periods must be >= 0, got ", o.min_periods);
    if (!std::isfinite(o.prior) || o.prior < 0.0) return Invalid("prior must be finite and >= 0, got ", o.prior);
    if (std::isinf(o.fleet_fallback) || o.fleet_fallback < 0.0) {
      return Invalid("fleet_fallback must be finite and >= 0 (NaN: prior), got ", o.fleet_fallback);
    }
    if (!std::isfinite(o.min_fraction) || o.min_fraction < 0.0) {
      return Invalid("min_fraction must be finite and >= 0, got ", o.min_fraction);
    }
    if (!std::isfinite(o.max_fraction) || o.max_fraction < o.min_fraction) {
      return Invalid("max_fraction must be finite and >= min_fraction, got ", o.max_fraction);
    }
    if (std::isnan(o.regime_fraction) || o.regime_fraction <= 0.0) {
      return Invalid("regime_fraction must be > 0 (infinity: never restart), got ",
                     o.regime_fraction);
    }
    if (o.regime_steps < 1) return Invalid("regime_steps must be >= 1, got ", o.regime_steps);
    if (o.phase_floor_periods < 0) {
      return Invalid("phase_floor_periods must be >= 0, got ", o.phase_floor_periods);
    }
    if (o.phase_floor_width < 0 || o.phase_floor_width >= o.period) {
      return Invalid("phase_floor_width must be in [0, period), got ", o.phase_floor_width);
    }
    if (!std::isfinite(o.phase_floor_fraction) || o.phase_floor_fraction < 0.0) {
      return Invalid("phase_floor_fraction must be finite and >= 0, got ", o.phase_floor_fraction);
    }

    return PeakHeadroom(std::move(inner), options);
  }

  static std::string_view Name() { return "peak_headroom"; }
  const ForecasterT& inner() const { return inner_; }
  const PeakHeadroomOptions& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    const std::span<const double> prefix = history.first(history.size() - Scored(history));
    return Replayed(inner_.Fit(prefix), history.last(Scored(history)));
  }
  // Forwarded so that wrapping keeps a per-resource forecaster resource-aware.
  absl::StatusOr<State> FitFor(Resource r, std::span<const double> history) const
    requires ResourceAwareForecaster<ForecasterT>
  {
    const std::span<const double> prefix = history.first(history.size() - Scored(history));
    return Replayed(inner_.FitFor(r, prefix), history.last(Scored(history)));
  }

  void Update(State& state, double y) const {
    const std::size_t slot = static_cast<std::size_t>(state.t % options_.lag);
    const double mean = state.means[slot];
    const bool warm = state.t >= static_cast<long long>(options_.warmup_periods) * options_.period;
    bool restarted = false;
    if (warm && std::isfinite(y) && std::isfinite(mean) && state.level > 0.0) {
      const double e = (y - mean) / state.level;
      state.current = std::max(state.current, e);
      if (state.jump_left > 0) {
        if (y < state.jump_base + 0.5 * state.jump_height) {
          state.jump_left = 0;  // it fell back: a spike, and scored as one
        } else if (--state.jump_left == 0) {
          Restart(state);  // it held: a new regime
          restarted = true;
        }
      } else if (e > options_.regime_fraction && y > WindowMax(state)) {
        // Only a level above any the window has seen opens a jump: a series
        // that switches between levels it has shown before (a batch VM
        // between idle and its job) has no new regime to restart for.
        state.jump_base = mean;
        state.jump_height = y - mean;
        state.jump_left = options_.regime_steps;
      }
    }
    state.maxima.Add(y);
    if (std::isfinite(y) && Cold(state)) {
      double& peak = state.phase_peak[static_cast<std::size_t>(state.t % options_.period)];
      peak = std::max(peak, y);
    }
    if (std::isfinite(y)) {
      const double a = state.level_n < options_.period
                           ? 1.0 / static_cast<double>(state.level_n + 1)
                           : 1.0 / static_cast<double>(options_.period);
      state.level += a * (y - state.level);
      ++state.level_n;
    }
    ++state.t;
    if (state.t % options_.period == 0) {
      state.maxima.EndPeriod();
      if (std::isfinite(state.current)) {
        // A period that ends on a pending jump is not filed in the fleet: if
        // the jump holds it is a new regime, and its excess (often hundreds
        // of levels, from a start at idle) would be the fleet's 0.98 rank for
        // a small category. The series' own window is cleared by the restart.
        if (options_.fleet && state.jump_left == 0) options_.fleet->Add(state.bucket, state.current);
        state.peaks[static_cast<std::size_t>(state.head)] = state.current;
        state.head = (state.head + 1) % options_.periods;
        state.filled = std::min(state.filled + 1, options_.periods);
        state.sorted.assign(state.peaks.begin(), state.peaks.begin() + state.filled);
        std::sort(state.sorted.begin(), state.sorted.end());
      }
      state.current = -std::numeric_limits<double>::infinity();
      Refile(state);
    }
    inner_.Update(state.inner, y);
    // The mean for the sample `lag` steps from now takes this slot. Means
    // issued before a restart are stale: the `lag` samples after it are not
    // scored.
    // While the phase floor holds, the sample is scored against what the
    // limit was built on: the mean or, where higher, the floor.
    if (!restarted) {
      absl::InlinedVector<double, 16> means(static_cast<std::size_t>(options_.lag));
      PredictMeans(inner_, state.inner, std::span<double>(means));
      double mean_ahead = means.back();
      if (Cold(state)) mean_ahead = std::max(mean_ahead, PhasePeak(state, state.t + options_.lag - 1));
      state.means[slot] = mean_ahead;
    }
  }

  // The margin, in units of the level: the conformal rank of the whole
  // periods' peak excesses and the current period's, merged without a copy,
  // then bounded. O(log periods).
  double Margin(const State& state) const {
    const std::vector<double>& sorted = state.sorted;
    const bool current = std::isfinite(state.current);
    const std::size_t n = sorted.size() + (current ? 1 : 0);
    double m = options_.min_fraction;
    if (n > 0) {
      const std::size_t i = internal::ConformalIndex(n, options_.level);
      double rank;
      if (!current) {
        rank = sorted[i];
      } else {
        const std::size_t below = static_cast<std::size_t>(
            std::lower_bound(sorted.begin(), sorted.end(), state.current) - sorted.begin());
        rank = i < below ? sorted[i] : i == below ? state.current : sorted[i - 1];
      }
      m = std::max(m, rank);
    }
    if (std::isfinite(state.fleet_margin)) {
      m = std::max(m, state.fleet_margin);
    } else if (state.filled < options_.min_periods) {
      m = std::max(m, options_.prior);
    } else if (options_.fleet != nullptr) {
      m = std::max(m, std::isnan(options_.fleet_fallback) ? options_.prior
                                                          : options_.fleet_fallback);
    }
    return std::min(m, options_.max_fraction);
  }
  // The series' own margin from its whole periods alone (NaN before the first
  // is scored), unbounded: what files it in a fleet category.
  double OwnMargin(const State& state) const {
    if (state.sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
    return state.sorted[internal::ConformalIndex(state.sorted.size(), options_.level)];
  }
  // The series' level: the exponential mean the margin is measured in.
  double Level(const State& state) const { return state.level; }

  Forecast Predict(const State& state, int horizon) const {
    Forecast f = inner_.Predict(state.inner, horizon);
    const double room = Margin(state) * state.level;
    const std::span<const double> levels = f.levels();
    const bool cold = Cold(state);
    for (int step = 1; step <= f.horizon(); ++step) {
      double floor = f.mean(step) + room;
      if (!(floor > f.mean(step))) floor = -std::numeric_limits<double>::infinity();  // no room
      if (cold) {
        const double peak = PhasePeak(state, state.t + step - 1);
        floor = std::max(floor, peak + std::abs(peak) * options_.phase_floor_fraction);
      }
      if (std::isfinite(floor)) {
        for (std::size_t k = 0; k < levels.size(); ++k) {
          if (levels[k] >= 0.5) f.quantile(step, k) = std::max(f.quantile(step, k), floor);
        }
      }
    }
    return f;
  }

 private:
  PeakHeadroom(ForecasterT inner, PeakHeadroomOptions options)
      : inner_(std::move(inner)), options_(options) {}

  template <typename... Args>
  static absl::Status Invalid(const Args&... args) {
    return absl::InvalidArgumentError(absl::StrCat("PeakHeadroom: ", args...));
  }

  // The largest sample of the last `periods` whole periods and this one.
  static double WindowMax(const State& state) { return state.maxima.Max(); }
  // Whether the series is still in its first `phase_floor_periods` periods.
  bool Cold(const State& state) const {
    return state.t < static_cast<long long>(options_.phase_floor_periods) * options_.period;
  }
  // The largest sample seen so far within `phase_floor_width` phases of the
  // phase of sample `index` (-infinity if none).
  double PhasePeak(const State& state, long long index) const {
    double peak = -std::numeric_limits<double>::infinity();
    const long long p = options_.period;
    for (long long d = -options_.phase_floor_width; d <= options_.phase_floor_width; ++d) {
      const long long phase = (((index + d) % p) + p) % p;
      peak = std::max(peak, state.phase_peak[static_cast<std::size_t>(phase)]);
    }
    return peak;
  }

  // A new regime (a start from idle, a resize): the series' own peaks and its
  // level describe the old one, so they are dropped, the level restarts at the
  // sample that confirmed the jump, and `prior` applies again until
  // `min_periods` periods are scored. The means in flight were issued for the
  // old regime.
  void Restart(State& state) const {
    ++state.regimes;
    state.filled = 0;
    state.head = 0;
    state.sorted.clear();
    state.current = -std::numeric_limits<double>::infinity();
    state.level = 0.0;
    state.level_n = 0;
    state.jump_left = 0;
    std::fill(state.means.begin(), state.means.end(), std::nan(""));
    Refile(state);
  }

  // At a period boundary: the fleet category of the period starting now, and
  // that category's margin as the fleet knows it now.
  void Refile(State& state) const {
    if (!options_.fleet) return;
    state.bucket = options_.fleet->Bucket(OwnMargin(state), state.filled < options_.min_periods);
    state.fleet_margin = options_.fleet->Margin(state.bucket);
  }

  // Fit scores the last `periods` periods of a history out of sample.
  std::size_t Scored(std::span<const double> history) const {
    return std::min(history.size(), static_cast<std::size_t>(options_.periods) *
                                        static_cast<std::size_t>(options_.period));
  }

  absl::StatusOr<State> Replayed(absl::StatusOr<typename ForecasterT::State> inner,
                                 std::span<const double> history) const {
    if (!inner.ok()) return inner.status();
    for (std::size_t i = 0; i < history.size(); ++i) {
      if (!std::isfinite(history[i])) {
        return Invalid("history sample ", i, " of the scored tail is not finite (", history[i], ")");
      }
    }
    State s;
    s.inner = *std::move(inner);
    s.peaks.assign(static_cast<std::size_t>(options_.periods), 0.0);
    s.means.assign(static_cast<std::size_t>(options_.lag), std::nan(""));
    s.maxima = internal::PeriodMaxima(options_.periods);
    if (options_.phase_floor_periods > 0) {
      s.phase_peak.assign(static_cast<std::size_t>(options_.period),
                          -std::numeric_limits<double>::infinity());
    }
    Refile(s);
    for (double y : history) Update(s, y);
    return s;
  }

  ForecasterT inner_;
  PeakHeadroomOptions options_;
};

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_PEAK_HEADROOM_HPP_
