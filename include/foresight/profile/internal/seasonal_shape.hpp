// -----------------------------------------------------------------------------
// File: internal/seasonal_shape.hpp
// -----------------------------------------------------------------------------
//
// `SeasonalShapeBank` keeps, for every user slot, an hour-of-week shape of each
// resource's demand: per bucket an exponentially weighted mean and an
// exponentially weighted high quantile (stochastic approximation), stored as
// `float` in one contiguous array so 100k users stay cache- and memory-friendly
// (168 buckets x 4 resources x 2 floats + 168 counts = 5.6 KiB per user; use
// fewer buckets, e.g. 42 four-hour buckets, to shrink it).
//
// Per bucket b, a sample x of resource r updates (n = samples seen in b):
//   mean += w (x - mean),            w = max(alpha, 1 / n)
//   peak += s (tau - 1{x < peak}),   s = max(eta, 1 / n) * max(mean, |x - mean|)
// The first sample seeds both. `peak` tracks the tau-quantile of the bucket.
//
// `Forget(slot)` clears the slot's buckets (a deleted user's slot goes to a
// new user, who starts with no shape); the arrays are slot-major, so that is
// one contiguous range per array, O(buckets), and they keep their size.
#ifndef FORESIGHT_PROFILE_INTERNAL_SEASONAL_SHAPE_HPP_
#define FORESIGHT_PROFILE_INTERNAL_SEASONAL_SHAPE_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"

namespace foresight::internal {

inline constexpr int kHoursPerWeek = 168;

// Hour of the week of `t` shifted by `utc_offset`, Monday 00:00 = 0 ... Sunday 23:00 = 167.
inline int HourOfWeek(absl::Time t, absl::Duration utc_offset = absl::ZeroDuration()) {
  const std::int64_t secs = absl::ToUnixSeconds(t + utc_offset);  // floors
  const std::int64_t hours = secs >= 0 ? secs / 3600 : -((-secs + 3599) / 3600);
  // 1970-01-01 was a Thursday: Monday-based hour = hours + 3 days.
  const std::int64_t how = (hours + 72) % kHoursPerWeek;
  return static_cast<int>(how < 0 ? how + kHoursPerWeek : how);
}

// True for Saturday and Sunday hours of the week.
inline bool IsWeekendHour(int hour_of_week) { return hour_of_week >= 120; }

class SeasonalShapeBank {
 public:
  struct Options {
    int buckets = kHoursPerWeek;  // buckets per week; must divide into 168 hours evenly-ish
    double alpha = 0.1;           // floor of the mean's learning rate
    double peak_quantile = 0.9;   // tau of the tracked high quantile
    double eta = 0.05;            // floor of the quantile's learning rate
    absl::Duration utc_offset = absl::ZeroDuration();  // local time of the users
  };

  SeasonalShapeBank() : SeasonalShapeBank(Options{}) {}
  explicit SeasonalShapeBank(Options options) : options_(options) {
    options_.buckets = std::clamp(options_.buckets, 1, kHoursPerWeek);
  }

  const Options& options() const { return options_; }
  int buckets() const { return options_.buckets; }
  std::size_t slots() const { return count_.size() / static_cast<std::size_t>(buckets()); }

  void Resize(std::size_t n) {
    if (n <= slots()) return;
    const std::size_t b = static_cast<std::size_t>(buckets());
    mean_.resize(n * b * kNumResources, 0.0f);
    peak_.resize(n * b * kNumResources, 0.0f);
    count_.resize(n * b, 0);
  }

  int Bucket(absl::Time t) const {
    return HourOfWeek(t, options_.utc_offset) * buckets() / kHoursPerWeek;
  }
  // First hour of the week covered by bucket `b`.
  int BucketHour(int b) const { return (b * kHoursPerWeek + buckets() - 1) / buckets(); }

  void Observe(Slot slot, absl::Time t, const ResourceVector& usage) {
    Resize(static_cast<std::size_t>(slot) + 1);
    const std::size_t cell = Cell(slot, Bucket(t));
    std::uint16_t& n = count_[cell];
    if (n < UINT16_MAX) ++n;
    float* mean = &mean_[cell * kNumResources];
    float* peak = &peak_[cell * kNumResources];
    const double inv = 1.0 / n;
    const double w = std::max(options_.alpha, inv);
    const double eta = std::max(options_.eta, inv);
    const double tau = options_.peak_quantile;
    for (std::size_t r = 0; r < kNumResources; ++r) {
      const double x = usage.values[r];
      if (n == 1) {
        mean[r] = static_cast<float>(x);
        peak[r] = static_cast<float>(x);
        continue;
      }
      const double m = mean[r] + w * (x - mean[r]);
      const double step = eta * std::max(m, std::abs(x - m));
      const double q = peak[r] + step * (tau - (x < peak[r] ? 1.0 : 0.0));
      mean[r] = static_cast<float>(m);
      peak[r] = static_cast<float>(std::max(q, 0.0));
    }
  }

  // Drops everything learnt for `slot`, as if it were never observed; no-op
  // beyond `slots()`.
  void Forget(Slot slot) {
    if (slot >= slots()) return;
    const std::size_t b = static_cast<std::size_t>(buckets());
    const std::size_t first = Cell(slot, 0);
    std::fill_n(count_.begin() + static_cast<std::ptrdiff_t>(first), b, std::uint16_t{0});
    // Zeroed too, not just uncounted: Mean and Peak read a bucket whatever its count.
    const auto values = static_cast<std::ptrdiff_t>(first * kNumResources);
    std::fill_n(mean_.begin() + values, b * kNumResources, 0.0f);
    std::fill_n(peak_.begin() + values, b * kNumResources, 0.0f);
  }

  std::uint16_t Count(Slot slot, int bucket) const {
    return slot < slots() ? count_[Cell(slot, bucket)] : 0;
  }
  ResourceVector Mean(Slot slot, int bucket) const { return Read(mean_, slot, bucket); }
  // The tracked high quantile, never below the mean.
  ResourceVector Peak(Slot slot, int bucket) const {
    return Max(Read(peak_, slot, bucket), Mean(slot, bucket));
  }

  // Mean of `r` over the buckets that have samples (0 when none).
  double OverallMean(Slot slot, Resource r) const {
    double sum = 0.0;
    int n = 0;
    for (int b = 0; b < buckets(); ++b) {
      if (Count(slot, b) == 0) continue;
      sum += mean_[Cell(slot, b) * kNumResources + Index(r)];
      ++n;
    }
    return n > 0 ? sum / n : 0.0;
  }

  // Mean of resource `r` per hour of day (24 values averaged over the days
  // that have samples); `seen[h]` tells whether hour h had any.
  void HourOfDay(Slot slot, Resource r, double (&out)[24], bool (&seen)[24]) const {
    double sum[24] = {};
    int n[24] = {};
    for (int b = 0; b < buckets(); ++b) {
      if (Count(slot, b) == 0) continue;
      const int h = BucketHour(b) % 24;
      sum[h] += mean_[Cell(slot, b) * kNumResources + Index(r)];
      ++n[h];
    }
    for (int h = 0; h < 24; ++h) {
      seen[h] = n[h] > 0;
      out[h] = n[h] > 0 ? sum[h] / n[h] : 0.0;
    }
  }

  // Mean of `r` over weekday and weekend buckets with samples.
  void WeekdayWeekend(Slot slot, Resource r, double& weekday, double& weekend,
                      bool& have_both) const {
    double s[2] = {};
    int n[2] = {};
    for (int b = 0; b < buckets(); ++b) {
      if (Count(slot, b) == 0) continue;
      const int k = IsWeekendHour(BucketHour(b)) ? 1 : 0;
      s[k] += mean_[Cell(slot, b) * kNumResources + Index(r)];
      ++n[k];
    }
    weekday = n[0] > 0 ? s[0] / n[0] : 0.0;
    weekend = n[1] > 0 ? s[1] / n[1] : 0.0;
    have_both = n[0] > 0 && n[1] > 0;
  }

  // Mean over buckets of min(count, full) / full: 0 for no history, 1 once every
  // bucket has `full` samples.
  double Coverage(Slot slot, int full) const {
    if (slot >= slots()) return 0.0;
    full = std::max(full, 1);
    double sum = 0.0;
    for (int b = 0; b < buckets(); ++b) sum += std::min<int>(Count(slot, b), full);
    return sum / (static_cast<double>(full) * buckets());
  }

  std::size_t BytesPerSlot() const {
    return static_cast<std::size_t>(buckets()) *
           (2 * kNumResources * sizeof(float) + sizeof(std::uint16_t));
  }

 private:
  std::size_t Cell(Slot slot, int bucket) const {
    return static_cast<std::size_t>(slot) * static_cast<std::size_t>(buckets()) +
           static_cast<std::size_t>(bucket);
  }
  ResourceVector Read(const std::vector<float>& v, Slot slot, int bucket) const {
    ResourceVector out;
    if (slot >= slots()) return out;
    const float* p = &v[Cell(slot, bucket) * kNumResources];
    for (std::size_t r = 0; r < kNumResources; ++r) out.values[r] = p[r];
    return out;
  }

  Options options_;
  std::vector<float> mean_;           // slot x bucket x resource
  std::vector<float> peak_;           // slot x bucket x resource
  std::vector<std::uint16_t> count_;  // slot x bucket
};

}  // namespace foresight::internal

#endif  // FORESIGHT_PROFILE_INTERNAL_SEASONAL_SHAPE_HPP_
