#include "foresight/allocate/vpa_style.hpp"

#include <doctest/doctest.h>

#include "foresight/allocate/internal/decaying_histogram.hpp"
#include "foresight/testing/conformance.hpp"
#include "one_user.hpp"

namespace foresight {
namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

double TargetOf(const AllocationPlan& plan, Resource r, double otherwise) {
  for (const Move& m : plan.moves) {
    if (m.resource == r) return m.to;
  }
  return otherwise;
}

}  // namespace

TEST_CASE("decaying histogram: exponential buckets, half-life and percentiles") {
  internal::HistogramOptions o{0.01, 1.05, 1000.0};
  CHECK(o.NumBuckets() == 176);
  CHECK(o.BucketStart(1) == doctest::Approx(0.01));
  CHECK(o.BucketStart(2) == doctest::Approx(0.01 + 0.0105));
  internal::DecayingHistogram h(o, absl::Hours(24));
  const absl::Time t0 = absl::FromUnixSeconds(0);
  h.AddSample(1.0, 1.0, t0);
  h.AddSample(2.0, 1.0, t0 + absl::Hours(24));  // twice the weight of the first
  // P50 is in the bucket holding 2.0 since it carries 2/3 of the weight.
  CHECK(h.Percentile(0.5) >= 2.0);
  CHECK(h.Percentile(0.3) < 1.1);
  CHECK(h.Percentile(0.3) >= 1.0);
  // Shifting the reference keeps the relative weights.
  h.AddSample(2.0, 1.0, t0 + absl::Hours(24 * 200));
  CHECK(h.Percentile(0.01) >= 2.0);
}

TEST_CASE("VpaStyle converges to P90 of usage plus 15 %") {
  VpaStyle vpa;
  testing::OneUser u;
  u.users[0].allocation = MakeResources(0.1, 0.5 * kGiB, 1e6, 1e6);
  AllocationPlan plan;
  absl::Time now = absl::FromUnixSeconds(1700000000);
  double cpu_target = 0;
  for (int i = 0; i < 2000; ++i, now += absl::Minutes(5)) {
    // CPU usage cycles through 1..10 cores: P90 is about 9 cores.
    u.users[0].usage = MakeResources(1.0 + i % 10, 1 * kGiB, 1e6, 1e6);
    REQUIRE(vpa.Plan(u.Request(now), plan).ok());
    cpu_target = TargetOf(plan, Resource::kCpu, u.users[0].allocation.cpu());
    for (const Move& m : plan.moves) u.users[0].allocation[m.resource] = m.to;
  }
    // P90 of 1..10 is 9 (or 10 when the cumulative weight rounds just below 0.9),
  // reported as the upper end of its 5 % bucket.
  CHECK(u.users[0].allocation.cpu() >= 9 * 1.15);
  CHECK(u.users[0].allocation.cpu() <= 10 * 1.05 * 1.15);
  CHECK(cpu_target > 0);
  // Memory: P90 of daily peaks (1 GiB) + 15 %, rounded up to the bucket end.
  CHECK(u.users[0].allocation.memory() == doctest::Approx(1.15 * kGiB).epsilon(0.08));
}

TEST_CASE("VpaStyle bumps memory after an OOM by max(1.2x, +100 MiB)") {
  VpaStyle vpa;
  testing::OneUser u;
  u.users[0].allocation = MakeResources(1, 1 * kGiB, 1e6, 1e6);
  u.users[0].usage = MakeResources(0.5, 0.9 * kGiB, 1e6, 1e6);
  AllocationPlan plan;
  absl::Time now = absl::FromUnixSeconds(1700000000);
  REQUIRE(vpa.Plan(u.Request(now), plan).ok());
  for (const Move& m : plan.moves) u.users[0].allocation[m.resource] = m.to;
  const double before = u.users[0].allocation.memory();
  u.users[0].events = kEventOom;
  REQUIRE(vpa.Plan(u.Request(now + absl::Minutes(5)), plan).ok());
  const double after = TargetOf(plan, Resource::kMemory, before);
  CHECK(after >= 1.2 * before * 1.15 * 0.95);
  bool oom_reason = false;
  for (const Move& m : plan.moves) oom_reason |= m.reason == Reason::kOomBump;
  CHECK(oom_reason);
}

TEST_CASE("VpaStyle leaves a limit alone inside [lower, upper]") {
  VpaStyle vpa;
  testing::OneUser u;
  u.users[0].usage = MakeResources(2, 2 * kGiB, 1e6, 1e6);
  u.users[0].allocation = MakeResources(2.3, 2.3 * kGiB, 1.15e6, 1.15e6);
  AllocationPlan plan;
  absl::Time now = absl::FromUnixSeconds(1700000000);
  for (int i = 0; i < 600; ++i, now += absl::Minutes(5)) {
    REQUIRE(vpa.Plan(u.Request(now), plan).ok());
    for (const Move& m : plan.moves) u.users[0].allocation[m.resource] = m.to;
  }
  REQUIRE(vpa.Plan(u.Request(now), plan).ok());
  CHECK(plan.empty());
}

TEST_CASE("VpaStyle rejects a malformed request and keeps its state") {
  VpaStyle vpa;
  testing::RandomProblem p = testing::MakeRandomProblem(3);
  AllocationRequest req = p.Request(absl::UnixEpoch());
  p.users[0].usage.cpu() = -1;
  AllocationPlan plan;
  CHECK(absl::IsInvalidArgument(vpa.Plan(req, plan)));
}

}  // namespace foresight
