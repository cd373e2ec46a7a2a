// -----------------------------------------------------------------------------
// File: ring_buffer.hpp
// -----------------------------------------------------------------------------
//
// `RingView` is a read-only view of a fixed-capacity ring stored in contiguous
// memory; `HistoryStore` keeps one ring per (user slot, resource) in a single
// contiguous array of `slots * 4 * capacity` values, so walking every user's
// history touches memory in order.
#ifndef FORESIGHT_TELEMETRY_RING_BUFFER_HPP_
#define FORESIGHT_TELEMETRY_RING_BUFFER_HPP_

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <span>
#include <vector>

namespace foresight {

// Read-only view of the last `size()` values of a ring; index 0 is the oldest.
template <typename T>
class RingView {
 public:
  RingView(std::span<const T> storage, std::size_t head, std::size_t size)
      : storage_(storage), head_(head), size_(size) {}

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // i-th oldest value, 0 <= i < size().
  const T& operator[](std::size_t i) const {
    assert(i < size_);
    std::size_t pos = head_ + storage_.size() - size_ + i;
    if (pos >= storage_.size()) pos -= storage_.size();
    return storage_[pos];
  }
  const T& back() const { return (*this)[size_ - 1]; }
  // Appends the values oldest-first to `out` (cleared first).
  void CopyTo(std::vector<T>& out) const {
    out.resize(size_);
    for (std::size_t i = 0; i < size_; ++i) out[i] = (*this)[i];
  }

 private:
  std::span<const T> storage_;
  std::size_t head_;  // index one past the newest value
  std::size_t size_;
};

// A fixed-capacity ring owning its storage.
template <typename T>
class RingBuffer {
 public:
  explicit RingBuffer(std::size_t capacity) : data_(std::max<std::size_t>(capacity, 1)) {}

  void Push(const T& v) {
    data_[head_] = v;
    head_ = head_ + 1 == data_.size() ? 0 : head_ + 1;
    size_ = std::min(size_ + 1, data_.size());
  }
  RingView<T> view() const { return RingView<T>(data_, head_, size_); }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return data_.size(); }
  const T& operator[](std::size_t i) const { return view()[i]; }
  void Clear() { head_ = size_ = 0; }

 private:
  std::vector<T> data_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace foresight

#endif  // FORESIGHT_TELEMETRY_RING_BUFFER_HPP_
