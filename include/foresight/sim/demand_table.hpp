// -----------------------------------------------------------------------------
// File: demand_table.hpp
// -----------------------------------------------------------------------------
//
// `DemandTable` holds a workload's demand, users x steps x 4 resources, with
// NaN for a missing sample. It stores each user only over its window, the
// steps from the first it may hold a sample to the last. Reads outside the
// window are NaN. In a trace of VMs that each live a fraction of it, memory
// goes with the VM-steps inside windows, not with VMs x steps: 10,000 VMs
// with 12-hour lives over 14 days need 1.29 GB dense and about 38 MB here.
//
//   DemandTable dense(users, steps);           // every window spans all steps
//   DemandTable ragged(steps, windows);        // per-user [first, last]
//   ragged.Set(u, t, r, v);                    // inside u's window only
//   double d = ragged(u, t, r);                // NaN outside it
//
// Writing outside a user's window is a programming error and aborts, since
// it would land in another user's samples.
#ifndef FORESIGHT_SIM_DEMAND_TABLE_HPP_
#define FORESIGHT_SIM_DEMAND_TABLE_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <span>
#include <vector>

#include "foresight/core/resources.hpp"
#include "xtensor/xtensor.hpp"

namespace foresight {

// Steps [first, last] of one user, on the workload's grid; `empty()` for a
// user that holds nothing.
struct StepWindow {
  static constexpr std::size_t kNever = static_cast<std::size_t>(-1);
  std::size_t first = kNever;
  std::size_t last = 0;
  bool empty() const { return first == kNever; }
  bool Contains(std::size_t step) const { return !empty() && step >= first && step <= last; }
  std::size_t size() const { return empty() ? 0 : last - first + 1; }
};

class DemandTable {
 public:
  DemandTable() = default;
  // `users` users over `steps` steps, every window spanning all of them, all
  // samples missing.
  DemandTable(std::size_t users, std::size_t steps)
      : DemandTable(steps, std::vector<StepWindow>(users, Full(steps))) {}
  // One window per user (each inside [0, steps), or empty), all samples missing.
  DemandTable(std::size_t steps, std::span<const StepWindow> windows)
      : steps_(steps), windows_(windows.begin(), windows.end()), offset_(windows.size() + 1, 0) {
    for (std::size_t u = 0; u < windows_.size(); ++u) {
      StepWindow& w = windows_[u];
      if (!w.empty() && (w.first > w.last || w.last >= steps_)) {
        std::fprintf(stderr, "DemandTable: window [%zu, %zu] of user %zu outside %zu steps\n",
                     w.first, w.last, u, steps_);
        std::abort();
      }
      offset_[u + 1] = offset_[u] + w.size() * kNumResources;
    }
    values_.assign(offset_.back(), std::numeric_limits<double>::quiet_NaN());
  }
  std::size_t users() const { return windows_.size(); }
  std::size_t steps() const { return steps_; }
  const StepWindow& window(std::size_t user) const { return windows_[user]; }
  // Values stored: 4 per step inside a window.
  std::size_t stored() const { return values_.size(); }
  std::size_t bytes() const {
    return values_.size() * sizeof(double) + windows_.size() * (sizeof(StepWindow) + sizeof(std::size_t));
  }

  double operator()(std::size_t user, std::size_t step, std::size_t r) const {
    const StepWindow& w = windows_[user];
    if (!w.Contains(step)) return std::numeric_limits<double>::quiet_NaN();
    return values_[offset_[user] + (step - w.first) * kNumResources + r];
  }
  // Sets a sample inside `user`'s window.
  void Set(std::size_t user, std::size_t step, std::size_t r, double v) {
    const StepWindow& w = windows_[user];
    if (!w.Contains(step)) {
      std::fprintf(stderr, "DemandTable: write at step %zu outside user %zu's window\n", step,
                   user);
      std::abort();
    }
    values_[offset_[user] + (step - w.first) * kNumResources + r] = v;
  }
  // Sets every stored value (every step inside a window) to `v`.
  void Fill(double v) { std::fill(values_.begin(), values_.end(), v); }

  // The four resources of `user` at `step` (NaN outside its window).
  ResourceVector Vector(std::size_t user, std::size_t step) const {
    const StepWindow& w = windows_[user];
    if (!w.Contains(step)) return ResourceVector::Filled(std::numeric_limits<double>::quiet_NaN());
    const double* p = values_.data() + offset_[user] + (step - w.first) * kNumResources;
    ResourceVector v;
    for (std::size_t r = 0; r < kNumResources; ++r) v.values[r] = p[r];
    return v;
  }

  // A dense users x steps x 4 copy (NaN outside windows), e.g. for NumPy.
  xt::xtensor<double, 3> Dense() const {
    xt::xtensor<double, 3> out = xt::xtensor<double, 3>::from_shape({users(), steps_, kNumResources});
    out.fill(std::numeric_limits<double>::quiet_NaN());
    for (std::size_t u = 0; u < users(); ++u) {
      for (std::size_t t = windows_[u].first; windows_[u].Contains(t); ++t) {
        for (std::size_t r = 0; r < kNumResources; ++r) out(u, t, r) = (*this)(u, t, r);
      }
    }
    return out;
  }

  // Same steps, windows and samples (missing matches missing).
  friend bool operator==(const DemandTable& a, const DemandTable& b) {
    if (a.steps_ != b.steps_ || a.windows_.size() != b.windows_.size() ||
        a.values_.size() != b.values_.size()) {
      return false;
    }
    for (std::size_t u = 0; u < a.windows_.size(); ++u) {
      if (a.windows_[u].first != b.windows_[u].first || a.windows_[u].last != b.windows_[u].last) {
        return false;
      }
    }
    for (std::size_t i = 0; i < a.values_.size(); ++i) {
      const double x = a.values_[i], y = b.values_[i];
      if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
    }
    return true;
  }

 private:
  static StepWindow Full(std::size_t steps) {
    return steps == 0 ? StepWindow{} : StepWindow{0, steps - 1};
  }

  std::size_t steps_ = 0;
  std::vector<StepWindow> windows_;
  std::vector<std::size_t> offset_ = {0};  // per user, its first value; users + 1 entries
  std::vector<double> values_;
};

}  // namespace foresight

#endif  // FORESIGHT_SIM_DEMAND_TABLE_HPP_
