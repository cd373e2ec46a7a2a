// -----------------------------------------------------------------------------
// File: internal/decaying_histogram.hpp
// -----------------------------------------------------------------------------
//
// The Kubernetes VPA recommender's decaying histogram: exponential buckets
// (first bucket `first_bucket_size`, each next one `ratio` times larger, up to
// `max_value`), sample weights that grow by 2^((t - t_ref) / half_life) so that
// old samples fade with the given half-life, and `Percentile(p)` returning the
// upper bound of the bucket where the cumulative weight first reaches p.
// The reference time moves forward (rescaling every weight) before the
// exponent gets large, as VPA's `shiftReferenceTimestamp` does.
//
// `Percentile` scans from the lowest bucket that ever held weight rather than
// from bucket 0: the buckets below it hold exact zeros, which leave the
// running sum unchanged, so the answer is the same to the last bit. At 5 %
// steps a VM's memory sits 37-91 buckets above 0 (1-16 GiB) and one core is
// bucket 36, so the scan was mostly over empty buckets; VPA's recommendation
// reads three percentiles per resource per user per tick.
#ifndef FORESIGHT_ALLOCATE_INTERNAL_DECAYING_HISTOGRAM_HPP_
#define FORESIGHT_ALLOCATE_INTERNAL_DECAYING_HISTOGRAM_HPP_

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "absl/time/time.h"

namespace foresight::internal {

struct HistogramOptions {
  double first_bucket_size = 0.01;
  double ratio = 1.05;
  double max_value = 1000.0;

  int NumBuckets() const {
    return static_cast<int>(
               std::ceil(std::log(max_value * (ratio - 1) / first_bucket_size + 1) /
                         std::log(ratio))) + 1;
  }
  double BucketStart(int b) const {
    return b == 0 ? 0.0 : first_bucket_size * (std::pow(ratio, b) - 1) / (ratio - 1);
  }
  int FindBucket(double v) const {
    if (v < first_bucket_size) return 0;
    const int b = static_cast<int>(std::log(v * (ratio - 1) / first_bucket_size + 1) /
                                   std::log(ratio));
    return std::min(b, NumBuckets() - 1);
  }
};

class DecayingHistogram {
 public:
  DecayingHistogram() = default;
  DecayingHistogram(const HistogramOptions& options, absl::Duration half_life)
      : options_(options), half_life_(half_life),
        weights_(static_cast<std::size_t>(options.NumBuckets()), 0.0) {}

  bool empty() const { return total_ <= 0.0; }
  double total_weight() const { return total_; }

  void AddSample(double value, double weight, absl::Time time) {
    Add(value, weight * DecayFactor(time));
  }
  // Removes a sample added earlier with the same value, weight and time.
  void SubtractSample(double value, double weight, absl::Time time) {
    Add(value, -weight * DecayFactor(time));
  }

  double Percentile(double p) const {
    if (empty()) return 0.0;
    const double threshold = p * total_;
    double sum = 0.0;
    // Below `first_` every weight is 0, and 0 >= threshold only when p <= 0.
    int b = threshold > 0.0 ? first_ : 0;
    const int last = static_cast<int>(weights_.size()) - 1;
    for (; b < last; ++b) {
      sum += weights_[static_cast<std::size_t>(b)];
      if (sum >= threshold) break;
    }
    return b < last ? options_.BucketStart(b + 1) : options_.BucketStart(last);
  }

 private:
  void Add(double value, double w) {
    const std::size_t b = static_cast<std::size_t>(options_.FindBucket(std::max(value, 0.0)));
    weights_[b] = std::max(0.0, weights_[b] + w);
    if (weights_[b] > 0.0) first_ = std::min(first_, static_cast<int>(b));
    total_ = std::max(0.0, total_ + w);
  }
  double DecayFactor(absl::Time time) {
    if (reference_ == absl::InfinitePast()) reference_ = time;
    double exponent = absl::FDivDuration(time - reference_, half_life_);
    if (exponent > kMaxExponent) {
      // Shift the reference forward and rescale, keeping relative weights.
      const double scale = std::exp2(-exponent);
      for (double& w : weights_) w *= scale;
      total_ *= scale;
      reference_ = time;
      exponent = 0.0;
    }
    return std::exp2(exponent);
  }

  static constexpr double kMaxExponent = 100.0;
  HistogramOptions options_;
  absl::Duration half_life_ = absl::Hours(24);
  std::vector<double> weights_;
  double total_ = 0.0;
  // No bucket below this one has held weight (all of them are exactly 0).
  int first_ = std::numeric_limits<int>::max();
  absl::Time reference_ = absl::InfinitePast();
};

}  // namespace foresight::internal

#endif  // FORESIGHT_ALLOCATE_INTERNAL_DECAYING_HISTOGRAM_HPP_
