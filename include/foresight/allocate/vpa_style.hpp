// -----------------------------------------------------------------------------
// File: vpa_style.hpp
// -----------------------------------------------------------------------------
//
// `VpaStyle` is the Kubernetes Vertical Pod Autoscaler recommender's estimator,
// used as the reactive baseline every proactive policy is measured against.
// Per user and resource it keeps a decaying histogram of usage (24 h
// half-life, exponential buckets growing by 5 %) and recommends
//
//   target = P90 * (1 + 0.15)
//   lower  = P50 * (1 + 0.15) * (1 + 0.001 / c)^-2
//   upper  = P95 * (1 + 0.15) * (1 + 1 / c)
//
// where c, the confidence, is the history length in days (the smaller of the
// span between first and last sample and the number of samples / samples per
// day). Memory samples are the peak of each 24 h aggregation window; after an
// out-of-memory event the window's peak is bumped to max(1.2 x limit,
// limit + 100 MiB). Like VPA's updater, a user's limit is set to the target
// only when it lies outside [lower, upper] (or after an OOM). CPU samples are
// weighted by the CPU limit (at least 0.1), as VPA weights by the request.
// io and net, which VPA does not size, use the CPU estimator.
//
// | type     | name                   | description                          | default |
// |----------|------------------------|--------------------------------------|---------|
// | Duration | cpu_half_life          | cpu/io/net histogram decay half-life | 24 h    |
// | Duration | memory_half_life       | memory histogram decay half-life     | 24 h    |
// | double   | bucket_growth          | bucket size ratio - 1                | 0.05    |
// | double   | cpu_target_percentile  | percentile of the cpu/io/net target  | 0.90    |
// | double   | memory_target_percentile | percentile of the memory target    | 0.90    |
// | double   | lower_percentile       | percentile of the lower bound        | 0.50    |
// | double   | upper_percentile       | percentile of the upper bound        | 0.95    |
// | double   | safety_margin          | margin on every estimate             | 0.15    |
// | double   | oom_bump_ratio         | memory bump factor after an OOM      | 1.2     |
// | double   | oom_min_bump_bytes     | minimum memory bump after an OOM     | 100 MiB |
// | Duration | memory_window          | memory peak aggregation window       | 24 h    |
// | vector   | min_allocation         | floor per resource                   | 25m cpu, 250 MiB memory |
// | bool     | only_out_of_bounds     | apply only outside [lower, upper]    | true    |
//
// The two target percentiles are VPA's --target-cpu-percentile and
// --target-memory-percentile, the half-lives its --cpu-histogram-decay-half-life
// and --memory-histogram-decay-half-life, the margin its
// --recommendation-margin-fraction.
// `set_options` checks the values and forgets what was learned.
#ifndef FORESIGHT_ALLOCATE_VPA_STYLE_HPP_
#define FORESIGHT_ALLOCATE_VPA_STYLE_HPP_

#include <algorithm>
#include <cassert>
#include <cmath>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/capacity.hpp"
#include "foresight/allocate/internal/decaying_histogram.hpp"
#include "foresight/core/absl_compat.hpp"

namespace foresight {

struct VpaStyleOptions {
  absl::Duration cpu_half_life = absl::Hours(24);  // also io and net
  absl::Duration memory_half_life = absl::Hours(24);
  double bucket_growth = 0.05;
  double cpu_target_percentile = 0.90;     // also io and net
  double memory_target_percentile = 0.90;
  double lower_percentile = 0.50;
  double upper_percentile = 0.95;
  double safety_margin = 0.15;
  double oom_bump_ratio = 1.2;
  double oom_min_bump_bytes = 100.0 * 1024 * 1024;
  absl::Duration memory_window = absl::Hours(24);
  ResourceVector min_allocation = MakeResources(0.025, 250.0 * 1024 * 1024, 0.0, 0.0);
  bool only_out_of_bounds = true;
};

class VpaStyle {
 public:
  // `options` must pass `Validate` (checked in debug builds); `set_options`
  // reports bad values as an error instead.
  explicit VpaStyle(VpaStyleOptions options = {}) : options_(std::move(options)) {
    assert(Validate(options_).ok());
    Init();
  }

  static std::string_view Name() { return "vpa"; }
  static constexpr bool kReadsOutlook = false;  // its histograms of usage
  const VpaStyleOptions& options() const { return options_; }

  // InvalidArgumentError naming the first field out of range: percentiles in
  // (0, 1], lower <= upper, margin and OOM bump >= 0 (ratio >= 1), positive
  // half-lives, memory window and bucket growth.
  static absl::Status Validate(const VpaStyleOptions& o) {
    auto bad = [](std::string_view field, double v, std::string_view want) {
      return absl::InvalidArgumentError(
          absl::StrCat("VpaStyleOptions::", Sv(field), " must be ", Sv(want), ", got ", v));
    };
    for (auto [field, v] : {std::pair<std::string_view, double>{"cpu_target_percentile",
                                                                o.cpu_target_percentile},
                            {"memory_target_percentile", o.memory_target_percentile},
                            {"lower_percentile", o.lower_percentile},
                            {"upper_percentile", o.upper_percentile}}) {
      if (!(v > 0.0 && v <= 1.0)) return bad(field, v, "in (0, 1]");
    }
    if (!(o.lower_percentile <= o.upper_percentile)) {
      return bad("lower_percentile", o.lower_percentile, "<= upper_percentile");
    }
    if (!(o.safety_margin >= 0.0 && std::isfinite(o.safety_margin))) {
      return bad("safety_margin", o.safety_margin, ">= 0");
    }
    if (!(o.bucket_growth > 0.0 && std::isfinite(o.bucket_growth))) {
      return bad("bucket_growth", o.bucket_growth, "> 0");
    }
    if (!(o.oom_bump_ratio >= 1.0 && std::isfinite(o.oom_bump_ratio))) {
      return bad("oom_bump_ratio", o.oom_bump_ratio, ">= 1");
    }
    if (!(o.oom_min_bump_bytes >= 0.0 && std::isfinite(o.oom_min_bump_bytes))) {
      return bad("oom_min_bump_bytes", o.oom_min_bump_bytes, ">= 0");
    }
    for (auto [field, d] : {std::pair<std::string_view, absl::Duration>{"cpu_half_life (hours)",
                                                                        o.cpu_half_life},
                            {"memory_half_life (hours)", o.memory_half_life}}) {
      if (!(d > absl::ZeroDuration() && d < absl::InfiniteDuration())) {
        return bad(field, absl::ToDoubleHours(d), "positive and finite");
      }
    }
    if (!(o.memory_window > absl::ZeroDuration() && o.memory_window < absl::InfiniteDuration())) {
      return bad("memory_window (hours)", absl::ToDoubleHours(o.memory_window),
                 "positive and finite");
    }
    for (Resource r : kAllResources) {
      if (!(o.min_allocation[r] >= 0.0 && std::isfinite(o.min_allocation[r]))) {
        return bad(absl::StrCat("min_allocation.", Sv(ResourceName(r))), o.min_allocation[r],
                   ">= 0");
      }
    }
    return absl::OkStatus();
  }

  // Checks `o` (see `Validate`), takes it and forgets every user's history.
  absl::Status set_options(VpaStyleOptions o) {
    if (absl::Status s = Validate(o); !s.ok()) return s;
    options_ = std::move(o);
    Init();
    return absl::OkStatus();
  }

  // Adds this tick's usage (and OOM events) to the histograms.
  absl::Status Observe(const AllocationRequest& req) {
    if (absl::Status s = ValidateRequest(req); !s.ok()) return s;
    for (std::size_t i = 0; i < req.users.size(); ++i) {
      UserState& st = State(req.slots[i]);
      const UserObservation& u = req.users[i];
      if (st.samples == 0) st.first = req.now;
      st.last = req.now;
      ++st.samples;
      for (Resource r : {Resource::kCpu, Resource::kIo, Resource::kNet}) {
        const double weight = r == Resource::kCpu ? std::max(u.allocation.cpu(), 0.1) : 1.0;
        st.hist[Index(r)].AddSample(u.usage[r], weight, req.now);
      }
      AddMemoryPeak(st, u.usage.memory(), req.now);
      if (u.events & kEventOom) {
        const double limit = std::max(u.allocation.memory(), 0.0);
        AddMemoryPeak(st, std::max(limit * options_.oom_bump_ratio,
                                   limit + options_.oom_min_bump_bytes), req.now);
        st.oom_pending = true;
      }
    }
    return absl::OkStatus();
  }

  // Frees `slot`'s histograms (its user is gone); a later user of the slot
  // starts with none, as VPA does for a new pod.
  void Forget(Slot slot) {
    if (slot < users_.size()) users_[slot].reset();
  }

  // The target per user and resource (users x 4), from the histograms only.
  void Recommend(const AllocationRequest& req, std::span<internal::Desire> out) const {
    for (std::size_t i = 0; i < req.users.size(); ++i) {
      const UserState* st = Find(req.slots[i]);
      for (Resource r : kAllResources) {
        internal::Desire& d = out[i * kNumResources + Index(r)];
        const double p = r == Resource::kMemory ? options_.memory_target_percentile
                                                : options_.cpu_target_percentile;
        d.reason = Reason::kReactive;
        d.level = p;
        if (st == nullptr || st->hist[Index(r)].empty()) {
          d.target = req.users[i].allocation[r];
          continue;
        }
        d.forecast = st->hist[Index(r)].Percentile(p);
        d.target = Clamp(req, i, r, d.forecast * (1 + options_.safety_margin));
        if (r == Resource::kMemory && st->oom_pending) d.reason = Reason::kOomBump;
      }
    }
  }

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out) {
    out.Clear();
    if (absl::Status s = Observe(req); !s.ok()) return s;
    desires_.resize(req.users.size() * kNumResources);
    Recommend(req, desires_);
    if (options_.only_out_of_bounds) {
      for (std::size_t i = 0; i < req.users.size(); ++i) {
        UserState& st = State(req.slots[i]);
        const double c = Confidence(st, req.step);
        // VPA's confidence multipliers, once per user (pow is not hoisted for us).
        const double lower_scale = std::pow(1 + 0.001 / c, -2.0);
        const double upper_scale = 1 + 1 / c;
        for (Resource r : kAllResources) {
          internal::Desire& d = desires_[i * kNumResources + Index(r)];
          const double cur = req.users[i].allocation[r];
          if (st.hist[Index(r)].empty()) continue;
          const auto& h = st.hist[Index(r)];
          const double m = 1 + options_.safety_margin;
          const double lower =
              Clamp(req, i, r, h.Percentile(options_.lower_percentile) * m * lower_scale);
          const double upper =
              Clamp(req, i, r, h.Percentile(options_.upper_percentile) * m * upper_scale);
          const bool oom = r == Resource::kMemory && st.oom_pending;
          if (!oom && cur >= lower && cur <= upper) d.target = cur;
        }
        st.oom_pending = false;
      }
    }
    internal::EmitWithinCapacity(req, desires_, out);
    return absl::OkStatus();
  }

 private:
  void Init() {
    const double ratio = 1.0 + options_.bucket_growth;
    // VPA: CPU buckets from 0.01 cores up to 1000 cores; memory from 1e7 bytes to 1e12.
    hist_[Index(Resource::kCpu)] = {0.01, ratio, 1000.0};
    hist_[Index(Resource::kMemory)] = {1e7, ratio, 1e12};
    hist_[Index(Resource::kIo)] = {1e4, ratio, 1e11};
    hist_[Index(Resource::kNet)] = {1e4, ratio, 1e11};
    users_.clear();
  }

  struct UserState {
    std::array<internal::DecayingHistogram, kNumResources> hist;
    absl::Time first, last;
    std::int64_t samples = 0;
    absl::Time window_start = absl::InfinitePast();
    double window_peak = 0.0;
    bool oom_pending = false;
  };

  UserState& State(Slot slot) {
    if (slot >= users_.size()) users_.resize(static_cast<std::size_t>(slot) + 1);
    std::unique_ptr<UserState>& p = users_[slot];
    if (!p) {
      p = std::make_unique<UserState>();
      for (Resource r : kAllResources) {
        p->hist[Index(r)] = internal::DecayingHistogram(
            hist_[Index(r)],
            r == Resource::kMemory ? options_.memory_half_life : options_.cpu_half_life);
      }
    }
    return *p;
  }
  const UserState* Find(Slot slot) const {
    return slot < users_.size() ? users_[slot].get() : nullptr;
  }

  void AddMemoryPeak(UserState& st, double value, absl::Time now) {
    auto& h = st.hist[Index(Resource::kMemory)];
    if (st.window_start == absl::InfinitePast() || now >= st.window_start + options_.memory_window) {
      st.window_start = now;
      st.window_peak = 0.0;
    }
    if (value <= st.window_peak) return;
    if (st.window_peak > 0.0) h.SubtractSample(st.window_peak, 1.0, st.window_start);
    h.AddSample(value, 1.0, st.window_start);
    st.window_peak = value;
  }

  // VPA's confidence: history length in days.
  static double Confidence(const UserState& st, absl::Duration step) {
    const double lifespan = absl::FDivDuration(st.last - st.first, absl::Hours(24));
    const double per_day = absl::FDivDuration(absl::Hours(24), step);
    const double amount = static_cast<double>(st.samples) / per_day;
    return std::max(std::min(lifespan, amount), 1e-3);
  }

  double Clamp(const AllocationRequest& req, std::size_t i, Resource r, double v) const {
    v = std::max(v, options_.min_allocation[r]);
    return std::clamp(v, req.costs[i].min[r], std::max(req.costs[i].min[r], req.costs[i].max[r]));
  }

  VpaStyleOptions options_;
  std::array<internal::HistogramOptions, kNumResources> hist_;
  std::vector<std::unique_ptr<UserState>> users_;
  std::vector<internal::Desire> desires_;
};
static_assert(Allocator<VpaStyle> && SlotForgetting<VpaStyle>);

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_VPA_STYLE_HPP_
