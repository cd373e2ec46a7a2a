// -----------------------------------------------------------------------------
// File: envelope.hpp
// -----------------------------------------------------------------------------
//
// `PeakEnvelope` forecasts the *upper envelope* of a series rather than its
// mean: step h is the largest of
//
//   * the recent peak, max of the last `recent` samples, and
//   * for each of the last `seasons` seasons, the seasonal peak: the max of the
//     samples within `width` steps of t + h one season (two seasons, ...) back.
//
// and, with `ramp_season` set (a week, say), a *seasonal ramp*:
//
//   * for each of the last `ramp_seasons` such seasons, how far the window
//     within `width` steps of t + h one season back rose above the recent peak
//     just before that window (its `recent` samples), added to today's recent
//     peak.
//
// A ramp that recurs at this time of the week (Monday morning after a quiet
// weekend, which yesterday's peak cannot show) is then ahead of its time, and
// since only the rise is brought back, a level the series has since left (a
// deployment that shrank it) is not: a seasonal peak a week back would hold
// every step-down's old level for a week.
//
// The first ramp season of a series has no rise to bring back: its first
// Monday is a miss, and the conformal margin learns it. Looking back over
// every day of the first week instead was tried and not kept: the first week
// then hid the daily model's misses from the margin, which was too small
// in the second (55 % more OOMs on the built-in workload). A floor outside
// the margin covers the first week instead (PeakHeadroom's
// phase_floor_periods).
//
// It is meant for limits that must not be undercut (memory: one sample above
// the limit is an OOM): the recent peak tracks levels, leaks and steps, the
// seasonal peaks bring back what happened at this time yesterday (the nightly
// job, the working-day cache) before it happens, with `width` absorbing jitter
// in start times. Its errors y - envelope are mostly negative; wrap it in
// `Conformal<PeakEnvelope>` to add a calibrated upper margin for what neither
// explains (unpredictable spikes, step changes). On its own, its quantiles come
// from its recent errors like every point model (`PointForecaster`).
//
//   Conformal<PeakEnvelope> memory(PeakEnvelope({.recent = 12, .season = 288}),
//                                  {.horizon = 2, .window = 2016});
//
// Cost: state is a ring of season * seasons + width + 1 samples, at least
// ramp_season * ramp_seasons + width + recent + 1 with ramps and at least
// `recent`; Update is O(1) amortised, Predict is
// O(recent + horizon * (seasons * (2 width + 1) + ramp_seasons * (2 width + 1 + recent))).
//
// | type | name    | description                                        | default |
// |------|---------|----------------------------------------------------|---------|
// | int  | recent  | samples in the recent peak (>= 1)                  | 12      |
// | int  | season  | samples per season (0: no seasonal peak)           | 288     |
// | int  | seasons | past seasons whose peaks count                     | 1       |
// | int  | width   | half-width of each seasonal window, in samples     | 3       |
// | int  | ramp_season  | samples per ramp season (0: no seasonal ramps) | 0       |
// | int  | ramp_seasons | past ramp seasons whose rises count            | 1       |
#ifndef FORESIGHT_FORECAST_ENVELOPE_HPP_
#define FORESIGHT_FORECAST_ENVELOPE_HPP_

#include <algorithm>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"

namespace foresight {

struct PeakEnvelopeOptions {
  int recent = 12;
  int season = 288;
  int seasons = 1;
  int width = 3;
  int ramp_season = 0;   // samples per ramp season (a week, say; 0: none)
  int ramp_seasons = 1;  // past ramp seasons whose rises count
};

namespace internal {

struct PeakEnvelopeModel {
  PeakEnvelopeOptions options;

  struct State {
    std::vector<double> ring;  // the last `Capacity()` samples
    long long t = 0;           // samples seen
    double sum = 0.0;          // of the samples in the ring (for Level)
  };
  static std::string_view Name() { return "envelope"; }

  long long Recent() const { return std::max(options.recent, 1); }
  long long Season() const { return std::max(options.season, 0); }
  long long Seasons() const { return Season() > 0 ? std::max(options.seasons, 0) : 0; }
  long long Width() const { return std::max(options.width, 0); }
  long long RampSeason() const { return std::max(options.ramp_season, 0); }
  long long RampSeasons() const { return RampSeason() > 0 ? std::max(options.ramp_seasons, 0) : 0; }
  long long Capacity() const {
    return std::max({Recent(), Season() * Seasons() + Width() + 1,
                     RampSeason() * RampSeasons() + Width() + Recent() + 1});
  }

  State Start() const {
    return State{std::vector<double>(static_cast<std::size_t>(Capacity()), 0.0), 0, 0.0};
  }
  // O(1) amortised: the running sum is re-added exactly once per lap of the
  // ring, so rounding cannot drift.
  void Step(State& s, double y) const {
    double& slot = s.ring[static_cast<std::size_t>(s.t % Capacity())];
    s.sum += y - slot;  // the slot holds 0 until the ring is full
    slot = y;
    ++s.t;
    if (s.t % Capacity() == 0) {
      s.sum = 0.0;
      for (double v : s.ring) s.sum += v;
    }
  }
  // Sample with absolute index i (requires t - Capacity() <= i < t).
  double At(const State& s, long long i) const {
    return s.ring[static_cast<std::size_t>(i % Capacity())];
  }
  void Point(const State& s, std::span<double> out) const {
    if (s.t == 0) {
      std::fill(out.begin(), out.end(), 0.0);
      return;
    }
    double recent = -std::numeric_limits<double>::infinity();
    for (long long i = std::max(0LL, s.t - Recent()); i < s.t; ++i) recent = std::max(recent, At(s, i));
    const long long oldest = std::max(0LL, s.t - Capacity());
    for (std::size_t k = 0; k < out.size(); ++k) {
      const long long target = s.t + static_cast<long long>(k);  // index of step k + 1
      double peak = recent;
      for (long long j = 1; j <= Seasons(); ++j) {
        const long long centre = target - j * Season();
        const long long lo = std::max(oldest, centre - Width());
        const long long hi = std::min(s.t - 1, centre + Width());
        for (long long i = lo; i <= hi; ++i) peak = std::max(peak, At(s, i));
      }
      for (long long j = 1; j <= RampSeasons(); ++j) {
        // The window one ramp season back, and the recent peak just before it.
        const long long lo = target - j * RampSeason() - Width();
        const long long before = lo - Recent();
        if (before < oldest) continue;  // not all of it is in the ring (yet)
        const long long hi = std::min(s.t - 1, target - j * RampSeason() + Width());
        double window = -std::numeric_limits<double>::infinity();
        double base = -std::numeric_limits<double>::infinity();
        for (long long i = lo; i <= hi; ++i) window = std::max(window, At(s, i));
        for (long long i = before; i < lo; ++i) base = std::max(base, At(s, i));
        if (window > base) peak = std::max(peak, recent + (window - base));
      }
      out[k] = peak;
    }
  }
  double Level(const State& s) const {
    const long long n = std::min(s.t, Capacity());
    return n > 0 ? s.sum / static_cast<double>(n) : 0.0;
  }
};

}  // namespace internal

class PeakEnvelope : public internal::PointForecaster<internal::PeakEnvelopeModel> {
 public:
  explicit PeakEnvelope(PeakEnvelopeOptions options = {},
                        internal::ErrorQuantiles::Options errors = {})
      : PointForecaster(internal::PeakEnvelopeModel{options}, errors) {}
  const PeakEnvelopeOptions& options() const { return model().options; }
};
static_assert(Forecaster<PeakEnvelope>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_ENVELOPE_HPP_
