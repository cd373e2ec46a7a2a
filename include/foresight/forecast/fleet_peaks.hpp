// -----------------------------------------------------------------------------
// File: fleet_peaks.hpp
// -----------------------------------------------------------------------------
//
// `FleetPeaks` pools the period peak excesses of many series (the quantity
// `PeakHeadroom` learns its margin from) so that each series' margin can be
// calibrated on the whole fleet's experience rather than on its own few weeks.
//
// The problem it solves. A series' own window of 28 daily peaks cannot
// calibrate a per-day level of 0.98: the conformal rank needs n >= 49 for that,
// so the margin is the largest peak seen, which a fresh day exceeds with
// probability about 1/(n + 1) (one day in 15 after two weeks). And a window
// that has never shown a deployment step has no way to price one. Pooling
// across series fixes both, *if* the pooled series are alike: a quiet series'
// next day looks like other quiet series' next days, not like a spiky one's.
//
// Mondrian conformal prediction (Vovk et al. 2005, ch. 4) makes that precise:
// each observation is filed under a category known *before* it is seen, and
// conformal ranks are taken within the category, which keeps their coverage
// within it. Here the category is the series' own margin at the start of the
// period (its own conformal rank, before that period's peak is known), in
// buckets bounded by `edges`; series still in their first periods (`cold`)
// have a category of their own. At the end of every period each series files
// `(category, that period's peak excess)`. The fleet margin of a category is
// the conformal rank at `level` of its last `capacity` entries, once it has at
// least `min_samples`:
//
//     bucket 0            cold series (fewer scored periods than PeakHeadroom's min_periods)
//     bucket k (1..K+1)   own margin in [edges[k-2], edges[k-1]) (edges[-1] = -inf, edges[K] = +inf)
//
// It answers the question the OOM-free-days metric asks, for each kind of
// series: "of the fleet's days that started with a margin like mine, how large
// was the peak that the day brought?" A fleet whose quiet VMs never jump gives
// them a margin near their noise; one whose quiet VMs are sometimes redeployed
// 40 % larger prices those steps in.
//
// Sharing. A `FleetPeaks` is shared (`std::shared_ptr`) by the `PeakHeadroom`
// copies that serve one fleet; it is the only state a forecaster shares across
// series. It is thread-safe (one mutex; a series touches it once a period, to
// file its peak and read its new category's margin, which it keeps until the
// next period: Predict never locks).
// The order in which series file their peaks within a period changes what the
// series after them read, so replays that update series in a fixed order are
// deterministic and concurrent ones are not.
//
// Cost: (K + 2) buckets of at most `capacity` peaks each, kept sorted: Add is
// O(capacity) (one insert and one erase in a sorted vector), Quantile O(1).
//
// | type                | name        | description                                   | default |
// |---------------------|-------------|-----------------------------------------------|---------|
// | std::vector<double> | edges       | increasing bucket edges of the own margin     | 0.02, 0.05, 0.1, 0.2, 0.35, 0.6, 1 |
// | int                 | capacity    | most recent peaks kept per bucket (>= 1)      | 4096    |
// | int                 | min_samples | peaks a bucket needs before it answers, in [1, capacity] | 100 |
// | double              | level       | conformal level of a bucket's margin, in (0, 1] | 0.98  |
#ifndef FORESIGHT_FORECAST_FLEET_PEAKS_HPP_
#define FORESIGHT_FORECAST_FLEET_PEAKS_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/forecast/conformal.hpp"

namespace foresight {

struct FleetPeaksOptions {
  std::vector<double> edges = {0.02, 0.05, 0.1, 0.2, 0.35, 0.6, 1.0};
  int capacity = 4096;
  int min_samples = 100;
  double level = 0.98;
};

class FleetPeaks {
 public:
  // Fails with InvalidArgumentError naming the first option out of range.
  static absl::StatusOr<std::shared_ptr<FleetPeaks>> Create(FleetPeaksOptions options = {}) {
    const FleetPeaksOptions& o = options;
    for (std::size_t i = 0; i < o.edges.size(); ++i) {
      if (!std::isfinite(o.edges[i]) || (i > 0 && o.edges[i] <= o.edges[i - 1])) {
        return Invalid("edges must be finite and strictly increasing; edge ", i, " is ",
                       o.edges[i]);
      }
    }
    if (o.capacity < 1) return Invalid("capacity must be >= 1, got ", o.capacity);
    if (o.min_samples < 1 || o.min_samples > o.capacity) {
      return Invalid("min_samples must be in [1, capacity], got ", o.min_samples);
    }
    if (!(o.level > 0.0 && o.level <= 1.0)) return Invalid("level must be in (0, 1], got ", o.level);
    return std::shared_ptr<FleetPeaks>(new FleetPeaks(std::move(options)));
  }

  const FleetPeaksOptions& options() const { return options_; }
  std::size_t num_buckets() const { return options_.edges.size() + 2; }

  // The category of series in their first periods.
  static constexpr std::size_t kColdBucket = 0;

  // The category of a series: kColdBucket when cold, else 1 + the number of
  // edges at or below its own margin. A NaN margin counts as cold.
  std::size_t Bucket(double own_margin, bool cold) const {
    if (cold || std::isnan(own_margin)) return kColdBucket;
    return 1 + static_cast<std::size_t>(
                   std::upper_bound(options_.edges.begin(), options_.edges.end(), own_margin) -
                   options_.edges.begin());
  }

  // Files one period's peak excess under `bucket`. Non-finite peaks and
  // unknown buckets are ignored; the oldest entry of a full bucket is dropped.
  void Add(std::size_t bucket, double peak) {
    if (!std::isfinite(peak) || bucket >= bins_.size()) return;
    std::lock_guard<std::mutex> lock(mu_);
    Bin& b = bins_[bucket];
    if (b.ring.size() < static_cast<std::size_t>(options_.capacity)) {
      b.ring.push_back(peak);
    } else {
      b.sorted.erase(std::lower_bound(b.sorted.begin(), b.sorted.end(), b.ring[b.head]));
      b.ring[b.head] = peak;
      b.head = (b.head + 1) % b.ring.size();
    }
    b.sorted.insert(std::upper_bound(b.sorted.begin(), b.sorted.end(), peak), peak);
  }

  // The conformal rank at `level` of the bucket's peaks, or NaN while it holds
  // fewer than `min_samples`.
  double Quantile(std::size_t bucket, double level) const {
    if (bucket >= bins_.size()) return std::nan("");
    std::lock_guard<std::mutex> lock(mu_);
    const std::vector<double>& s = bins_[bucket].sorted;
    if (s.size() < static_cast<std::size_t>(options_.min_samples)) return std::nan("");
    return s[internal::ConformalIndex(s.size(), level)];
  }

  // The fleet margin of `bucket`: its conformal rank at `level` (NaN while it
  // holds fewer than `min_samples`).
  double Margin(std::size_t bucket) const { return Quantile(bucket, options_.level); }

  // Peaks held by `bucket`.
  std::size_t size(std::size_t bucket) const {
    if (bucket >= bins_.size()) return 0;
    std::lock_guard<std::mutex> lock(mu_);
    return bins_[bucket].sorted.size();
  }

 private:
  explicit FleetPeaks(FleetPeaksOptions options)
      : options_(std::move(options)), bins_(options_.edges.size() + 2) {}

  template <typename... Args>
  static absl::Status Invalid(const Args&... args) {
    return absl::InvalidArgumentError(absl::StrCat("FleetPeaks: ", args...));
  }

  struct Bin {
    std::vector<double> ring;    // peaks in arrival order (circular once full)
    std::vector<double> sorted;  // the same, sorted
    std::size_t head = 0;        // oldest entry once full
  };
  FleetPeaksOptions options_;
  mutable std::mutex mu_;
  std::vector<Bin> bins_;
};

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_FLEET_PEAKS_HPP_
