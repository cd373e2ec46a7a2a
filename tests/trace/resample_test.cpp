// Resampling: fixed steps, mean or max, gaps, partial steps, capacity changes, limits.
#include "foresight/trace/resample.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "absl/strings/match.h"

namespace foresight {
namespace {

TraceSample Cpu(std::string_view entity, std::int64_t seconds, double cpu) {
  TraceSample s;
  s.entity = entity;
  s.time = absl::FromUnixSeconds(seconds);
  s.usage.cpu() = cpu;
  return s;
}

TEST_CASE("StepIndex floors, also before the epoch") {
  CHECK(StepIndex(absl::FromUnixSeconds(0), absl::Minutes(5)) == 0);
  CHECK(StepIndex(absl::FromUnixSeconds(299), absl::Minutes(5)) == 0);
  CHECK(StepIndex(absl::FromUnixSeconds(300), absl::Minutes(5)) == 1);
  CHECK(StepIndex(absl::FromUnixSeconds(-1), absl::Minutes(5)) == -1);
}

TEST_CASE("irregular samples: mean and max per step, any arrival order") {
  for (Aggregation agg : {Aggregation::kMean, Aggregation::kMax}) {
    ResampleOptions o;
    o.step = absl::Seconds(60);
    o.aggregation = agg;
    Resampler r(o);
    // 10-60 s sampling, out of order.
    for (auto [t, v] : {std::pair{130, 6.0}, {0, 1.0}, {10, 3.0}, {70, 2.0}, {125, 4.0}}) {
      REQUIRE(r.Add(Cpu("a", t, v)).ok());
    }
    absl::StatusOr<LoadedTrace> out = r.Finish();
    REQUIRE(out.ok());
    const Workload& w = out->workload;
    REQUIRE(w.num_steps() == 3);
    CHECK(w.start == absl::UnixEpoch());
    const bool mean = agg == Aggregation::kMean;
    CHECK(w.Demand(0, 0, Resource::kCpu) == doctest::Approx(mean ? 2.0 : 3.0));
    CHECK(w.Demand(0, 1, Resource::kCpu) == doctest::Approx(2.0));
    CHECK(w.Demand(0, 2, Resource::kCpu) == doctest::Approx(mean ? 5.0 : 6.0));
    CHECK(out->stats.samples == 5);
  }
}

TEST_CASE("max aggregation prefers the recorded peak") {
  ResampleOptions o;
  o.aggregation = Aggregation::kMax;
  Resampler r(o);
  TraceSample s = Cpu("a", 0, 1.0);
  s.peak.cpu() = 3.0;
  REQUIRE(r.Add(s).ok());
  REQUIRE(r.Add(Cpu("a", 100, 2.0)).ok());
  absl::StatusOr<LoadedTrace> out = r.Finish();
  REQUIRE(out.ok());
  CHECK(out->workload.Demand(0, 0, Resource::kCpu) == 3.0);
}

TEST_CASE("gaps are NaN for every resource, never zero") {
  Resampler r(ResampleOptions{});
  REQUIRE(r.Add(Cpu("a", 0, 1.0)).ok());
  REQUIRE(r.Add(Cpu("a", 900, 1.0)).ok());  // steps 1 and 2 missing
  REQUIRE(r.Add(Cpu("b", 300, 0.0)).ok());  // a real zero
  absl::StatusOr<LoadedTrace> out = r.Finish();
  REQUIRE(out.ok());
  const Workload& w = out->workload;
  REQUIRE(w.num_steps() == 4);
  for (std::size_t s : {1u, 2u}) {
    CHECK_FALSE(w.Present(0, s));
    for (Resource res : kAllResources) CHECK(std::isnan(w.Demand(0, s, res)));
  }
  CHECK_FALSE(w.Present(1, 0));  // before b's first sample
  CHECK(w.Present(1, 1));
  CHECK(w.Demand(1, 1, Resource::kCpu) == 0.0);
  CHECK_FALSE(w.Present(1, 3));  // after b's last sample
}

TEST_CASE("a step missing a measured resource is dropped, not zero-filled") {
  Resampler r(ResampleOptions{});
  TraceSample both = Cpu("a", 0, 1.0);
  both.usage.memory() = 100;
  REQUIRE(r.Add(both).ok());
  REQUIRE(r.Add(Cpu("a", 300, 2.0)).ok());  // no memory in this step
  absl::StatusOr<LoadedTrace> out = r.Finish();
  REQUIRE(out.ok());
  CHECK(out->workload.Present(0, 0));
  CHECK_FALSE(out->workload.Present(0, 1));
  CHECK(out->stats.partial_steps == 1);
}

TEST_CASE("missing io/net at a step with cpu and memory hold the previous value") {
  Resampler r(ResampleOptions{});
  TraceSample full = Cpu("a", 0, 1.0);
  full.usage.memory() = 100;
  full.usage.net() = 7;
  REQUIRE(r.Add(full).ok());
  TraceSample no_net = Cpu("a", 300, 2.0);
  no_net.usage.memory() = 200;
  REQUIRE(r.Add(no_net).ok());
  TraceSample first_without = Cpu("b", 0, 1.0);  // b's net arrives only later
  first_without.usage.memory() = 50;
  REQUIRE(r.Add(first_without).ok());
  TraceSample later = first_without;
  later.time = absl::FromUnixSeconds(300);
  later.usage.net() = 3;
  REQUIRE(r.Add(later).ok());
  absl::StatusOr<LoadedTrace> out = r.Finish();
  REQUIRE(out.ok());
  const Workload& w = out->workload;
  CHECK(w.Present(0, 1));
  CHECK(w.Demand(0, 1, Resource::kCpu) == 2.0);
  CHECK(w.Demand(0, 1, Resource::kNet) == 7.0);  // held, not zero
  CHECK(w.Demand(1, 0, Resource::kNet) == 3.0);  // b's first net value
  CHECK(out->stats.held_values == 2);
  CHECK(out->stats.partial_steps == 0);
}

TEST_CASE("capacity changes over time are kept in order; first becomes the initial allocation") {
  Resampler r(ResampleOptions{});
  for (auto [t, cap] : {std::pair{600, 4.0}, {0, 2.0}, {300, 2.0}, {900, 4.0}}) {
    TraceSample s = Cpu("a", t, 1.0);
    s.capacity.cpu() = cap;
    REQUIRE(r.Add(s).ok());
  }
  absl::StatusOr<LoadedTrace> out = r.Finish();
  REQUIRE(out.ok());
  REQUIRE(out->capacity[0].size() == 2);
  CHECK(out->capacity[0][0].capacity.cpu() == 2.0);
  CHECK(out->capacity[0][1].capacity.cpu() == 4.0);
  CHECK(out->capacity[0][1].time == absl::FromUnixSeconds(600));
  CHECK(out->workload.users[0].initial_allocation.cpu() == 2.0);
}

TEST_CASE("bad samples are refused and leave no trace") {
  Resampler r(ResampleOptions{});
  CHECK_FALSE(r.Add(Cpu("a", 0, -1.0)).ok());
  CHECK_FALSE(r.Add(Cpu("a", 0, std::numeric_limits<double>::infinity())).ok());
  CHECK_FALSE(r.Add(Cpu("", 0, 1.0)).ok());
  CHECK(r.num_entities() == 0);
  CHECK_FALSE(r.Finish().ok());  // no samples
}

TEST_CASE("out-of-range times and a step that is not finite and > 0 are refused") {
  Resampler r(ResampleOptions{});
  TraceSample far = Cpu("a", 0, 1.0);
  far.time = absl::InfiniteFuture();  // what a Unix-seconds value past absl::Time's range reads as
  absl::Status s = r.Add(far);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(s.message()) == "time infinite-future is out of range");
  far.time = absl::InfinitePast();
  CHECK_FALSE(r.Add(far).ok());
  CHECK(r.num_entities() == 0);
  REQUIRE(r.Add(Cpu("a", 0, 1.0)).ok());
  CHECK(r.Finish().ok());

  for (absl::Duration step : {absl::ZeroDuration(), -absl::Minutes(5), absl::InfiniteDuration()}) {
    ResampleOptions o;
    o.step = step;
    Resampler bad(o);
    absl::Status e = bad.Add(Cpu("a", 0, 1.0));
    CHECK(e.code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(e.message(), "must be finite and > 0"));
    CHECK(bad.num_entities() == 0);
  }
}

TEST_CASE("window, entity limit, span and tensor limits") {
  ResampleOptions o;
  o.start = absl::FromUnixSeconds(300);
  o.end = absl::FromUnixSeconds(900);
  o.max_entities = 1;
  Resampler r(o);
  REQUIRE(r.Add(Cpu("a", 0, 1.0)).ok());  // before the window
  REQUIRE(r.Add(Cpu("a", 300, 1.0)).ok());
  REQUIRE(r.Add(Cpu("b", 300, 1.0)).ok());  // beyond max_entities
  REQUIRE(r.Add(Cpu("a", 900, 1.0)).ok());  // at the end: excluded
  absl::StatusOr<LoadedTrace> out = r.Finish();
  REQUIRE(out.ok());
  CHECK(out->workload.num_users() == 1);
  CHECK(out->workload.num_steps() == 1);
  CHECK(out->stats.skipped_samples == 3);

  ResampleOptions span;
  span.max_span_steps = 100;
  Resampler rs(span);
  REQUIRE(rs.Add(Cpu("a", 1'700'000'000, 1.0)).ok());
  absl::Status far = rs.Add(Cpu("a", 0, 1.0));  // a corrupt timestamp
  CHECK(far.code() == absl::StatusCode::kInvalidArgument);

  ResampleOptions tiny;
  tiny.max_tensor_bytes = 64;
  Resampler rt(tiny);
  REQUIRE(rt.Add(Cpu("a", 0, 1.0)).ok());
  REQUIRE(rt.Add(Cpu("a", 3000, 1.0)).ok());
  CHECK(rt.Finish().status().code() == absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace foresight
