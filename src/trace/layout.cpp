#include "foresight/trace/layout.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"

namespace foresight {

std::vector<ResourceVector> PeakDemand(const Workload& workload) {
  std::vector<ResourceVector> peak(workload.num_users());
  for (std::size_t u = 0; u < workload.num_users(); ++u) {
    const StepWindow& window = workload.demand.window(u);
    for (std::size_t t = window.first; window.Contains(t); ++t) {
      if (!workload.Present(u, t)) continue;
      for (std::size_t r = 0; r < kNumResources; ++r) {
        const double d = workload.demand(u, t, r);
        if (!std::isnan(d)) peak[u].values[r] = std::max(peak[u].values[r], d);
      }
    }
  }
  return peak;
}

absl::Status RightSizingLayout(Workload& workload) {
  const std::vector<ResourceVector> peak = PeakDemand(workload);
  workload.host_capacity.assign(workload.num_users(), ResourceVector{});
  for (std::size_t u = 0; u < workload.num_users(); ++u) {
    WorkloadUser& user = workload.users[u];
    user.host = static_cast<std::uint32_t>(u);
    ResourceVector cap = Max(peak[u], user.initial_allocation) * 10.0;
    for (double& c : cap.values) c = std::max(c, 1.0);
    workload.host_capacity[u] = cap;
  }
  if (workload.host_capacity.empty()) workload.host_capacity.push_back(ResourceVector::Filled(1.0));
  return absl::OkStatus();
}

absl::Status ContentionLayout(Workload& workload, std::size_t hosts,
                              const ResourceVector& capacity) {
  if (hosts == 0) return absl::InvalidArgumentError("--hosts must be at least 1");
  if (!IsValidAmount(capacity))
    return absl::InvalidArgumentError("host capacity must be finite and >= 0");
  const std::vector<ResourceVector> peak = PeakDemand(workload);
  const std::vector<UserLife> lives = UserLives(workload);
  // Host load is kept per block of steps, a user loading every block its life
  // touches: users that never live at the same time share room. Blocks cap the
  // table at hosts x kMaxLayoutBlocks whatever the trace's length; a user
  // present throughout loads every block, as in a packing without time.
  const std::size_t steps = std::max<std::size_t>(workload.num_steps(), 1);
  const std::size_t block = (steps + kMaxLayoutBlocks - 1) / kMaxLayoutBlocks;
  const std::size_t blocks = (steps + block - 1) / block;
  auto span = [&](std::size_t u) {
    const UserLife& l = lives[u];
    return l.empty() ? std::pair<std::size_t, std::size_t>{0, 0}
                     : std::pair<std::size_t, std::size_t>{l.first / block, l.last / block + 1};
  };
  // Size of a user relative to one host: its largest share of any resource.
  auto share = [&](const ResourceVector& v) {
    double s = 0.0;
    for (std::size_t r = 0; r < kNumResources; ++r) {
      if (capacity.values[r] > 0) s = std::max(s, v.values[r] / capacity.values[r]);
    }
    return s;
  };
  std::vector<std::size_t> order(workload.num_users());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return share(peak[a]) > share(peak[b]); });
  std::vector<std::vector<ResourceVector>> load(hosts, std::vector<ResourceVector>(blocks));
  for (std::size_t u : order) {
    // Plain locals, not a structured binding: clang 14 cannot capture one.
    const std::pair<std::size_t, std::size_t> blocks_alive = span(u);
    const std::size_t from = blocks_alive.first, to = blocks_alive.second;
    auto fits = [&](std::size_t h) {
      for (std::size_t b = from; b < to; ++b) {
        if (!AllLessEqual(load[h][b] + peak[u], capacity)) return false;
      }
      return true;
    };
    // How full a host is over the user's life: its fullest block.
    auto fullness = [&](std::size_t h) {
      double f = 0.0;
      for (std::size_t b = from; b < to; ++b) f = std::max(f, share(load[h][b]));
      return f;
    };
    std::size_t chosen = hosts;
    for (std::size_t h = 0; h < hosts && chosen == hosts; ++h) {
      if (fits(h)) chosen = h;
    }
    if (chosen == hosts) {
      chosen = 0;
      double least = fullness(0);
      for (std::size_t h = 1; h < hosts; ++h) {
        const double f = fullness(h);
        if (f < least) {
          chosen = h;
          least = f;
        }
      }
    }
    for (std::size_t b = from; b < to; ++b) load[chosen][b] += peak[u];
    workload.users[u].host = static_cast<std::uint32_t>(chosen);
  }
  workload.host_capacity.assign(hosts, capacity);
  // Scale starting limits so each host's users alive together start within
  // capacity (the pool admits each at its first sample).
  std::vector<std::vector<ResourceVector>> initial(hosts, std::vector<ResourceVector>(blocks));
  for (std::size_t u = 0; u < workload.num_users(); ++u) {
    const auto [from, to] = span(u);
    for (std::size_t b = from; b < to; ++b) {
      initial[workload.users[u].host][b] += workload.users[u].initial_allocation;
    }
  }
  std::vector<ResourceVector> most(hosts);
  for (std::size_t h = 0; h < hosts; ++h) {
    for (const ResourceVector& v : initial[h]) most[h] = Max(most[h], v);
  }
  for (WorkloadUser& user : workload.users) {
    for (std::size_t r = 0; r < kNumResources; ++r) {
      const double total = most[user.host].values[r];
      if (total > capacity.values[r] && total > 0) {
        user.initial_allocation.values[r] *= capacity.values[r] / total * (1.0 - 1e-9);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace foresight
