// -----------------------------------------------------------------------------
// File: user.hpp
// -----------------------------------------------------------------------------
//
// Users (VMs, containers, jobs) are identified by a stable `UserId` chosen by
// the host. Internally every per-user array is indexed by a dense `Slot`;
// `SlotMap` assigns slots in order of first sight. A slot is stable while its
// user lives; once the user is erased (deleted on the host) the slot may go to
// a later user, so every component that keeps state by slot is told first
// (`Forget`, see `SlotForgetting` below).
#ifndef FORESIGHT_CORE_USER_HPP_
#define FORESIGHT_CORE_USER_HPP_

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace foresight {

// A stable user identifier. Hosts with string names keep their own name table
// (see `UserDirectory`) and hand foresight the numeric id.
struct UserId {
  std::uint64_t value = 0;

  friend constexpr bool operator==(UserId, UserId) = default;
  friend constexpr auto operator<=>(UserId, UserId) = default;
  template <typename H>
  friend H AbslHashValue(H h, UserId id) {
    return H::combine(std::move(h), id.value);
  }
  friend std::string ToString(UserId id) { return absl::StrCat("user#", id.value); }
};

// Dense index of a user inside one controller or store.
using Slot = std::uint32_t;
inline constexpr Slot kNoSlot = static_cast<Slot>(-1);

// Maps `UserId` to dense slots. Slots are handed out 0, 1, 2, ... on first
// `Insert`; `Erase` frees a user's slot, and the next new user takes the most
// recently freed one, so `size()` (slots ever handed out, the range every
// slot-indexed array must cover) stays at the most users alive together.
class SlotMap {
 public:
  // Returns the slot of `id`, inserting it if it is new.
  Slot Insert(UserId id) {
    const Slot next = free_.empty() ? static_cast<Slot>(ids_.size()) : free_.back();
    auto [it, inserted] = slots_.try_emplace(id, next);
    if (inserted) {
      if (free_.empty()) {
        ids_.push_back(id);
      } else {
        free_.pop_back();
        ids_[next] = id;
      }
    }
    return it->second;
  }
  // Frees the slot of `id` for a later user; false when `id` holds none.
  bool Erase(UserId id) {
    auto it = slots_.find(id);
    if (it == slots_.end()) return false;
    free_.push_back(it->second);
    ids_[it->second] = kFreeId;
    slots_.erase(it);
    return true;
  }
  // Returns the slot of `id`, or `kNoSlot` when it holds none.
  Slot Find(UserId id) const {
    auto it = slots_.find(id);
    return it == slots_.end() ? kNoSlot : it->second;
  }
  // The user holding `slot` (`kFreeId` for a freed slot).
  UserId id(Slot slot) const { return ids_[slot]; }
  // Slots handed out so far: every slot in use is below this.
  std::size_t size() const { return ids_.size(); }
  // Users holding a slot now.
  std::size_t live() const { return slots_.size(); }
  // Per slot, its user (`kFreeId` where freed).
  const std::vector<UserId>& ids() const { return ids_; }
  void Reserve(std::size_t n) {
    slots_.reserve(n);
    ids_.reserve(n);
  }

  // Stands in `ids()` for a freed slot.
  static constexpr UserId kFreeId{~std::uint64_t{0}};

 private:
  absl::flat_hash_map<UserId, Slot> slots_;
  std::vector<UserId> ids_;
  std::vector<Slot> free_;  // freed slots, most recent last
};

// A component keeping state by slot that can drop one slot's state, so the
// slot can go to a new user who then starts as if the slot were never used:
//
//   void Forget(Slot slot);  // slot's user is gone for good
//
// Optional for every role that sees slots (Profiler, Allocator, the reactive
// recommenders). A component without per-slot state declares an empty
// `Forget`; a decorator declares it only when what it wraps does
// (`void Forget(Slot) requires SlotForgetting<BaseT>`). The `Controller` reuses slots only when its profiler and
// allocator both satisfy this; otherwise a deleted user's slot stays unused.
template <typename T>
concept SlotForgetting = requires(T t, Slot slot) {
  { t.Forget(slot) } -> std::same_as<void>;
};

// Two-way table between host-side string names and `UserId`s, for the edges
// (trace files, CLI output). Ids are assigned 0, 1, 2, ... in order of first sight.
class UserDirectory {
 public:
  UserId Intern(const std::string& name) {
    auto [it, inserted] = ids_.try_emplace(name, UserId{names_.size()});
    if (inserted) names_.push_back(name);
    return it->second;
  }
  std::optional<UserId> Find(const std::string& name) const {
    auto it = ids_.find(name);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  // The name of `id`, or "user#N" for ids that were never interned.
  std::string Name(UserId id) const {
    return id.value < names_.size() ? names_[id.value] : ToString(id);
  }
  std::size_t size() const { return names_.size(); }

 private:
  absl::flat_hash_map<std::string, UserId> ids_;
  std::vector<std::string> names_;
};

}  // namespace foresight

#endif  // FORESIGHT_CORE_USER_HPP_
