// -----------------------------------------------------------------------------
// File: autopilot.hpp
// -----------------------------------------------------------------------------
//
// Two reactive baselines after Google's Autopilot (Rzadca et al., EuroSys
// 2020), both working from observed usage only (they ignore the outlook):
//
// `AutopilotMovingWindow` -- the moving-window recommender. Usage goes into
// exponentially decayed histograms (half-life `half_life`); the limit is the
// decayed `percentile` of usage for cpu, io and net and the peak over
// `peak_window` for memory, times (1 + `margin`); a scale-down goes only to
// the largest recommendation of the last `hold_window`.
//
// `AutopilotMl` -- the ML recommender: an ensemble of models, one per
// (decay half-life d, margin m). Model (d, m) picks the limit L minimising
// w_o * overrun(L) + w_u * underrun(L) (+ w_delta if L differs from its last
// limit) on its d-decayed histogram, plus margin m. Every tick each model is
// charged what its last limit would have cost on the usage that arrived
// (overrun x under price, underrun x over price, a change x change price),
// with costs decayed by `model_cost_half_life`; the recommender follows the
// model of least cost, paying `switch_cost` to change model. Weights w_o,
// w_u, w_delta are the user's under, over and change prices. (Overrun here
// is the decayed expected amount above L, so the unpenalised argmin is the
// newsvendor quantile of the histogram.)
//
// | type           | name                 | description                          | default |
// |----------------|----------------------|--------------------------------------|---------|
// | absl::Duration | half_life            | moving window: histogram half-life   | 12 h    |
// | double         | percentile           | moving window: cpu/io/net percentile | 0.95    |
// | absl::Duration | peak_window          | moving window: memory peak window    | 24 h    |
// | double         | margin               | moving window: safety margin         | 0.10    |
// | absl::Duration | hold_window          | both: hold the max before shrinking  | 1 h     |
// | std::vector<absl::Duration> | decays  | ML: model half-lives                 | 30 min, 2 h, 8 h, 24 h |
// | std::vector<double> | margins         | ML: model margins                    | 0, 0.05, 0.1, 0.2 |
// | absl::Duration | model_cost_half_life | ML: decay of model costs             | 12 h    |
#ifndef FORESIGHT_ALLOCATE_AUTOPILOT_HPP_
#define FORESIGHT_ALLOCATE_AUTOPILOT_HPP_

#include <algorithm>
#include <cmath>
#include <deque>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/autopilot_histogram.hpp"
#include "foresight/allocate/internal/plan_builder.hpp"
#include "foresight/allocate/internal/quantile_curve.hpp"
#include "foresight/core/status.hpp"

namespace foresight {

namespace internal {

// Per (slot, resource) the recommendations of the last `window`, to hold the max.
class RecommendationHold {
 public:
  void Resize(std::size_t rows) { recs_.resize(rows); }
  void Clear(std::size_t row) {
    if (row < recs_.size()) recs_[row].clear();
  }
  double Hold(std::size_t row, absl::Time now, double rec, absl::Duration window) {
    auto& q = recs_[row];
    while (!q.empty() && q.front().first <= now - window) q.pop_front();
    while (!q.empty() && q.back().second <= rec) q.pop_back();  // monotone: max at front
    q.emplace_back(now, rec);
    return q.front().second;
  }

 private:
  std::vector<std::deque<std::pair<absl::Time, double>>> recs_;
};

inline std::size_t MaxSlotPlusOne(const AllocationRequest& req) {
  Slot m = 0;
  for (Slot s : req.slots) m = std::max(m, s);
  return req.slots.empty() ? 0 : static_cast<std::size_t>(m) + 1;
}

// Proposes `to` for user i / resource r if it changes the limit.
inline void ProposeReactive(PlanBuilder& b, const AllocationRequest& req, std::size_t i, Resource r,
                            double to, double level) {
  const CostTerms& t = req.costs[i];
  to = std::clamp(to, t.min[r], std::max(t.min[r], t.max[r]));
  const double from = req.users[i].allocation[r];
  if (to == from) return;
  Proposal p;
  p.index = static_cast<std::uint32_t>(i);
  p.resource = r;
  p.to = to;
  p.reason = Reason::kReactive;
  p.level = level;
  p.forecast = to;
  const QuantileCurve curve = CurveOf(req, i, r);
  p.benefit = absl::ToDoubleSeconds(req.step) *
              (curve.ExpectedCost(from, t.under[r], t.over[r]) -
               curve.ExpectedCost(to, t.under[r], t.over[r]));
  p.cost = t.change[r];
  p.rank = t.priority;
  p.force = from < t.min[r] || from > t.max[r];
  b.Propose(p);
}

}  // namespace internal

struct AutopilotWindowOptions {
  absl::Duration half_life = absl::Hours(12);
  double percentile = 0.95;
  absl::Duration peak_window = absl::Hours(24);
  double margin = 0.10;
  absl::Duration hold_window = absl::Hours(1);
};

class AutopilotMovingWindow {
 public:
  AutopilotMovingWindow() { Init(); }
  static std::string_view Name() { return "autopilot_window"; }
  static constexpr bool kReadsOutlook = false;

  const AutopilotWindowOptions& options() const { return options_; }
  absl::Status set_options(const AutopilotWindowOptions& o) {
    auto bad = [](const char* field, double v, const char* want) {
      return absl::InvalidArgumentError(
          absl::StrCat("AutopilotWindowOptions::", field, " must be ", want, ", got ", v));
    };
    if (!(o.half_life > absl::ZeroDuration() && o.half_life < absl::InfiniteDuration())) {
      return bad("half_life (hours)", absl::ToDoubleHours(o.half_life), "positive and finite");
    }
    if (!(o.percentile > 0 && o.percentile <= 1)) {
      return bad("percentile", o.percentile, "in (0, 1]");
    }
    if (!(o.peak_window > absl::ZeroDuration() && o.peak_window < absl::InfiniteDuration())) {
      return bad("peak_window (hours)", absl::ToDoubleHours(o.peak_window), "positive and finite");
    }
    if (!(o.margin >= 0 && std::isfinite(o.margin))) return bad("margin", o.margin, ">= 0");
    if (!(o.hold_window >= absl::ZeroDuration() && o.hold_window < absl::InfiniteDuration())) {
      return bad("hold_window (hours)", absl::ToDoubleHours(o.hold_window), ">= 0 and finite");
    }
    options_ = o;
    Init();
    return absl::OkStatus();
  }

  // Drops `slot`'s histograms, peaks and held recommendations (its user is gone).
  void Forget(Slot slot) {
    if (slot >= slots_) return;
    for (auto& b : banks_) b.Clear(slot);
    for (Resource r : kAllResources) hold_.Clear(slot * kNumResources + Index(r));
    peaks_[slot].clear();
  }

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out) {
    out.Clear();
    FORESIGHT_RETURN_IF_ERROR(internal::ValidateDecisionRequest(req));
    const std::size_t rows = internal::MaxSlotPlusOne(req);
    if (rows > slots_) {
      slots_ = rows;
      for (auto& b : banks_) b.Resize(rows);
      hold_.Resize(rows * kNumResources);
      peaks_.resize(rows);
    }
    builder_.Reset();
    for (std::size_t i = 0; i < req.users.size(); ++i) {
      const Slot s = req.slots[i];
      const UserObservation& u = req.users[i];
      for (Resource r : kAllResources) {
        double rec;
        double level = options_.percentile;
        if (r == Resource::kMemory) {
          auto& q = peaks_[s];
          while (!q.empty() && q.front().first <= req.now - options_.peak_window) q.pop_front();
          while (!q.empty() && q.back().second <= u.usage[r]) q.pop_back();
          q.emplace_back(req.now, u.usage[r]);
          rec = q.front().second;
          level = 1.0;
        } else {
          auto& bank = banks_[Index(r)];
          bank.Add(s, u.usage[r], req.now);
          rec = bank.Percentile(s, options_.percentile);
        }
        rec *= 1.0 + options_.margin;
        rec = hold_.Hold(s * kNumResources + Index(r), req.now, rec, options_.hold_window);
        internal::ProposeReactive(builder_, req, i, r, rec, level);
      }
    }
    builder_.Emit(req, out, 0.02);
    return absl::OkStatus();
  }

 private:
  void Init() {
    banks_.clear();
    for (Resource r : kAllResources) banks_.emplace_back(r, options_.half_life);
    slots_ = 0;
    hold_ = {};
    peaks_.clear();
  }

  AutopilotWindowOptions options_;
  std::vector<internal::DecayedHistogramBank> banks_;
  std::size_t slots_ = 0;
  internal::RecommendationHold hold_;
  std::vector<std::deque<std::pair<absl::Time, double>>> peaks_;
  internal::PlanBuilder builder_;
};
static_assert(Allocator<AutopilotMovingWindow> && SlotForgetting<AutopilotMovingWindow>);

struct AutopilotMlOptions {
  std::vector<absl::Duration> decays = {absl::Minutes(30), absl::Hours(2), absl::Hours(8),
                                        absl::Hours(24)};
  std::vector<double> margins = {0.0, 0.05, 0.10, 0.20};
  absl::Duration model_cost_half_life = absl::Hours(12);
  absl::Duration hold_window = absl::Hours(1);
};

class AutopilotMl {
 public:
  AutopilotMl() { Init(); }
  static std::string_view Name() { return "autopilot_ml"; }
  static constexpr bool kReadsOutlook = false;

  const AutopilotMlOptions& options() const { return options_; }
  absl::Status set_options(const AutopilotMlOptions& o) {
    if (o.decays.empty() || o.margins.empty() || o.model_cost_half_life <= absl::ZeroDuration() ||
        o.hold_window < absl::ZeroDuration()) {
      return absl::InvalidArgumentError("autopilot ML options: need decays, margins, half-life > 0");
    }
    for (absl::Duration d : o.decays) {
      if (d <= absl::ZeroDuration()) return absl::InvalidArgumentError("decays must be > 0");
    }
    for (double m : o.margins) {
      if (!(m >= 0)) return absl::InvalidArgumentError("margins must be >= 0");
    }
    options_ = o;
    Init();
    return absl::OkStatus();
  }
  std::size_t num_models() const { return options_.decays.size() * options_.margins.size(); }
  // Index (decay * margins + margin) of the model followed for a slot and resource.
  int chosen_model(Slot s, Resource r) const {
    const std::size_t row = s * kNumResources + Index(r);
    return row < chosen_.size() ? chosen_[row] : -1;
  }

  // Drops `slot`'s histograms, models' limits and costs, chosen model and
  // held recommendations (its user is gone).
  void Forget(Slot slot) {
    if (slot >= slots_) return;
    for (auto& per_r : banks_) {
      for (auto& b : per_r) b.Clear(slot);
    }
    const std::size_t models = num_models();
    for (Resource r : kAllResources) {
      const std::size_t row = slot * kNumResources + Index(r);
      std::fill_n(limit_.begin() + static_cast<std::ptrdiff_t>(row * models), models, -1.0);
      std::fill_n(cost_.begin() + static_cast<std::ptrdiff_t>(row * models), models, 0.0);
      chosen_[row] = -1;
      hold_.Clear(row);
    }
  }

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out) {
    out.Clear();
    FORESIGHT_RETURN_IF_ERROR(internal::ValidateDecisionRequest(req));
    const std::size_t rows = internal::MaxSlotPlusOne(req);
    const std::size_t models = num_models();
    if (rows > slots_) {
      slots_ = rows;
      for (auto& per_r : banks_) {
        for (auto& b : per_r) b.Resize(rows);
      }
      limit_.resize(rows * kNumResources * models, -1.0);
      cost_.resize(rows * kNumResources * models, 0.0);
      chosen_.resize(rows * kNumResources, -1);
      hold_.Resize(rows * kNumResources);
    }
    const double step_s = absl::ToDoubleSeconds(req.step);
    const double keep =
        std::exp2(-absl::ToDoubleSeconds(req.step) / absl::ToDoubleSeconds(options_.model_cost_half_life));
    builder_.Reset();
    const std::size_t nd = options_.decays.size(), nm = options_.margins.size();
    for (std::size_t i = 0; i < req.users.size(); ++i) {
      const Slot s = req.slots[i];
      const UserObservation& u = req.users[i];
      const CostTerms& t = req.costs[i];
      for (Resource r : kAllResources) {
        const std::size_t row = s * kNumResources + Index(r);
        double* lim = &limit_[row * models];
        double* cost = &cost_[row * models];
        const double use = u.usage[r];
        const double wo = t.under[r], wu = t.over[r], wd = t.change[r];
        // Charge every model for what its last limit did on this usage.
        for (std::size_t m = 0; m < models; ++m) {
          if (lim[m] < 0.0) continue;
          const double c = step_s * (use > lim[m] ? wo * (use - lim[m]) : wu * (lim[m] - use));
          cost[m] = keep * cost[m] + c;
        }
        const double tau = wo + wu > 0 ? wo / (wo + wu) : 0.5;
        for (std::size_t d = 0; d < nd; ++d) {
          auto& bank = banks_[Index(r)][d];
          bank.Add(s, use, req.now);
          Prefix(bank, s);
          const double base = PrefixPercentile(bank, tau);
          for (std::size_t k = 0; k < nm; ++k) {
            const std::size_t m = d * nm + k;
            double l = base * (1.0 + options_.margins[k]);
            if (lim[m] >= 0.0 && l != lim[m] &&
                (PrefixCost(bank, lim[m], wo, wu) - PrefixCost(bank, l, wo, wu)) * step_s <= wd) {
              l = lim[m];  // not worth a change
            }
            if (lim[m] >= 0.0 && l != lim[m]) cost[m] += wd;
            lim[m] = l;
          }
        }
        int best = chosen_[row];
        double best_cost = best >= 0 ? cost[best] : std::numeric_limits<double>::infinity();
        for (std::size_t m = 0; m < models; ++m) {
          const double c = cost[m] + (static_cast<int>(m) == chosen_[row] ? 0.0 : wd);
          if (c < best_cost) {
            best_cost = c;
            best = static_cast<int>(m);
          }
        }
        chosen_[row] = best;
        const double rec = hold_.Hold(row, req.now, lim[best], options_.hold_window);
        internal::ProposeReactive(builder_, req, i, r, rec, tau);
      }
    }
    builder_.Emit(req, out, 0.02);
    return absl::OkStatus();
  }

 private:
  void Init() {
    banks_.clear();
    for (Resource r : kAllResources) {
      std::vector<internal::DecayedHistogramBank> per_r;
      for (absl::Duration d : options_.decays) per_r.emplace_back(r, d);
      banks_.push_back(std::move(per_r));
    }
    slots_ = 0;
    limit_.clear();
    cost_.clear();
    chosen_.clear();
    hold_ = {};
  }

  // Prefix sums of weight and weight x midpoint of one histogram row.
  void Prefix(const internal::DecayedHistogramBank& bank, std::size_t row) {
    const auto w = bank.Row(row);
    const internal::BucketScale& sc = bank.scale();
    pw_.resize(w.size());
    ps_.resize(w.size());
    double cw = 0.0, cs = 0.0;
    for (std::size_t b = 0; b < w.size(); ++b) {
      const double lo = b == 0 ? 0.0 : sc.Upper(static_cast<int>(b) - 1);
      cw += w[b];
      cs += w[b] * 0.5 * (lo + sc.Upper(static_cast<int>(b)));
      pw_[b] = cw;
      ps_[b] = cs;
    }
  }
  double PrefixPercentile(const internal::DecayedHistogramBank& bank, double p) const {
    const double total = pw_.back();
    if (total <= 0.0) return 0.0;
    const auto it = std::lower_bound(pw_.begin(), pw_.end(), p * total * (1 - 1e-12));
    const int b = static_cast<int>(std::min<std::ptrdiff_t>(it - pw_.begin(),
                                                            static_cast<std::ptrdiff_t>(pw_.size()) - 1));
    return bank.scale().Upper(b);
  }
  // Expected cost per second of limit l: wo * E[(v - l)+] + wu * E[(l - v)+].
  double PrefixCost(const internal::DecayedHistogramBank& bank, double l, double wo,
                    double wu) const {
    const double tw = pw_.back(), ts = ps_.back();
    if (tw <= 0.0) return 0.0;
    const std::size_t b = static_cast<std::size_t>(bank.scale().Find(l));
    const double w_le = pw_[b], s_le = ps_[b];
    const double under = l * w_le - s_le;
    const double over = (ts - s_le) - l * (tw - w_le);
    return (wo * std::max(0.0, over) + wu * std::max(0.0, under)) / tw;
  }

  AutopilotMlOptions options_;
  std::vector<std::vector<internal::DecayedHistogramBank>> banks_;  // resource x decay
  std::size_t slots_ = 0;
  std::vector<double> limit_;  // (slot, resource, model)
  std::vector<double> cost_;
  std::vector<int> chosen_;
  internal::RecommendationHold hold_;
  std::vector<double> pw_, ps_;
  internal::PlanBuilder builder_;
};
static_assert(Allocator<AutopilotMl> && SlotForgetting<AutopilotMl>);

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_AUTOPILOT_HPP_
