// -----------------------------------------------------------------------------
// File: history.hpp
// -----------------------------------------------------------------------------
//
// `HistoryStore` keeps, for every user slot, the last `capacity` usage samples
// of each resource in contiguous rings, plus the time of the newest sample.
// `Append` validates before it writes: NaN, infinite or negative values,
// out-of-order or duplicate timestamps are rejected with an error that names the
// problem, and the store is left unchanged. `Forget` empties a slot whose
// user is gone, for a later user to take.
//
//   HistoryStore store(/*capacity=*/2016);
//   FORESIGHT_RETURN_IF_ERROR(store.Append(slot, now, usage));
//   RingView<double> cpu = store.View(slot, Resource::kCpu);
#ifndef FORESIGHT_TELEMETRY_HISTORY_HPP_
#define FORESIGHT_TELEMETRY_HISTORY_HPP_

#include <cstddef>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"
#include "foresight/telemetry/ring_buffer.hpp"

namespace foresight {

class HistoryStore {
 public:
  explicit HistoryStore(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

  std::size_t capacity() const { return capacity_; }
  std::size_t slots() const { return last_time_.size(); }

  // Makes room for slots [0, n).
  void Resize(std::size_t n) {
    if (n <= slots()) return;
    values_.resize(n * kNumResources * capacity_, 0.0);
    head_.resize(n, 0);
    size_.resize(n, 0);
    last_time_.resize(n, absl::InfinitePast());
  }

  // Records `usage` at `time` for `slot` (grown on demand).
  absl::Status Append(Slot slot, absl::Time time, const ResourceVector& usage) {
    if (!IsValidAmount(usage)) {
      return absl::InvalidArgumentError(
          absl::StrCat("slot ", slot, ": usage is NaN, infinite or negative"));
    }
    if (slot < slots() && time <= last_time_[slot]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "slot ", slot, ": timestamp ", absl::FormatTime(time), time == last_time_[slot]
              ? " duplicates the previous sample" : " is older than the previous sample ",
          time == last_time_[slot] ? "" : absl::FormatTime(last_time_[slot])));
    }
    Resize(static_cast<std::size_t>(slot) + 1);
    for (Resource r : kAllResources) {
      values_[Offset(slot, r) + head_[slot]] = usage[r];
    }
    head_[slot] = head_[slot] + 1 == capacity_ ? 0 : head_[slot] + 1;
    size_[slot] = std::min(size_[slot] + 1, capacity_);
    last_time_[slot] = time;
    return absl::OkStatus();
  }

  // Drops `slot`'s samples (its user is gone); the slot then reads as never
  // written, and its next sample may be at any time. Keeps the memory.
  void Forget(Slot slot) {
    if (slot >= slots()) return;
    head_[slot] = 0;
    size_[slot] = 0;
    last_time_[slot] = absl::InfinitePast();
  }

  RingView<double> View(Slot slot, Resource r) const {
    if (slot >= slots()) return RingView<double>({}, 0, 0);
    return RingView<double>(std::span<const double>(values_).subspan(Offset(slot, r), capacity_),
                            head_[slot], size_[slot]);
  }
  std::size_t size(Slot slot) const { return slot < slots() ? size_[slot] : 0; }
  absl::Time last_time(Slot slot) const {
    return slot < slots() ? last_time_[slot] : absl::InfinitePast();
  }

 private:
  std::size_t Offset(Slot slot, Resource r) const {
    return (static_cast<std::size_t>(slot) * kNumResources + Index(r)) * capacity_;
  }

  std::size_t capacity_;
  std::vector<double> values_;
  std::vector<std::size_t> head_;
  std::vector<std::size_t> size_;
  std::vector<absl::Time> last_time_;
};

}  // namespace foresight

#endif  // FORESIGHT_TELEMETRY_HISTORY_HPP_
