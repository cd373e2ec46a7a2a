#include "foresight/allocate/vpa_style.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

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

TEST_CASE(
    "decaying histogram: percentiles start at the lowest bucket with weight, answers unchanged") {
  // Percentile skips the empty buckets below the lowest one that ever held
  // weight; what it returns must be what a scan from bucket 0 returns.
  internal::HistogramOptions o{0.01, 1.05, 1000.0};
  const absl::Time t0 = absl::FromUnixSeconds(0);
  const int last = o.NumBuckets() - 1;
  internal::DecayingHistogram h(o, absl::Hours(24));
  h.AddSample(5.0, 1.0, t0);  // alone, far above bucket 0
  const double five_upper = o.BucketStart(o.FindBucket(5.0) + 1);
  CHECK(h.Percentile(0.5) == five_upper);
  CHECK(h.Percentile(1.0) == five_upper);
  // p = 0 is reached at bucket 0, whatever it holds (as VPA's histogram does).
  CHECK(h.Percentile(0.0) == o.BucketStart(1));
  // A sample added and taken away leaves its bucket at exactly 0 below the others.
  h.AddSample(0.02, 1.0, t0);
  CHECK(h.Percentile(0.4) == o.BucketStart(o.FindBucket(0.02) + 1));
  h.SubtractSample(0.02, 1.0, t0);
  CHECK(h.Percentile(0.4) == five_upper);
  // Weight in the last bucket only (values above max_value land there).
  internal::DecayingHistogram top(o, absl::Hours(24));
  top.AddSample(1e6, 1.0, t0);
  CHECK(top.Percentile(0.5) == o.BucketStart(last));
  // A lower sample arriving later moves the start down.
  top.AddSample(0.5, 3.0, t0);
  CHECK(top.Percentile(0.5) == o.BucketStart(o.FindBucket(0.5) + 1));
  CHECK(top.Percentile(0.9) == o.BucketStart(last));
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
  CHECK(u.users[0].allocation.memory() == doctest::Approx(1.15 * kGiB).epsilon(0.08).scale(0));
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

TEST_CASE("VpaStyle's memory and cpu target percentiles act on their own resource only") {
  // Memory peaks alternate 1 and 3 GiB by day; CPU cycles 1..10 cores.
  auto converge = [](VpaStyleOptions o) {
    VpaStyle vpa;
    REQUIRE(vpa.set_options(o).ok());
    testing::OneUser u;
    u.users[0].allocation = MakeResources(0.1, 0.5 * kGiB, 1e6, 1e6);
    AllocationPlan plan;
    absl::Time now = absl::FromUnixSeconds(1700000000);
    for (int i = 0; i < 288 * 10; ++i, now += absl::Minutes(5)) {
      const double mem = (i / 288) % 2 == 0 ? 1 * kGiB : 3 * kGiB;
      u.users[0].usage = MakeResources(1.0 + i % 10, mem, 1e6, 1e6);
      REQUIRE(vpa.Plan(u.Request(now), plan).ok());
      u.Apply(plan);
    }
    return u.users[0].allocation;
  };
  const ResourceVector base = converge({});
  VpaStyleOptions low_memory;
  low_memory.memory_target_percentile = 0.3;
  const ResourceVector lm = converge(low_memory);
  VpaStyleOptions low_cpu;
  low_cpu.cpu_target_percentile = 0.3;
  const ResourceVector lc = converge(low_cpu);
  // P90 of the peaks is 3 GiB; P30 is 1 GiB.
  CHECK(base.memory() == doctest::Approx(3 * 1.15 * kGiB).epsilon(0.08).scale(0));
  CHECK(lm.memory() == doctest::Approx(1 * 1.15 * kGiB).epsilon(0.08).scale(0));
  CHECK(lm.cpu() == base.cpu());
  CHECK(lc.cpu() < 0.5 * base.cpu());
  CHECK(lc.memory() == base.memory());
  VpaStyleOptions no_margin;
  no_margin.safety_margin = 0.0;
  const ResourceVector nm = converge(no_margin);
  CHECK(nm.memory() == doctest::Approx(3 * kGiB).epsilon(0.08).scale(0));
  CHECK(nm.memory() < base.memory());
}

TEST_CASE("VpaStyle::set_options names the field out of range and keeps the old options") {
  VpaStyle vpa;
  auto error = [&](void (*edit)(VpaStyleOptions&)) {
    VpaStyleOptions o;
    edit(o);
    absl::Status s = vpa.set_options(o);
    CHECK(absl::IsInvalidArgument(s));
    CHECK(vpa.options().memory_target_percentile == 0.9);
    return std::string(s.message());
  };
  CHECK(error([](VpaStyleOptions& o) { o.memory_target_percentile = 0; })
            .find("memory_target_percentile must be in (0, 1]") != std::string::npos);
  CHECK(error([](VpaStyleOptions& o) { o.cpu_target_percentile = 1.5; })
            .find("cpu_target_percentile") != std::string::npos);
  CHECK(error([](VpaStyleOptions& o) { o.safety_margin = -0.1; }).find("safety_margin") !=
        std::string::npos);
  CHECK(error([](VpaStyleOptions& o) { o.cpu_half_life = absl::ZeroDuration(); })
            .find("cpu_half_life (hours) must be positive and finite") != std::string::npos);
  CHECK(error([](VpaStyleOptions& o) { o.memory_half_life = absl::InfiniteDuration(); })
            .find("memory_half_life") != std::string::npos);
  CHECK(error([](VpaStyleOptions& o) { o.lower_percentile = 0.99; })
            .find("lower_percentile must be <= upper_percentile") != std::string::npos);
  CHECK(error([](VpaStyleOptions& o) { o.oom_bump_ratio = 0.5; }).find("oom_bump_ratio") !=
        std::string::npos);
  CHECK(error([](VpaStyleOptions& o) { o.min_allocation.memory() = std::nan(""); })
            .find("min_allocation.memory") != std::string::npos);
  VpaStyleOptions ok;
  ok.memory_target_percentile = 1.0;
  CHECK(vpa.set_options(ok).ok());
  CHECK(vpa.options().memory_target_percentile == 1.0);
}

}  // namespace foresight
