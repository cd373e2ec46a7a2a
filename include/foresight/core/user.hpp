// -----------------------------------------------------------------------------
// File: user.hpp
// -----------------------------------------------------------------------------
//
// Users (VMs, containers, jobs) are identified by a stable `UserId` chosen by
// the host. Internally every per-user array is indexed by a dense `Slot`;
// `SlotMap` assigns slots in order of first sight and never reuses one, so
// slot-indexed state stays valid for the lifetime of a controller.
#ifndef FORESIGHT_CORE_USER_HPP_
#define FORESIGHT_CORE_USER_HPP_

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
// `Insert` and are never reused.
class SlotMap {
 public:
  // Returns the slot of `id`, inserting it if it is new.
  Slot Insert(UserId id) {
    auto [it, inserted] = slots_.try_emplace(id, static_cast<Slot>(ids_.size()));
    if (inserted) ids_.push_back(id);
    return it->second;
  }
  // Returns the slot of `id`, or `kNoSlot` when it was never inserted.
  Slot Find(UserId id) const {
    auto it = slots_.find(id);
    return it == slots_.end() ? kNoSlot : it->second;
  }
  UserId id(Slot slot) const { return ids_[slot]; }
  std::size_t size() const { return ids_.size(); }
  const std::vector<UserId>& ids() const { return ids_; }
  void Reserve(std::size_t n) {
    slots_.reserve(n);
    ids_.reserve(n);
  }

 private:
  absl::flat_hash_map<UserId, Slot> slots_;
  std::vector<UserId> ids_;
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
