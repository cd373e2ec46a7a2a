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
//   duty_cycle             fraction of samples that are active (cpu > active_cpu)
//
// Rules, in order:
//   1. fewer than `min_samples` samples                      -> unknown
//   2. mean_cpu < idle_cpu or duty_cycle < idle_duty         -> idle
//   3. nearest centroid in the scaled space
//      (amplitude / 1, log2 ratio / 1, burstiness / 0.3, duty / 0.25), where
//      amplitude is clamped to [0, 4] and log2 ratio to [-3, 3]:
//
// | class       | amplitude | log2 weekday/weekend | burstiness | duty | reads as                          |
// |-------------|-----------|----------------------|------------|------|-----------------------------------|
// | interactive | 2.5       | 2.5                  | 1.0        | 0.25 | office hours, spiky while active  |
// | batch       | 0.5       | 0.0                  | 0.3        | 0.4  | any hour/day, flat-out when on    |
// | analysis    | 2.5       | 2.5                  | 0.25       | 0.3  | office hours, sustained when on   |
// | service     | 0.6       | 0.2                  | 0.35       | 0.95 | always on, mild daily swing       |
//
// `BehaviorFeatureTracker` accumulates the slot-indexed per-sample statistics
// (mean CPU, duty cycle, active mean/variance); amplitude and weekday ratio are
// read from the seasonal shape by `BehaviorProfiler`.
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
  double mean_cpu = 0.0;  // cores
  double samples = 0.0;
};

struct BehaviorCentroid {
  BehaviorClass behavior = BehaviorClass::kUnknown;
  double diurnal_amplitude = 0.0;
  double log2_weekday_weekend = 0.0;
  double burstiness = 0.0;
  double duty_cycle = 0.0;
};

struct BehaviorClassifierOptions {
  double min_samples = 48;
  double idle_cpu = 0.02;   // cores
  double idle_duty = 0.02;
  std::array<double, 4> scale = {1.0, 1.0, 0.3, 0.25};
  std::array<BehaviorCentroid, 4> centroids = {{
      {BehaviorClass::kInteractive, 2.5, 2.5, 1.0, 0.25},
      {BehaviorClass::kBatch, 0.5, 0.0, 0.3, 0.4},
      {BehaviorClass::kAnalysis, 2.5, 2.5, 0.25, 0.3},
      {BehaviorClass::kService, 0.6, 0.2, 0.35, 0.95},
  }};
};

struct BehaviorClassification {
  BehaviorClass behavior = BehaviorClass::kUnknown;
  std::array<double, 4> distance{};  // to each centroid, in options order (NaN if a rule fired)
  double margin = 0.0;               // second-best minus best distance (0 if a rule fired)
  std::string reason;                // one line: which rule fired and why
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
    out.distance.fill(std::numeric_limits<double>::quiet_NaN());
    if (f.samples < options_.min_samples) {
      if (with_reason) out.reason = absl::StrCat("unknown: ", f.samples, " samples < ", options_.min_samples);
      return out;
    }
    if (f.mean_cpu < options_.idle_cpu || f.duty_cycle < options_.idle_duty) {
      out.behavior = BehaviorClass::kIdle;
      if (with_reason) {
        out.reason = absl::StrFormat("idle: mean cpu %.3g (< %.3g) or duty %.3g (< %.3g)", f.mean_cpu,
                                     options_.idle_cpu, f.duty_cycle, options_.idle_duty);
      }
      return out;
    }
    const std::array<double, 4> x = Point(f);
    double best = std::numeric_limits<double>::infinity(), second = best;
    std::size_t arg = 0;
    for (std::size_t k = 0; k < options_.centroids.size(); ++k) {
      const BehaviorCentroid& c = options_.centroids[k];
      const std::array<double, 4> y = {c.diurnal_amplitude, c.log2_weekday_weekend, c.burstiness,
                                       c.duty_cycle};
      double d2 = 0.0;
      for (std::size_t i = 0; i < 4; ++i) {
        const double d = (x[i] - y[i]) / options_.scale[i];
        d2 += d * d;
      }
      out.distance[k] = std::sqrt(d2);
      if (out.distance[k] < best) {
        second = best;
        best = out.distance[k];
        arg = k;
      } else if (out.distance[k] < second) {
        second = out.distance[k];
      }
    }
    out.behavior = options_.centroids[arg].behavior;
    out.margin = second - best;
    if (with_reason) {
      out.reason = absl::StrFormat(
          "%s: nearest centroid (distance %.2f, margin %.2f) to amplitude %.2f, log2 "
          "weekday/weekend %.2f, burstiness %.2f, duty %.2f",
          std::string(BehaviorClassName(out.behavior)), best, out.margin, x[0], x[1], x[2], x[3]);
    }
    return out;
  }

  // The feature point the centroids are compared with (clamped, log ratio).
  static std::array<double, 4> Point(const BehaviorFeatures& f) {
    const double ratio = std::max(f.weekday_weekend_ratio, 1e-9);
    return {std::clamp(f.diurnal_amplitude, 0.0, 4.0), std::clamp(std::log2(ratio), -3.0, 3.0),
            std::clamp(f.burstiness, 0.0, 4.0), std::clamp(f.duty_cycle, 0.0, 1.0)};
  }

 private:
  BehaviorClassifierOptions options_;
};

// Per-slot running statistics of CPU samples behind `BehaviorFeatures`:
// EW mean CPU, EW duty cycle, EW mean and variance of active samples. The
// weight of a sample is max(alpha, 1 / n), so early samples average exactly.
class BehaviorFeatureTracker {
 public:
  explicit BehaviorFeatureTracker(double active_cpu = 0.05, double alpha = 1.0 / 2016)
      : active_cpu_(active_cpu), alpha_(alpha) {}

  std::size_t slots() const { return users_.size(); }
  void Resize(std::size_t n) {
    if (n > slots()) users_.resize(n);
  }

  void Observe(Slot slot, double cpu) {
    Resize(static_cast<std::size_t>(slot) + 1);
    Stats& s = users_[slot];
    s.n += 1.0f;
    const double w = std::max(alpha_, 1.0 / s.n);
    const bool active = cpu > active_cpu_;
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

  // Fills mean_cpu, duty_cycle, burstiness and samples of `f`.
  void Fill(Slot slot, BehaviorFeatures& f) const {
    if (slot >= slots()) return;
    const Stats& s = users_[slot];
    f.samples = s.n;
    f.mean_cpu = s.mean;
    f.duty_cycle = s.duty;
    f.burstiness = s.active_mean > 0.0f ? std::sqrt(std::max(0.0f, s.active_var)) / s.active_mean : 0.0;
  }
  double mean_cpu(Slot slot) const { return slot < slots() ? users_[slot].mean : 0.0; }

  std::size_t BytesPerSlot() const { return sizeof(Stats); }

 private:
  struct Stats {
    float n = 0.0f;
    float mean = 0.0f;
    float duty = 0.0f;
    float active_n = 0.0f;
    float active_mean = 0.0f;
    float active_var = 0.0f;
  };
  double active_cpu_;
  double alpha_;
  std::vector<Stats> users_;
};

}  // namespace foresight

#endif  // FORESIGHT_PROFILE_CLASSIFIER_HPP_
