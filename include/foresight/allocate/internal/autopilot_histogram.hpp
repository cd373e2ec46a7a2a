// -----------------------------------------------------------------------------
// File: internal/autopilot_histogram.hpp
// -----------------------------------------------------------------------------
//
// Exponentially decayed usage histograms for the Autopilot recommenders:
// exponential buckets per resource (first bucket `kFirstBucket[r]`, ratio
// 1.1, up to `kMaxValue[r]`), weights stored relative to a reference time so
// that adding a sample is O(1) and aging is free (rescaled when the exponent
// grows large). Many histograms live in one flat array: `Row(k)` is the k-th.
#ifndef FORESIGHT_ALLOCATE_INTERNAL_AUTOPILOT_HISTOGRAM_HPP_
#define FORESIGHT_ALLOCATE_INTERNAL_AUTOPILOT_HISTOGRAM_HPP_

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <vector>

#include "absl/time/time.h"
#include "foresight/core/resources.hpp"

namespace foresight::internal {

class BucketScale {
 public:
  static constexpr double kRatio = 1.1;
  explicit BucketScale(Resource r) {
    constexpr std::array<double, kNumResources> kFirst = {0.01, 1024.0 * 1024, 10.0 * 1024,
                                                          10.0 * 1024};
    constexpr std::array<double, kNumResources> kMax = {4096.0, 16.0 * (1ull << 40), 1e12, 1e12};
    first_ = kFirst[Index(r)];
    count_ = static_cast<int>(std::ceil(std::log(kMax[Index(r)] * (kRatio - 1) / first_ + 1) /
                                        std::log(kRatio))) + 1;
    log_ratio_ = std::log(kRatio);
    upper_.resize(static_cast<std::size_t>(count_));
    for (int b = 0; b < count_; ++b) {
      upper_[static_cast<std::size_t>(b)] = first_ * (std::pow(kRatio, b + 1) - 1) / (kRatio - 1);
    }
  }
  int count() const { return count_; }
  int Find(double v) const {
    if (v < first_) return 0;
    const int b = static_cast<int>(std::log(v * (kRatio - 1) / first_ + 1) / log_ratio_);
    return std::min(b, count_ - 1);
  }
  // Upper edge of bucket b (the value a limit in that bucket must reach).
  double Upper(int b) const { return upper_[static_cast<std::size_t>(b)]; }

 private:
  double first_;
  double log_ratio_;
  int count_;
  std::vector<double> upper_;
};

// A bank of decayed histograms sharing one bucket scale and one half-life.
class DecayedHistogramBank {
 public:
  DecayedHistogramBank(Resource r, absl::Duration half_life)
      : scale_(r), half_life_(half_life) {}

  const BucketScale& scale() const { return scale_; }
  void Resize(std::size_t rows) {
    weights_.resize(rows * static_cast<std::size_t>(scale_.count()), 0.0);
    totals_.resize(rows, 0.0);
  }
  std::size_t rows() const { return totals_.size(); }
  // Empties one row (its user is gone).
  void Clear(std::size_t row) {
    if (row >= rows()) return;
    const auto n = static_cast<std::size_t>(scale_.count());
    std::fill_n(weights_.begin() + static_cast<std::ptrdiff_t>(row * n), n, 0.0);
    totals_[row] = 0.0;
  }

  void Add(std::size_t row, double value, absl::Time t) {
    if (reference_ == absl::InfinitePast()) reference_ = t;
    double exponent = (t - reference_) / half_life_;
    if (exponent > 60.0) {  // move the reference forward, rescaling every weight
      const double f = std::exp2(-exponent);
      for (double& w : weights_) w *= f;
      for (double& w : totals_) w *= f;
      reference_ = t;
      exponent = 0.0;
    }
    const double w = std::exp2(exponent);
    weights_[row * static_cast<std::size_t>(scale_.count()) +
             static_cast<std::size_t>(scale_.Find(std::max(0.0, value)))] += w;
    totals_[row] += w;
  }

  std::span<const double> Row(std::size_t row) const {
    return std::span<const double>(weights_).subspan(row * static_cast<std::size_t>(scale_.count()),
                                                     static_cast<std::size_t>(scale_.count()));
  }
  double Total(std::size_t row) const { return totals_[row]; }

  // Upper edge of the bucket where the cumulative weight reaches p.
  double Percentile(std::size_t row, double p) const {
    const double total = totals_[row];
    if (total <= 0.0) return 0.0;
    const std::span<const double> w = Row(row);
    double sum = 0.0;
    for (int b = 0; b < scale_.count(); ++b) {
      sum += w[static_cast<std::size_t>(b)];
      if (sum >= p * total * (1 - 1e-12)) return scale_.Upper(b);
    }
    return scale_.Upper(scale_.count() - 1);
  }

  // Decayed overrun (sum of w (v - L)+) and underrun (sum of w (L - v)+) of a
  // limit L, normalised by the total weight, with bucket midpoints as values.
  void OverUnder(std::size_t row, double limit, double& over, double& under) const {
    over = under = 0.0;
    const double total = totals_[row];
    if (total <= 0.0) return;
    const std::span<const double> w = Row(row);
    for (int b = 0; b < scale_.count(); ++b) {
      const double wb = w[static_cast<std::size_t>(b)];
      if (wb <= 0.0) continue;
      const double lo = b == 0 ? 0.0 : scale_.Upper(b - 1);
      const double v = 0.5 * (lo + scale_.Upper(b));
      if (v > limit) {
        over += wb * (v - limit);
      } else {
        under += wb * (limit - v);
      }
    }
    over /= total;
    under /= total;
  }

 private:
  BucketScale scale_;
  absl::Duration half_life_;
  absl::Time reference_ = absl::InfinitePast();
  std::vector<double> weights_;
  std::vector<double> totals_;
};

}  // namespace foresight::internal

#endif  // FORESIGHT_ALLOCATE_INTERNAL_AUTOPILOT_HISTOGRAM_HPP_
