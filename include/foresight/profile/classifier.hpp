// -----------------------------------------------------------------------------
// File: classifier.hpp
// -----------------------------------------------------------------------------
//
// `BehaviorClassifier` names a user's behaviour (idle, interactive, batch,
// analysis, service) from four features, with a rule for idle and a
// nearest-centroid rule for the rest, so every decision can be explained by
// the distances it printed.
//
// Features (`BehaviorFeatures`), all computed from CPU, the activity signal:
//   diurnal_amplitude      (max - min) / mean of the hour-of-day profile
//   weekday_weekend_ratio  mean on weekdays / mean on weekends
//   burstiness             coefficient of variation of the *active* samples
//                          (how spiky usage is while the user is doing something)
//   duty_cycle             fraction of samples that are active
//   night_fraction         share of the hour-of-day profile above its minimum
//                          that falls in 22:00-06:00 (1/3 for a flat profile)
// A sample is active when cpu > max(active_cpu, busy_fraction x busy level),
// the busy level being the user's running 95th percentile of CPU, so a big
// job's idle floor does not count as activity.
//
// Rules, in order:
//   1. fewer than `min_samples` samples                      -> unknown
//   2. mean_cpu < idle_cpu or duty_cycle < idle_duty         -> idle
//   3. nearest centroid in the scaled space (amplitude / 1, log2 ratio / 1,
//      burstiness / 0.3, duty / 0.25, night / 0.25), amplitude clamped to
//      [0, 4] and log2 ratio to [-3, 3]:
//
// | class       | amplitude | log2 wd/we | burstiness | duty | night | reads as                 |
// |-------------|-----------|------------|------------|------|-------|--------------------------|
// | interactive | 2.5       | 2.5        | 0.8        | 0.15 | 0.05  | office hours, spiky      |
// | analysis    | 2.5       | 1.5        | 0.25       | 0.15 | 0.1   | working hours, sustained |
// | batch       | 3.0       | 0.0        | 0.25       | 0.12 | 0.8   | scheduled nightly job    |
// | batch       | 0.5       | 0.0        | 0.3        | 0.4  | 0.33  | jobs at any hour or day  |
// | service     | 1.0       | 0.3        | 0.5        | 0.95 | 0.2   | always on, daily swing   |
// `margin` is the distance to the nearest centroid of another class minus the best.
//
// `BehaviorFeatureTracker` accumulates the slot-indexed per-sample statistics
// (mean CPU, busy level, duty cycle, active mean/variance); amplitude, weekday
// ratio and night fraction are read from the seasonal shape by `BehaviorProfiler`.
//
// When a user is deleted and its slot goes to a new user, `Forget(slot)` of the
// tracker drops the slot's statistics. The classifier's own `Forget` does
// nothing: it keeps no per-slot state (its centroids are fleet-wide; the class
// cached per user lives in `BehaviorProfiler`).
#ifndef FORESIGHT_PROFILE_CLASSIFIER_HPP_
#define FORESIGHT_PROFILE_CLASSIFIER_HPP_

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "foresight/core/absl_compat.hpp"
#include "foresight/core/user.hpp"
#include "foresight/profile/profiler.hpp"

namespace foresight {

struct BehaviorFeatures {
  double diurnal_amplitude = 0.0;
  double weekday_weekend_ratio = 1.0;
  double burstiness = 0.0;
  double duty_cycle = 0.0;
  double night_fraction = 1.0 / 3.0;
  double mean_cpu = 0.0;  // cores
  double samples = 0.0;
};

inline constexpr std::size_t kBehaviorFeatures = 5;

struct BehaviorCentroid {
  BehaviorClass behavior = BehaviorClass::kUnknown;
  double diurnal_amplitude = 0.0;
  double log2_weekday_weekend = 0.0;
  double burstiness = 0.0;
  double duty_cycle = 0.0;
  double night_fraction = 0.0;
};

struct BehaviorClassifierOptions {
  double min_samples = 48;
  double idle_cpu = 0.02;  // cores
  double idle_duty = 0.02;
  double busy_fraction = 0.1;  // of the busy level, above which a sample is active
  std::array<double, kBehaviorFeatures> scale = {1.0, 1.0, 0.3, 0.25, 0.25};
  std::vector<BehaviorCentroid> centroids = {
      {BehaviorClass::kInteractive, 2.5, 2.5, 0.8, 0.15, 0.05},
      {BehaviorClass::kAnalysis, 2.5, 1.5, 0.25, 0.15, 0.1},
      {BehaviorClass::kBatch, 3.0, 0.0, 0.25, 0.12, 0.8},
      {BehaviorClass::kBatch, 0.5, 0.0, 0.3, 0.4, 1.0 / 3.0},
      {BehaviorClass::kService, 1.0, 0.3, 0.5, 0.95, 0.2},
  };
};

struct BehaviorClassification {
  BehaviorClass behavior = BehaviorClass::kUnknown;
  std::vector<double> distance;  // to each centroid, in options order (empty if a rule fired)
  double margin = 0.0;           // nearest other class minus best distance (0 if a rule fired)
  std::string reason;            // one line: which rule fired and why
};

class BehaviorClassifier {
 public:
  BehaviorClassifier() = default;
  explicit BehaviorClassifier(BehaviorClassifierOptions options) : options_(options) {}
  const BehaviorClassifierOptions& options() const { return options_; }

  BehaviorClass Classify(const BehaviorFeatures& f) const { return Explain(f, false).behavior; }

  // Classifies and, when `with_reason`, says why in `reason`.
  BehaviorClassification Explain(const BehaviorFeatures& f, bool with_reason = true) const {
    BehaviorClassification out;
    if (f.samples < options_.min_samples) {
      if (with_reason)
        out.reason = absl::StrCat("unknown: ", f.samples, " samples < ", options_.min_samples);
      return out;
    }
    if (f.mean_cpu < options_.idle_cpu || f.duty_cycle < options_.idle_duty) {
      out.behavior = BehaviorClass::kIdle;
      if (with_reason) {
        out.reason =
            absl::StrFormat("idle: mean cpu %.3g (< %.3g) or duty %.3g (< %.3g)", f.mean_cpu,
                            options_.idle_cpu, f.duty_cycle, options_.idle_duty);
      }
      return out;
    }
    if (options_.centroids.empty()) return out;
    const std::array<double, kBehaviorFeatures> x = Point(f);
    out.distance.resize(options_.centroids.size());
    std::size_t arg = 0;
    for (std::size_t k = 0; k < options_.centroids.size(); ++k) {
      const BehaviorCentroid& c = options_.centroids[k];
      const std::array<double, kBehaviorFeatures> y = {c.diurnal_amplitude, c.log2_weekday_weekend,
                                                       c.burstiness, c.duty_cycle,
                                                       c.night_fraction};
      double d2 = 0.0;
      for (std::size_t i = 0; i < kBehaviorFeatures; ++i) {
        const double d = (x[i] - y[i]) / options_.scale[i];
        d2 += d * d;
      }
      out.distance[k] = std::sqrt(d2);
      if (out.distance[k] < out.distance[arg]) arg = k;
    }
    out.behavior = options_.centroids[arg].behavior;
    double other = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < options_.centroids.size(); ++k) {
      if (options_.centroids[k].behavior != out.behavior) other = std::min(other, out.distance[k]);
    }
    out.margin = std::isfinite(other) ? other - out.distance[arg] : 0.0;
    if (with_reason) {
      out.reason = absl::StrFormat(
          "%s: nearest centroid %d (distance %.2f, margin %.2f) to amplitude %.2f, log2 "
          "weekday/weekend %.2f, burstiness %.2f, duty %.2f, night %.2f",
          std::string(BehaviorClassName(out.behavior)), static_cast<int>(arg), out.distance[arg],
          out.margin, x[0], x[1], x[2], x[3], x[4]);
    }
    return out;
  }

  // Nothing to drop: the classifier keeps no per-slot state (see the file comment).
  void Forget(Slot) {}

  // The feature point the centroids are compared with (clamped, log ratio).
  static std::array<double, kBehaviorFeatures> Point(const BehaviorFeatures& f) {
    const double ratio = std::max(f.weekday_weekend_ratio, 1e-9);
    return {std::clamp(f.diurnal_amplitude, 0.0, 4.0), std::clamp(std::log2(ratio), -3.0, 3.0),
            std::clamp(f.burstiness, 0.0, 4.0), std::clamp(f.duty_cycle, 0.0, 1.0),
            std::clamp(f.night_fraction, 0.0, 1.0)};
  }

 private:
  BehaviorClassifierOptions options_;
};

// Per-slot running statistics of CPU samples behind `BehaviorFeatures`:
// EW mean CPU, the busy level (running 95th percentile), EW duty cycle, EW
// mean and variance of active samples. The weight of a sample is
// max(alpha, 1 / n), so early samples average exactly.
class BehaviorFeatureTracker {
 public:
  explicit BehaviorFeatureTracker(double active_cpu = 0.05, double busy_fraction = 0.1,
                                  double alpha = 1.0 / 2016)
      : active_cpu_(active_cpu), busy_fraction_(busy_fraction), alpha_(alpha) {}

  std::size_t slots() const { return users_.size(); }
  void Resize(std::size_t n) {
    if (n > slots()) users_.resize(n);
  }

  void Observe(Slot slot, double cpu) {
    Resize(static_cast<std::size_t>(slot) + 1);
    Stats& s = users_[slot];
    s.n += 1.0f;
    const double w = std::max(alpha_, 1.0 / s.n);
    if (s.n == 1.0f) {
      s.busy = static_cast<float>(cpu);
    } else {
      const double step =
          std::max(0.01, 1.0 / s.n) * std::max<double>(s.busy, std::abs(cpu - s.busy));
      s.busy =
          static_cast<float>(std::max(0.0, s.busy + step * (0.95 - (cpu < s.busy ? 1.0 : 0.0))));
    }
    const bool active = cpu > std::max(active_cpu_, busy_fraction_ * s.busy);
    s.mean += static_cast<float>(w * (cpu - s.mean));
    s.duty += static_cast<float>(w * ((active ? 1.0 : 0.0) - s.duty));
    if (active) {
      s.active_n += 1.0f;
      const double wa = std::max(alpha_, 1.0 / s.active_n);
      const double d = cpu - s.active_mean;
      s.active_mean += static_cast<float>(wa * d);
      s.active_var = static_cast<float>((1.0 - wa) * (s.active_var + wa * d * d));
    }
  }

  // Drops `slot`'s statistics, as if never observed; no-op beyond `slots()`.
  void Forget(Slot slot) {
    if (slot < slots()) users_[slot] = Stats{};
  }

  // Fills mean_cpu, duty_cycle, burstiness and samples of `f`.
  void Fill(Slot slot, BehaviorFeatures& f) const {
    if (slot >= slots()) return;
    const Stats& s = users_[slot];
    f.samples = s.n;
    f.mean_cpu = s.mean;
    f.duty_cycle = s.duty;
    f.burstiness =
        s.active_mean > 0.0f ? std::sqrt(std::max(0.0f, s.active_var)) / s.active_mean : 0.0;
  }
  double mean_cpu(Slot slot) const { return slot < slots() ? users_[slot].mean : 0.0; }
  double busy_level(Slot slot) const { return slot < slots() ? users_[slot].busy : 0.0; }

  std::size_t BytesPerSlot() const { return sizeof(Stats); }

 private:
  struct Stats {
    float n = 0.0f;
    float mean = 0.0f;
    float busy = 0.0f;
    float duty = 0.0f;
    float active_n = 0.0f;
    float active_mean = 0.0f;
    float active_var = 0.0f;
  };
  double active_cpu_;
  double busy_fraction_;
  double alpha_;
  std::vector<Stats> users_;
};

}  // namespace foresight

#endif  // FORESIGHT_PROFILE_CLASSIFIER_HPP_
