// Tests of WaterFilling and its exact solver.
#include "foresight/allocate/water_filling.hpp"

#include <doctest/doctest.h>

#include <random>

#include "random_instance.hpp"

namespace foresight {
namespace {

using testing::RandomInstance;

// Sum of allocations of a bisection on lambda (the slow reference).
double BisectLambda(std::span<const internal::FillItem> items, double capacity,
                    std::vector<double>& alloc) {
  auto at = [&](const internal::FillItem& it, double lambda) {
    const double w = it.cu + it.co;
    const double p = std::clamp((it.cu - lambda) / w, 0.0, 1.0);
    const double first = it.curve.levels.front();
    const double q = p >= first ? it.curve.Quantile(p) : it.curve.values.front() * p / first;
    return std::clamp(q, it.lo, it.hi);
  };
  auto sum = [&](double lambda) {
    double s = 0;
    for (const auto& it : items) s += at(it, lambda);
    return s;
  };
  double lo = 0, hi = 0;
  for (const auto& it : items) hi = std::max(hi, it.cu);
  if (sum(0) <= capacity) {
    hi = 0;
  } else {
    for (int k = 0; k < 200; ++k) {
      const double mid = 0.5 * (lo + hi);
      (sum(mid) > capacity ? lo : hi) = mid;
    }
  }
  alloc.resize(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) alloc[i] = at(items[i], hi);
  return hi;
}

TEST_CASE("WaterFillSolver matches a bisection on random curves") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  internal::WaterFillSolver solver;
  for (int trial = 0; trial < 500; ++trial) {
    const int n = 1 + static_cast<int>(rng() % 30);
    std::vector<std::vector<double>> values(static_cast<std::size_t>(n));
    std::vector<internal::FillItem> items;
    double total_target = 0;
    for (int i = 0; i < n; ++i) {
      auto& v = values[static_cast<std::size_t>(i)];
      double x = 10 * u(rng);
      for (std::size_t k = 0; k < kDefaultQuantileLevels.size(); ++k) {
        v.push_back(x);
        x += 3 * u(rng);
      }
      internal::FillItem it;
      it.curve = {kDefaultQuantileLevels, v};
      it.cu = 0.1 + 3 * u(rng);
      it.co = 0.01 + u(rng);
      it.lo = u(rng) < 0.3 ? 5 * u(rng) : 0.0;
      it.hi = u(rng) < 0.3 ? it.lo + 20 * u(rng) : 1e300;
      items.push_back(it);
      total_target += std::clamp(it.curve.Quantile(it.cu / (it.cu + it.co)), it.lo, it.hi);
    }
    const double capacity = total_target * (0.2 + u(rng));
    std::vector<double> fast(static_cast<std::size_t>(n)), slow;
    solver.Solve(items, capacity, fast);
    BisectLambda(items, capacity, slow);
    double sum = 0;
    for (int i = 0; i < n; ++i) {
      CHECK(fast[static_cast<std::size_t>(i)] ==
            doctest::Approx(slow[static_cast<std::size_t>(i)]).epsilon(1e-6).scale(1.0));
      sum += fast[static_cast<std::size_t>(i)];
    }
    double lo_sum = 0;
    for (const auto& it : items) lo_sum += it.lo;
    if (lo_sum <= capacity) CHECK(sum <= capacity * (1 + 1e-9) + 1e-9);
  }
}

TEST_CASE("WaterFilling gives every user its newsvendor target when capacity allows") {
  RandomInstance in = RandomInstance::Make(3, {.min_users = 6, .max_users = 6, .max_hosts = 1,
                                               .contention = 0.3, .faults = false});
  for (auto& t : in.costs) t.change = ResourceVector::Filled(0.0);
  for (auto& c : in.capacity) c = c * 100.0;
  const AllocationRequest req = in.Request();
  WaterFilling wf;
  wf.set_min_relative_change(0.0);
  AllocationPlan plan;
  REQUIRE(wf.Plan(req, plan).ok());
  REQUIRE(CheckPlan(req.users, req.host_capacity, plan).ok());
  const auto after = testing::LimitsAfter(req.users, plan);
  for (std::size_t i = 0; i < in.users.size(); ++i) {
    for (Resource r : kAllResources) {
      CHECK(after[i][r] == doctest::Approx(internal::TargetAllocation(req, i, r)));
    }
  }
}

TEST_CASE("WaterFilling equalises marginal value among users it cuts") {
  int checked = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    RandomInstance in = RandomInstance::Make(seed, {.min_users = 4, .max_users = 20, .max_hosts = 1,
                                                    .contention = 2.0, .faults = false});
    for (auto& t : in.costs) {
      t.change = ResourceVector::Filled(0.0);
      t.priority = 1.0;
      t.min = ResourceVector::Filled(0.0);
      t.max = ResourceVector::Filled(1e300);
    }
    for (auto& u : in.users) u.allocation = ResourceVector::Filled(0.0);
    const AllocationRequest req = in.Request();
    WaterFilling wf;
    wf.set_min_relative_change(0.0);
    AllocationPlan plan;
    REQUIRE(wf.Plan(req, plan).ok());
    REQUIRE(CheckPlan(req.users, req.host_capacity, plan).ok());
    const auto after = testing::LimitsAfter(req.users, plan);
    for (Resource r : kAllResources) {
      const double lambda = wf.shadow_prices()[0][r];
      double sum = 0;
      for (std::size_t i = 0; i < in.users.size(); ++i) sum += after[i][r];
      if (lambda <= 0) continue;
      CHECK(sum == doctest::Approx(in.capacity[0][r]).epsilon(1e-6));
      for (std::size_t i = 0; i < in.users.size(); ++i) {
        const auto curve = internal::CurveOf(req, i, r);
        const double a = after[i][r];
        // Only users strictly inside the stored quantile range have a unique level.
        if (a <= curve.values.front() * 1.0001 || a >= curve.values.back() * 0.9999) continue;
        if (curve.values.back() - curve.values.front() < 1e-9 * curve.values.back()) continue;
        const double cu = in.costs[i].under[r], co = in.costs[i].over[r];
        const double p = curve.Cdf(a);
        CHECK(cu - p * (cu + co) == doctest::Approx(lambda).epsilon(1e-6));
        ++checked;
      }
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("WaterFilling never gives a lower priority more than its minimum while a higher one is "
          "below target") {
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    RandomInstance in = RandomInstance::Make(seed, {.contention = 2.5, .faults = false});
    const AllocationRequest req = in.Request();
    WaterFilling wf;
    wf.set_min_relative_change(0.0);
    for (auto& t : in.costs) t.change = ResourceVector::Filled(0.0);
    AllocationPlan plan;
    REQUIRE(wf.Plan(req, plan).ok());
    REQUIRE(CheckPlan(req.users, req.host_capacity, plan).ok());
    const auto after = testing::LimitsAfter(req.users, plan);
    for (Resource r : kAllResources) {
      for (std::size_t i = 0; i < in.users.size(); ++i) {
        const double ti = internal::TargetAllocation(req, i, r);
        if (after[i][r] >= ti * (1 - 1e-6)) continue;
        for (std::size_t j = 0; j < in.users.size(); ++j) {
          if (in.users[j].host != in.users[i].host || in.costs[j].priority >= in.costs[i].priority)
            continue;
          const double tol = 1e-9 * in.capacity[in.users[i].host][r];
          if (!(after[j][r] <= in.costs[j].min[r] + tol)) {
            MESSAGE("seed " << seed << " r " << Index(r) << " i " << i << " p " << in.costs[i].priority
                    << " after " << after[i][r] << " target " << ti << " from " << in.users[i].allocation[r]
                    << " j " << j << " p " << in.costs[j].priority << " after " << after[j][r]
                    << " min " << in.costs[j].min[r] << " from " << in.users[j].allocation[r]
                    << " lambda " << wf.shadow_prices()[in.users[i].host][r] << " cap " << in.capacity[in.users[i].host][r]);
          }
          CHECK(after[j][r] <= in.costs[j].min[r] + tol);
        }
      }
    }
  }
}

TEST_CASE("WaterFilling rejects malformed requests") {
  RandomInstance in = RandomInstance::Make(1);
  in.costs[0].min[Resource::kCpu] = 5;
  in.costs[0].max[Resource::kCpu] = 1;
  WaterFilling wf;
  AllocationPlan plan;
  plan.moves.push_back({});
  const absl::Status s = wf.Plan(in.Request(), plan);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(plan.empty());
  RandomInstance in2 = RandomInstance::Make(2);
  in2.outlook.quantiles(0, 0, 3) = std::nan("");
  CHECK(wf.Plan(in2.Request(), plan).code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace foresight
