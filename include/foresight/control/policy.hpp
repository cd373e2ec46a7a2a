// -----------------------------------------------------------------------------
// File: policy.hpp
// -----------------------------------------------------------------------------
//
// `PolicyLayer` is the step between the allocator and the pool: it rewrites a
// plan so that user- and group-defined constraints and administrator
// overrides hold, and keeps an audit record of every decision with the
// numbers behind it.
//
//   user constraint   per user and resource: min, max, pinned value (NaN: none)
//   group constraint  per member min / max, and a quota on the members' sum
//   admin override    pin (hold at a value while active), force (set a value
//                     once), cap (upper bound), freeze (no change at all);
//                     optional expiry; overrides win over the allocator and
//                     over user and group constraints
//
// Order per user and resource: the allocator's proposal, clamped by the
// user's then its group's bounds, replaced by a pinned value, then the admin
// override (freeze > force > pin > cap). Group quotas then trim members' grows
// proportionally, then members' limits above their minimum (members under an
// override are left alone). The result is re-emitted shrinks first, grows
// clipped to what the host has free, so capacity holds whatever the rules
// asked (a clipped force or pin is audited as "capacity").
//
// Audit: one `AuditRecord` per (user, resource) the allocator or a rule
// touched, with the allocator's proposal, the final limit, the rule that
// decided it and the allocator's numbers (level, forecast, benefit, cost).
// The last `audit_limit` records are kept.
#ifndef FORESIGHT_CONTROL_POLICY_HPP_
#define FORESIGHT_CONTROL_POLICY_HPP_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/allocate/allocator.hpp"
#include "foresight/allocate/internal/plan_builder.hpp"
#include "foresight/allocate/plan.hpp"

namespace foresight {

struct UserConstraint {
  ResourceVector min = ResourceVector::Filled(0.0);
  ResourceVector max = ResourceVector::Filled(std::numeric_limits<double>::infinity());
  ResourceVector pinned = ResourceVector::Filled(std::nan(""));  // NaN: not pinned
  std::string group;  // empty: none
};

struct GroupConstraint {
  ResourceVector member_min = ResourceVector::Filled(0.0);
  ResourceVector member_max = ResourceVector::Filled(std::numeric_limits<double>::infinity());
  ResourceVector quota = ResourceVector::Filled(std::numeric_limits<double>::infinity());
};

enum class OverrideKind : std::uint8_t { kPin, kForce, kCap, kFreeze };

constexpr std::string_view OverrideKindName(OverrideKind k) {
  constexpr std::string_view kNames[] = {"pin", "force", "cap", "freeze"};
  return kNames[static_cast<int>(k)];
}

struct AdminOverride {
  OverrideKind kind = OverrideKind::kFreeze;
  Resource resource = Resource::kCpu;
  double value = 0.0;  // pin, force, cap
  absl::Time until = absl::InfiniteFuture();
  std::string note;    // who and why, for the audit
};

struct AuditRecord {
  absl::Time time;
  UserId user;
  Resource resource = Resource::kCpu;
  MoveKind kind = MoveKind::kResize;
  double from = 0.0;
  double proposed = std::nan("");  // the allocator's target (NaN: it proposed nothing)
  double to = 0.0;                 // final limit asked of the pool (== from: no change)
  Reason reason = Reason::kForecast;
  double level = std::nan(""), forecast = std::nan(""), benefit = std::nan(""), cost = std::nan("");
  std::string rule;  // "allocator", "user min", "group quota", "admin cap", "capacity", ...
};

class PolicyLayer {
 public:
  std::size_t audit_limit() const { return audit_limit_; }
  void set_audit_limit(std::size_t n) { audit_limit_ = n; }
  const std::deque<AuditRecord>& audit() const { return audit_; }
  void ClearAudit() { audit_.clear(); }

  absl::Status SetUserConstraint(UserId user, const UserConstraint& c) {
    for (Resource r : kAllResources) {
      if (!(c.min[r] >= 0) || !(c.max[r] >= c.min[r]) ||
          (!std::isnan(c.pinned[r]) && !(c.pinned[r] >= 0 && std::isfinite(c.pinned[r])))) {
        return absl::InvalidArgumentError(absl::StrCat(
            ToString(user), ": impossible constraint on ", Sv(ResourceName(r)), " (min ", c.min[r],
            ", max ", c.max[r], ", pinned ", c.pinned[r], ")"));
      }
    }
    if (!c.group.empty() && !groups_.contains(c.group)) {
      return absl::InvalidArgumentError(absl::StrCat(ToString(user), ": unknown group '", c.group, "'"));
    }
    users_[user] = c;
    return absl::OkStatus();
  }
  absl::Status SetGroupConstraint(const std::string& group, const GroupConstraint& g) {
    if (group.empty()) return absl::InvalidArgumentError("group needs a name");
    for (Resource r : kAllResources) {
      if (!(g.member_min[r] >= 0) || !(g.member_max[r] >= g.member_min[r]) || !(g.quota[r] >= 0)) {
        return absl::InvalidArgumentError(absl::StrCat("group '", group,
                                                       "': impossible bounds on ",
                                                       Sv(ResourceName(r))));
      }
    }
    groups_[group] = g;
    return absl::OkStatus();
  }
  absl::Status AddOverride(UserId user, const AdminOverride& o) {
    if (o.kind != OverrideKind::kFreeze && !(o.value >= 0 && std::isfinite(o.value))) {
      return absl::InvalidArgumentError(absl::StrCat(ToString(user), ": override ",
                                                     Sv(OverrideKindName(o.kind)),
                                                     " needs a finite, non-negative value"));
    }
    overrides_[user].push_back(o);
    return absl::OkStatus();
  }
  void ClearOverrides(UserId user) { overrides_.erase(user); }

  // Rewrites `plan` (made for `req`) in place; see the file comment.
  absl::Status Apply(const AllocationRequest& req, AllocationPlan& plan) {
    if (absl::Status s = ValidateRequest(req); !s.ok()) return s;
    const std::size_t n = req.users.size();
    for (const Move& m : plan.moves) {
      if (m.index >= n || req.users[m.index].user != m.user) {
        return absl::InvalidArgumentError("plan names a user that is not in the request");
      }
    }
    // Expire overrides.
    for (auto it = overrides_.begin(); it != overrides_.end();) {
      auto& v = it->second;
      v.erase(std::remove_if(v.begin(), v.end(), [&](const AdminOverride& o) { return o.until <= req.now; }),
              v.end());
      if (v.empty()) {
        overrides_.erase(it++);
      } else {
        ++it;
      }
    }
    std::vector<std::int32_t> move_of(n * kNumResources, -1);
    std::vector<double> want(n * kNumResources);
    std::vector<std::string> rule(n * kNumResources);
    std::vector<char> locked(n * kNumResources, 0), preempt(n * kNumResources, 0);
    for (std::size_t i = 0; i < n; ++i) {
      for (Resource r : kAllResources) want[i * kNumResources + Index(r)] = req.users[i].allocation[r];
    }
    for (std::size_t k = 0; k < plan.moves.size(); ++k) {
      const Move& m = plan.moves[k];
      if (m.kind != MoveKind::kResize && m.kind != MoveKind::kPreempt) continue;
      const std::size_t j = m.index * kNumResources + Index(m.resource);
      move_of[j] = static_cast<std::int32_t>(k);
      want[j] = m.to;
      rule[j] = "allocator";
      preempt[j] = m.kind == MoveKind::kPreempt;
    }
    const bool any_rules = !users_.empty() || !overrides_.empty();
    std::vector<std::int32_t> force_used;
    for (std::size_t i = 0; any_rules && i < n; ++i) {
      const UserId id = req.users[i].user;
      auto uc = users_.find(id);
      auto ov = overrides_.find(id);
      for (Resource r : kAllResources) {
        const std::size_t j = i * kNumResources + Index(r);
        double v = want[j];
        auto set = [&](double x, std::string why) {
          if (x != v) rule[j] = std::move(why);
          v = x;
        };
        if (uc != users_.end()) {
          const UserConstraint& c = uc->second;
          if (v < c.min[r]) set(c.min[r], "user min");
          if (v > c.max[r]) set(c.max[r], "user max");
          if (!c.group.empty()) {
            const GroupConstraint& g = groups_.at(c.group);
            if (v < g.member_min[r]) set(g.member_min[r], "group min");
            if (v > g.member_max[r]) set(g.member_max[r], "group max");
          }
          if (!std::isnan(c.pinned[r])) set(c.pinned[r], "user pinned");
        }
        if (ov != overrides_.end()) {
          const AdminOverride* freeze = nullptr;
          const AdminOverride* force = nullptr;
          const AdminOverride* pin = nullptr;
          const AdminOverride* cap = nullptr;
          for (const AdminOverride& o : ov->second) {
            if (o.resource != r) continue;
            switch (o.kind) {
              case OverrideKind::kFreeze: freeze = &o; break;
              case OverrideKind::kForce: force = &o; break;
              case OverrideKind::kPin: pin = &o; break;
              case OverrideKind::kCap: cap = cap == nullptr || o.value < cap->value ? &o : cap; break;
            }
          }
          const std::string note = [&](const AdminOverride* o) {
            return o == nullptr || o->note.empty() ? std::string() : " (" + o->note + ")";
          }(freeze ? freeze : force ? force : pin ? pin : cap);
          if (freeze != nullptr) {
            set(req.users[i].allocation[r], "admin freeze" + note);
            rule[j] = "admin freeze" + note;
            preempt[j] = 0;
          } else if (force != nullptr) {
            set(force->value, "admin force" + note);
            rule[j] = "admin force" + note;
            preempt[j] = 0;
            force_used.push_back(static_cast<std::int32_t>(j));
          } else if (pin != nullptr) {
            set(pin->value, "admin pin" + note);
            rule[j] = "admin pin" + note;
            preempt[j] = 0;
          } else if (cap != nullptr && v > cap->value) {
            set(cap->value, "admin cap" + note);
          }
          locked[j] = freeze != nullptr || force != nullptr || pin != nullptr;
        }
        want[j] = v;
      }
    }
    // Group quotas.
    if (!groups_.empty()) {
      absl::flat_hash_map<std::string, std::vector<std::uint32_t>> members;
      for (std::size_t i = 0; i < n; ++i) {
        auto uc = users_.find(req.users[i].user);
        if (uc != users_.end() && !uc->second.group.empty()) {
          members[uc->second.group].push_back(static_cast<std::uint32_t>(i));
        }
      }
      for (const auto& [name, idx] : members) {
        const GroupConstraint& g = groups_.at(name);
        for (Resource r : kAllResources) {
          if (!std::isfinite(g.quota[r])) continue;
          double sum = 0.0, grow = 0.0, above_min = 0.0;
          for (std::uint32_t i : idx) {
            const std::size_t j = i * kNumResources + Index(r);
            sum += want[j];
            if (locked[j]) continue;
            grow += std::max(0.0, want[j] - req.users[i].allocation[r]);
          }
          if (sum <= g.quota[r]) continue;
          const double cut_grow = std::min(grow, sum - g.quota[r]);
          const double f = grow > 0 ? cut_grow / grow : 0.0;
          for (std::uint32_t i : idx) {
            const std::size_t j = i * kNumResources + Index(r);
            if (locked[j]) continue;
            const double g_i = std::max(0.0, want[j] - req.users[i].allocation[r]);
            if (g_i > 0 && f > 0) {
              want[j] -= g_i * f;
              rule[j] = "group quota";
            }
          }
          sum -= cut_grow;
          if (sum <= g.quota[r]) continue;
          for (std::uint32_t i : idx) {
            const std::size_t j = i * kNumResources + Index(r);
            if (!locked[j]) above_min += std::max(0.0, want[j] - users_.at(req.users[i].user).min[r]);
          }
          const double f2 = above_min > 0 ? std::min(1.0, (sum - g.quota[r]) / above_min) : 0.0;
          for (std::uint32_t i : idx) {
            const std::size_t j = i * kNumResources + Index(r);
            if (locked[j]) continue;
            const double lo = users_.at(req.users[i].user).min[r];
            const double x = std::max(0.0, want[j] - lo) * f2;
            if (x > 0) {
              want[j] -= x;
              rule[j] = "group quota";
            }
          }
        }
      }
    }
    // Re-emit and audit.
    builder_.Reset();
    for (std::size_t i = 0; i < n; ++i) {
      for (Resource r : kAllResources) {
        const std::size_t j = i * kNumResources + Index(r);
        const double from = req.users[i].allocation[r];
        if (want[j] == from && !preempt[j]) continue;
        internal::Proposal p;
        p.index = static_cast<std::uint32_t>(i);
        p.resource = r;
        p.to = want[j];
        p.kind = preempt[j] ? MoveKind::kPreempt : MoveKind::kResize;
        p.rank = req.costs[i].priority + (locked[j] ? 1e12 : 0.0);  // overrides first
        p.force = true;
        if (move_of[j] >= 0) {
          internal::CopyExplanation(plan.moves[static_cast<std::size_t>(move_of[j])], p);
        }
        if (rule[j] != "allocator") {
          p.reason = rule[j].starts_with("admin") ? Reason::kOverride : Reason::kPolicy;
        }
        builder_.Propose(p);
      }
    }
    AllocationPlan old = std::move(plan);
    builder_.Emit(req, plan, 0.0);
    std::vector<std::int32_t> final_of(n * kNumResources, -1);
    for (std::size_t k = 0; k < plan.moves.size(); ++k) {
      final_of[plan.moves[k].index * kNumResources + Index(plan.moves[k].resource)] =
          static_cast<std::int32_t>(k);
    }
    for (std::size_t j = 0; j < n * kNumResources; ++j) {
      if (rule[j].empty() && final_of[j] < 0) continue;
      const std::size_t i = j / kNumResources;
      AuditRecord a;
      a.time = req.now;
      a.user = req.users[i].user;
      a.resource = static_cast<Resource>(j % kNumResources);
      a.from = req.users[i].allocation[a.resource];
      a.to = final_of[j] >= 0 ? plan.moves[static_cast<std::size_t>(final_of[j])].to : a.from;
      a.rule = rule[j].empty() ? "allocator" : rule[j];
      if (move_of[j] >= 0) {
        const Move& m = old.moves[static_cast<std::size_t>(move_of[j])];
        a.proposed = m.to;
        a.kind = m.kind;
        internal::CopyExplanation(m, a);
      }
      if (final_of[j] >= 0) {
        const Move& m = plan.moves[static_cast<std::size_t>(final_of[j])];
        a.kind = m.kind;
        a.reason = m.reason;
        if (m.reason == Reason::kCapacityShare && std::abs(m.to - want[j]) > 1e-12 * std::max(1.0, want[j])) {
          a.rule = "capacity";
        }
      } else if (want[j] != a.from) {
        a.rule = "capacity";
      }
      audit_.push_back(std::move(a));
    }
    while (audit_.size() > audit_limit_) audit_.pop_front();
    // A force is one-shot: drop it once applied.
    for (std::int32_t j : force_used) {
      const std::size_t i = static_cast<std::size_t>(j) / kNumResources;
      const Resource r = static_cast<Resource>(static_cast<std::size_t>(j) % kNumResources);
      auto ov = overrides_.find(req.users[i].user);
      if (ov == overrides_.end()) continue;
      auto& v = ov->second;
      v.erase(std::remove_if(v.begin(), v.end(), [&](const AdminOverride& o) {
                return o.kind == OverrideKind::kForce && o.resource == r;
              }),
              v.end());
      if (v.empty()) overrides_.erase(ov);
    }
    return absl::OkStatus();
  }

 private:
  absl::flat_hash_map<UserId, UserConstraint> users_;
  absl::flat_hash_map<std::string, GroupConstraint> groups_;
  absl::flat_hash_map<UserId, std::vector<AdminOverride>> overrides_;
  std::deque<AuditRecord> audit_;
  std::size_t audit_limit_ = 100000;
  internal::PlanBuilder builder_;
};

}  // namespace foresight

#endif  // FORESIGHT_CONTROL_POLICY_HPP_
