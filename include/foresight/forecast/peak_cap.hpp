// -----------------------------------------------------------------------------
// File: peak_cap.hpp
// -----------------------------------------------------------------------------
//
// `PeakCap<ForecasterT>` is a decorator that plays the Forecaster role. It caps
// every quantile of the wrapped forecaster at a fraction over the largest
// sample the series has shown in its window, a fraction *learned per series*
// from how far its periods have gone past that peak:
//
//     q'(tau) = min(q(tau), B + |B| * c),    B = max(mean, window peak),
//
// where the window peak is the largest sample of the last `periods` whole
// periods and the current one. Every level is capped, so quantiles stay
// non-decreasing.
//
// Why a cap. A margin learner (PeakHeadroom, Conformal) prices a series' misses
// in units of its level. A series that switches between two levels it knows
// (a batch VM between idle and its job) misses by the whole jump each time the
// job starts, and that jump-sized room then rides on top of the job level too,
// far above anything the series has ever done (1.6-2.3x VPA's memory on two
// switching fleets). What such a series needs above its job level is not the
// jump but what its periods have ever added to the peak before them.
//
// What it learns. At the end of each whole period the cap records its *record
// excess*: how far the period's largest sample went past the window peak
// before it, as a fraction of that peak,
//
//     r = max(0, period max / window peak before - 1)
//
// (not recorded while the window holds no positive peak). A VM that switches
// between levels it has shown records about 0; one whose deployments step
// memory up 40 % records 0.4 on those days. The series' own cap is the
// conformal rank at `level` of its last `periods` records (the largest of 28
// at 0.98), once it has `min_periods` of them; before that it is
// `max_fraction`. The cap is never below `min_fraction` nor above
// `max_fraction`: `min_fraction` = `max_fraction` is a fixed cap.
//
// A fleet (optional). Four weeks of a series' own records price only the steps
// it has shown. With `fleet` set, every record is also filed in that shared
// `FleetPeaks` under the series' own cap at the start of the period (Mondrian
// categories, fleet_peaks.hpp; cold while it has fewer than `min_periods`
// records), and the cap is at least the fleet's rank for the series' category:
// "of the fleet's periods that began with a cap like mine, how far past the
// peak did they go?" A fleet whose VMs never step past their peaks gives a
// switching VM a cap near its noise; one whose quiet VMs are sometimes
// redeployed 40 % larger keeps the room for that. While the category cannot
// answer, the cold category answers for it: the fleet's first periods, whose
// records over a window of a day or two run larger than later ones. While
// neither can, the cap is `max_fraction` (a series' own few records never
// lower the cap below the fleet's answer). Without the stand-in, a series
// leaving the cold category for a warm one that had not yet filled went back
// to `max_fraction` for days: 40 flat VMs held 1.27x their level on days 4-5,
// between 1.12x on days 3 and 6.
//
//   absl::StatusOr<PeakCap<PeakHeadroom<Conformal<PeakEnvelope>>>> memory =
//       PeakCap<PeakHeadroom<Conformal<PeakEnvelope>>>::Create(
//           *std::move(margin), {.period = 288, .min_fraction = 0.1, .max_fraction = 0.5,
//                                .fleet = *FleetPeaks::Create()});
//
// Non-finite samples are passed to the wrapped forecaster and skipped by the
// cap's bookkeeping. The records depend on the samples alone, so Fit(x) then
// Update(y) equals Fit(x + y) whenever the wrapped forecaster's does (with a
// fleet, Fit files the history's records in it as Update does).
//
// Cost: state is the wrapped state plus 3 `periods` + 8 numbers. Update costs
// the wrapped Update plus, once a period, O(periods log periods); Predict the
// wrapped Predict plus O(horizon * levels).
//
// | type   | name         | description                                             | default |
// |--------|--------------|---------------------------------------------------------|---------|
// | int    | period       | samples per period (>= 1)                               | 288     |
// | int    | periods      | whole periods in the window and in the records (>= 1)   | 28      |
// | double | level        | conformal level of the learned cap, in (0, 1]           | 0.98    |
// | int    | min_periods  | records before the series' own cap applies (>= 0)       | 3       |
// | double | min_fraction | smallest cap (>= 0)                                     | 0.1     |
// | double | max_fraction | largest cap, and the cap until learned (>= min_fraction; infinity: none until learned) | 0.5 |
// | std::shared_ptr<FleetPeaks> | fleet | records pooled across the fleet's series | none |
#ifndef FORESIGHT_FORECAST_PEAK_CAP_HPP_
#define FORESIGHT_FORECAST_PEAK_CAP_HPP_

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
#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/fleet_peaks.hpp"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/period_maxima.hpp"

namespace foresight {

struct PeakCapOptions {
  int period = 288;
  int periods = 28;
  double level = 0.98;
  int min_periods = 3;
  double min_fraction = 0.1;
  double max_fraction = 0.5;
  std::shared_ptr<FleetPeaks> fleet = nullptr;  // pooled records of the fleet (none: own only)
};

template <Forecaster ForecasterT>
class PeakCap {
 public:
  struct State {
    typename ForecasterT::State inner;
    internal::PeriodMaxima maxima;  // the window's and this period's largest samples
    std::vector<double> records;  // ring of the last `periods` record excesses
    std::vector<double> sorted;   // the same, sorted
    int filled = 0;               // records in `records`
    int head = 0;                 // next slot of `records`
    long long t = 0;              // samples seen
    double cap = 0.0;             // the cap in force this period (a fraction of the peak)
    std::size_t bucket = 0;       // the fleet category this period's record is filed under
  };

  // Fails with InvalidArgumentError naming the first option out of range.
  static absl::StatusOr<PeakCap> Create(ForecasterT inner, PeakCapOptions options = {}) {
    const PeakCapOptions& o = options;
    if (o.period < 1) return Invalid("period must be >= 1, got ", o.period);
    if (o.periods < 1) return Invalid("periods must be >= 1, got ", o.periods);
    if (!(o.level > 0.0 && o.level <= 1.0)) return Invalid("level must be in (0, 1], got ", o.level);
    if (o.min_periods < 0) return Invalid("min_periods must be >= 0, got ", o.min_periods);
    if (!std::isfinite(o.min_fraction) || o.min_fraction < 0.0) {
      return Invalid("min_fraction must be finite and >= 0, got ", o.min_fraction);
    }
    if (std::isnan(o.max_fraction) || o.max_fraction < o.min_fraction) {
      return Invalid("max_fraction must be >= min_fraction (infinity: no cap until learned), got ",
                     o.max_fraction);
    }
    return PeakCap(std::move(inner), std::move(options));
  }

  static std::string_view Name() { return "peak_cap"; }
  const ForecasterT& inner() const { return inner_; }
  const PeakCapOptions& options() const { return options_; }

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

  // The cap in force, as a fraction over max(mean, window peak).
  double Cap(const State& state) const { return state.cap; }
  // The series' own cap from its records alone (NaN before `min_periods`),
  // unbounded: what files it in a fleet category.
  double OwnCap(const State& state) const {
    if (state.filled < std::max(1, options_.min_periods)) return std::nan("");
    return state.sorted[internal::ConformalIndex(state.sorted.size(), options_.level)];
  }
  // The largest sample of the last `periods` whole periods and this one.
  static double WindowMax(const State& state) { return state.maxima.Max(); }

  Forecast Predict(const State& state, int horizon) const {
    Forecast f = inner_.Predict(state.inner, horizon);
    if (!std::isfinite(state.cap)) return f;
    const std::span<const double> levels = f.levels();
    const double peak = WindowMax(state);
    for (int step = 1; step <= f.horizon(); ++step) {
      const double base = std::max(f.mean(step), peak);
      const double cap = base + std::abs(base) * state.cap;
      if (!std::isfinite(cap)) continue;
      for (std::size_t k = 0; k < levels.size(); ++k) {
        f.quantile(step, k) = std::min(f.quantile(step, k), cap);
      }
    }
    return f;
  }

 private:
  PeakCap(ForecasterT inner, PeakCapOptions options)
      : inner_(std::move(inner)), options_(std::move(options)) {}

  template <typename... Args>
  static absl::Status Invalid(const Args&... args) {
    return absl::InvalidArgumentError(absl::StrCat("PeakCap: ", args...));
  }

  void Track(State& state, double y) const {
    internal::PeriodMaxima& m = state.maxima;
    m.Add(y);
    ++state.t;
    if (state.t % options_.period != 0) return;
    // A whole period: its record excess over the window before it, then its
    // largest sample joins the window.
    if (std::isfinite(m.current) && std::isfinite(m.window) && m.window > 0.0) {
      const double r = std::max(0.0, m.current / m.window - 1.0);
      if (options_.fleet) options_.fleet->Add(state.bucket, r);
      state.records[static_cast<std::size_t>(state.head)] = r;
      state.head = (state.head + 1) % options_.periods;
      state.filled = std::min(state.filled + 1, options_.periods);
      state.sorted.assign(state.records.begin(), state.records.begin() + state.filled);
      std::sort(state.sorted.begin(), state.sorted.end());
    }
    m.EndPeriod();
    Refresh(state);
  }

  // At a period boundary: the cap for the period starting now, and the fleet
  // category its record will be filed under.
  void Refresh(State& state) const {
    const double own = OwnCap(state);
    double cap = std::isnan(own) ? options_.max_fraction : own;
    if (options_.fleet) {
      // With a fleet, a series' own few records only ever raise the fleet's
      // answer: while neither its category nor the cold one can answer, the
      // cap stays at max_fraction.
      state.bucket = options_.fleet->Bucket(own, std::isnan(own));
      double fleet = options_.fleet->Margin(state.bucket);
      // A category that cannot answer yet borrows the cold category's answer:
      // the fleet's first periods, whose records over a window of a day or
      // two run larger than later ones, so they do not understate the room.
      if (!std::isfinite(fleet)) fleet = options_.fleet->Margin(FleetPeaks::kColdBucket);
      cap = !std::isfinite(fleet) ? options_.max_fraction
            : std::isnan(own)     ? fleet
                                  : std::max(own, fleet);
    }
    state.cap = std::clamp(cap, options_.min_fraction, options_.max_fraction);
  }

  absl::StatusOr<State> Tracked(absl::StatusOr<typename ForecasterT::State> inner,
                                std::span<const double> history) const {
    if (!inner.ok()) return inner.status();
    State s;
    s.inner = *std::move(inner);
    s.maxima = internal::PeriodMaxima(options_.periods);
    s.records.assign(static_cast<std::size_t>(options_.periods), 0.0);
    Refresh(s);
    for (double y : history) Track(s, y);
    return s;
  }

  ForecasterT inner_;
  PeakCapOptions options_;
};

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_PEAK_CAP_HPP_
