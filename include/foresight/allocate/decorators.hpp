// -----------------------------------------------------------------------------
// File: decorators.hpp
// -----------------------------------------------------------------------------
//
// Decorators play the role they wrap, so post-processing is a policy, not a
// flag (after VPA's `WithCPUMargin`):
//
//   WithMargin<QuantileTarget> padded(QuantileTarget{}, ResourceVector::Filled(0.1));
//   MaxOfReactive<QuantileTarget> safe(QuantileTarget{});   // max(proactive, VPA)
//
// `WithMargin<A>` multiplies every limit A asks for by (1 + margin[r]).
// `MaxOfReactive<A, R>` takes, per user and resource, the larger of A's target
// and the reactive recommender R's (default `VpaStyle`), so a forecast can
// only add to what recent usage justifies. R must provide
// `Observe(const AllocationRequest&)` and
// `Recommend(const AllocationRequest&, std::span<internal::Desire>) const`.
// Both re-fit the result into capacity, shrinks first.
#ifndef FORESIGHT_ALLOCATE_DECORATORS_HPP_
#define FORESIGHT_ALLOCATE_DECORATORS_HPP_

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/capacity.hpp"
#include "foresight/allocate/vpa_style.hpp"

namespace foresight {

template <typename R>
concept ReactiveRecommender = requires(R r, const R cr, const AllocationRequest& req,
                                       std::span<internal::Desire> out) {
  { r.Observe(req) } -> std::same_as<absl::Status>;
  { cr.Recommend(req, out) } -> std::same_as<void>;
};

namespace internal {
// The limit each user would end up with under `plan`, as desires (users x 4).
inline void DesiresFromPlan(const AllocationRequest& req, const AllocationPlan& plan,
                            std::vector<Desire>& out) {
  out.resize(req.users.size() * kNumResources);
  for (std::size_t i = 0; i < req.users.size(); ++i) {
    for (Resource r : kAllResources) {
      Desire& d = out[i * kNumResources + Index(r)];
      d = Desire{req.users[i].allocation[r], Reason::kForecast, 0.0, 0.0};
      d.target = req.users[i].allocation[r];
    }
  }
  for (const Move& m : plan.moves) {
    if (m.kind != MoveKind::kResize || m.index >= req.users.size()) continue;
    out[m.index * kNumResources + Index(m.resource)] = Desire{m.to, m.reason, m.level, m.forecast};
  }
}
}  // namespace internal

template <Allocator BaseT>
class WithMargin {
 public:
  explicit WithMargin(BaseT base = BaseT{}, ResourceVector margin = ResourceVector::Filled(0.1))
      : base_(std::move(base)), margin_(margin) {}
  static std::string_view Name() { return "with_margin"; }
  static constexpr bool kReadsOutlook = ReadsOutlook<BaseT>();
  BaseT& base() { return base_; }
  void Forget(Slot slot)
    requires SlotForgetting<BaseT>
  {
    base_.Forget(slot);
  }

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out) {
    if (!IsValidAmount(margin_)) return absl::InvalidArgumentError("margin must be >= 0");
    if (absl::Status s = base_.Plan(req, inner_); !s.ok()) return s;
    internal::DesiresFromPlan(req, inner_, desires_);
    for (std::size_t i = 0; i < req.users.size(); ++i) {
      for (Resource r : kAllResources) {
        internal::Desire& d = desires_[i * kNumResources + Index(r)];
        if (d.target != req.users[i].allocation[r]) {
          d.target = std::min(d.target * (1 + margin_[r]), req.costs[i].max[r]);
        }
      }
    }
    internal::EmitWithinCapacity(req, desires_, out);
    return absl::OkStatus();
  }

 private:
  BaseT base_;
  ResourceVector margin_;
  AllocationPlan inner_;
  std::vector<internal::Desire> desires_;
};

template <Allocator BaseT, ReactiveRecommender ReactiveT = VpaStyle>
class MaxOfReactive {
 public:
  explicit MaxOfReactive(BaseT base = BaseT{}, ReactiveT reactive = ReactiveT{})
      : base_(std::move(base)), reactive_(std::move(reactive)) {}
  static std::string_view Name() { return "max_of_reactive"; }
  static constexpr bool kReadsOutlook = ReadsOutlook<BaseT>();
  void Forget(Slot slot)
    requires(SlotForgetting<BaseT> && SlotForgetting<ReactiveT>)
  {
    base_.Forget(slot);
    reactive_.Forget(slot);
  }

  absl::Status Plan(const AllocationRequest& req, AllocationPlan& out) {
    if (absl::Status s = reactive_.Observe(req); !s.ok()) return s;
    if (absl::Status s = base_.Plan(req, inner_); !s.ok()) return s;
    internal::DesiresFromPlan(req, inner_, desires_);
    reactive_desires_.resize(desires_.size());
    reactive_.Recommend(req, reactive_desires_);
    for (std::size_t k = 0; k < desires_.size(); ++k) {
      if (reactive_desires_[k].target > desires_[k].target) desires_[k] = reactive_desires_[k];
    }
    internal::EmitWithinCapacity(req, desires_, out);
    return absl::OkStatus();
  }

 private:
  BaseT base_;
  ReactiveT reactive_;
  AllocationPlan inner_;
  std::vector<internal::Desire> desires_;
  std::vector<internal::Desire> reactive_desires_;
};

}  // namespace foresight

#endif  // FORESIGHT_ALLOCATE_DECORATORS_HPP_
