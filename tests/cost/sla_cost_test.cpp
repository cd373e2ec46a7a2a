// Tests of SlaCost, the preemption cost model and the node catalogue.
#include "foresight/cost/sla_cost.hpp"

#include <doctest/doctest.h>

#include "foresight/cost/node_catalogue.hpp"
#include "foresight/cost/preemption.hpp"

namespace foresight {
namespace {

TEST_CASE("SlaCost: the SLA percentile becomes the newsvendor target level") {
  SlaCost cost;
  SlaAgreement a;
  a.priority = 2.0;
  a.percentile = 0.99;
  a.latency = LatencyClass::kInteractive;
  REQUIRE(cost.SetUser(UserId{1}, a).ok());
  for (Resource r : kAllResources) {
    CHECK(TargetLevel(cost.Terms(UserId{1}), r) == doctest::Approx(0.99));
    CHECK(cost.TargetServiceLevel(UserId{1}, r) == doctest::Approx(0.99));
  }
  // Priority and latency class scale the under-provision price: 2 x 4.
  CHECK(cost.Terms(UserId{1}).under.cpu() ==
        doctest::Approx(8.0 * cost.default_agreement().under_price.cpu()));
  // Without a percentile the prices decide: under / (under + over).
  const CostTerms d = cost.Terms(UserId{2});
  const SlaAgreement& def = cost.default_agreement();
  CHECK(TargetLevel(d, Resource::kCpu) ==
        doctest::Approx(def.under_price.cpu() / (def.under_price.cpu() + def.over_price.cpu())));
  CHECK(std::string_view(SlaCost::Name()) == "sla");
  static_assert(CostModel<SlaCost>);
}

TEST_CASE("SlaCost rejects impossible agreements") {
  SlaCost cost;
  SlaAgreement a;
  a.percentile = 1.0;
  CHECK(cost.SetUser(UserId{1}, a).code() == absl::StatusCode::kInvalidArgument);
  a.percentile = 0.9;
  a.priority = 0.0;
  CHECK(cost.SetUser(UserId{1}, a).code() == absl::StatusCode::kInvalidArgument);
  a.priority = 1.0;
  a.min.cpu() = 4;
  a.max.cpu() = 2;
  CHECK(cost.SetUser(UserId{1}, a).code() == absl::StatusCode::kInvalidArgument);
  a.max.cpu() = 8;
  a.under_price.memory() = std::nan("");
  CHECK(cost.SetUser(UserId{1}, a).code() == absl::StatusCode::kInvalidArgument);
  CHECK(cost.set_latency_multiplier(LatencyClass::kBatch, -1).code() ==
        absl::StatusCode::kInvalidArgument);
  // Nothing was stored.
  CHECK(cost.Terms(UserId{1}).priority == 1.0);
}

TEST_CASE("Preemption cost: work lost depends on the mode, grace lets a job finish") {
  CostTerms t;
  t.under = MakeResources(2.0, 0.0, 0.0, 0.0);
  PreemptionContext ctx;
  ctx.now = absl::FromUnixSeconds(100000);
  ctx.allocation = MakeResources(3.0, 0, 0, 0);  // value rate 6 per second
  ctx.job.started = ctx.now - absl::Hours(1);
  ctx.job.last_checkpoint = ctx.now - absl::Minutes(10);
  ctx.displacement = absl::Minutes(5);
  ctx.restart_overhead = absl::Minutes(1);
  ctx.mode = PreemptMode::kSuspend;
  PreemptionCostBreakdown s = PreemptionCostOf(t, ctx);
  CHECK(s.value_rate == doctest::Approx(6.0));
  CHECK(s.work_lost_seconds == 0.0);
  CHECK(s.total == doctest::Approx(6.0 * 360));
  ctx.mode = PreemptMode::kRequeue;
  PreemptionCostBreakdown q = PreemptionCostOf(t, ctx);
  CHECK(q.work_lost_seconds == doctest::Approx(600));
  CHECK(q.work_lost_resource_seconds.cpu() == doctest::Approx(1800));
  CHECK(q.total == doctest::Approx(6.0 * (600 + 360)));
  ctx.mode = PreemptMode::kKill;
  PreemptionCostBreakdown k = PreemptionCostOf(t, ctx);
  CHECK(k.work_lost_seconds == doctest::Approx(3600));
  CHECK(k.total == doctest::Approx(6.0 * (3600 + 300)));
  CHECK(s.total < q.total);
  CHECK(q.total < k.total);
  ctx.grace = absl::Minutes(2);
  ctx.job.remaining = absl::Minutes(1);
  PreemptionCostBreakdown g = PreemptionCostOf(t, ctx);
  CHECK(g.finishes_in_grace);
  CHECK(g.total == 0.0);
  // Benefit of freed capacity: P x amount x value x window.
  CHECK(FreedCapacityBenefit(0.5, 2.0, 3.0, absl::Seconds(10)) == doctest::Approx(30.0));
  CHECK(FreedCapacityBenefit(1.5, 2.0, 3.0, absl::Seconds(10)) == doctest::Approx(60.0));
  SlaCost sla;
  CHECK(sla.PreemptionCost(UserId{3}, ctx) == 0.0);
}

TEST_CASE("JobTable validates and defaults") {
  JobTable jobs;
  const absl::Time now = absl::FromUnixSeconds(1000000);
  CHECK(jobs.Set(UserId{1}, {now, now - absl::Minutes(1)}).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(jobs.Set(UserId{1}, {absl::InfinitePast(), now}).code() ==
        absl::StatusCode::kInvalidArgument);
  REQUIRE(jobs.Set(UserId{1}, {now - absl::Hours(3), now - absl::Hours(1), absl::Hours(2)}).ok());
  CHECK(jobs.Get(UserId{1}, now).remaining == absl::Hours(2));
  const JobProgress d = jobs.Get(UserId{2}, now);
  CHECK(d.started == now - jobs.default_age());
  CHECK(d.last_checkpoint == now - jobs.default_since_checkpoint());
}

TEST_CASE("NodeCatalogue validates types, prices reserved at zero, spot risk grows with time") {
  NodeCatalogue cat;
  NodeType od;
  od.name = "od";
  od.capacity = MakeResources(4, 16e9, 1e8, 1e8);
  od.price_per_hour = 0.2;
  REQUIRE(cat.Add(od).ok());
  CHECK(cat.Add(od).code() == absl::StatusCode::kInvalidArgument);  // duplicate
  NodeType spot = od;
  spot.name = "spot";
  spot.pricing = Pricing::kSpot;
  spot.price_per_hour = 0.06;
  spot.interruption_rate_per_hour = 0.05;
  REQUIRE(cat.Add(spot).ok());
  NodeType res = od;
  res.name = "reserved";
  res.pricing = Pricing::kReserved;
  CHECK(cat.Add(res).code() == absl::StatusCode::kInvalidArgument);  // needs max_count
  res.max_count = 2;
  REQUIRE(cat.Add(res).ok());
  NodeType bad = od;
  bad.name = "bad";
  bad.interruption_rate_per_hour = 0.1;  // not spot
  CHECK(cat.Add(bad).code() == absl::StatusCode::kInvalidArgument);
  bad.interruption_rate_per_hour = 0;
  bad.capacity = ResourceVector{};
  CHECK(cat.Add(bad).code() == absl::StatusCode::kInvalidArgument);
  CHECK(cat.size() == 3);
  CHECK(*cat.Find("spot") == 1);
  CHECK(!cat.Find("nope").ok());
  CHECK(NodeCatalogue::MarginalPricePerHour(cat[2]) == 0.0);
  CHECK(NodeCatalogue::InterruptionProbability(cat[0], absl::Hours(1)) == 0.0);
  const double p1 = NodeCatalogue::InterruptionProbability(cat[1], absl::Hours(1));
  CHECK(p1 == doctest::Approx(1 - std::exp(-0.05)));
  CHECK(NodeCatalogue::InterruptionProbability(cat[1], absl::Hours(10)) > p1);
  NodeType z = od;
  z.zone = "eu-west-1a";
  z.region = "eu-west-1";
  CHECK(NodeCatalogue::Allowed(z, "eu-west-1a", "eu-west-1", Proximity::kSameZone));
  CHECK(!NodeCatalogue::Allowed(z, "eu-west-1b", "eu-west-1", Proximity::kSameZone));
  CHECK(NodeCatalogue::Allowed(z, "eu-west-1b", "eu-west-1", Proximity::kSameRegion));
  CHECK(!NodeCatalogue::Allowed(z, "us-east-1a", "us-east-1", Proximity::kSameRegion));
  CHECK(NodeCatalogue::Allowed(z, "us-east-1a", "us-east-1", Proximity::kAnywhere));
}

}  // namespace
}  // namespace foresight
