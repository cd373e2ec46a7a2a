#include "foresight/profile/behavior_profiler.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "synthetic.hpp"

namespace foresight {
namespace {

using testing::kStep;
using testing::kStepsPerDay;
using testing::Monday;

UserObservation Usage(double cpu, double mem = 1e9) {
  UserObservation o;
  o.usage = MakeResources(cpu, mem, 0, 0);
  return o;
}

// A user with a diurnal base load and sessions of applications: 1 (editor,
// light) is followed by 2 (compiler, heavy) 80% of the time, else by 3
// (browser); sessions start at random in the daytime.
struct DiurnalAppUser {
  std::vector<UserObservation> obs;
  std::vector<double> cpu;

  explicit DiurnalAppUser(int steps, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::normal_distribution<double> noise(0.0, 0.05);
    int app = -1, app_left = 0;
    bool in_session = false;
    for (int i = 0; i < steps; ++i) {
      const double hour = (i % kStepsPerDay) / 12.0;
      const double base = 0.2 + 0.8 * std::max(0.0, std::sin(testing::kPi * (hour - 6) / 14));
      UserObservation o;
      if (!in_session && hour >= 8 && hour < 19 && unit(rng) < 0.05) {
        in_session = true;
        o.events |= kEventSessionStart | kEventAppLaunch;
        app = 1;
        app_left = 4 + static_cast<int>(unit(rng) * 4);
        o.app = app;
      } else if (in_session && app_left == 0) {
        if (app == 1) {
          app = unit(rng) < 0.8 ? 2 : 3;
          app_left = app == 2 ? 4 + static_cast<int>(unit(rng) * 4) : 3;
          o.events |= kEventAppLaunch;
          o.app = app;
        } else {
          in_session = false;
          app = -1;
          o.events |= kEventSessionEnd;
        }
      }
      if (app_left > 0) --app_left;
      const double extra = app == 1 ? 0.3 : app == 2 ? 3.0 : app == 3 ? 0.5 : 0.0;
      const double c = std::max(0.0, base + extra + noise(rng));
      o.usage = MakeResources(c, (1.0 + c) * 1e9, 0, 0);
      obs.push_back(o);
      cpu.push_back(c);
    }
  }
};

TEST_CASE("BehaviorProfiler satisfies the Profiler role") {
  static_assert(Profiler<BehaviorProfiler>);
  CHECK(BehaviorProfiler::Name() == "behavior");
}

TEST_CASE("Seasonal mean and peak at `now` follow the hour of the week") {
  BehaviorProfiler p;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 14 * kStepsPerDay; ++i) {
    const double hour = (i % kStepsPerDay) / 12.0;
    const double cpu = hour >= 9 && hour < 17 ? 1.0 + unit(rng) : 0.1;
    p.Observe(0, Monday() + kStep * i, Usage(cpu));
  }
  const absl::Time day = Monday() + absl::Hours(24 * 14);
  const ProfileSummary work = p.Summary(0, day + absl::Hours(10));
  const ProfileSummary night = p.Summary(0, day + absl::Hours(3));
  CHECK(work.seasonal_mean.cpu() == doctest::Approx(1.5).epsilon(0.2).scale(0));
  CHECK(work.seasonal_peak.cpu() == doctest::Approx(1.9).epsilon(0.1).scale(0));
  CHECK(night.seasonal_mean.cpu() == doctest::Approx(0.1));
  CHECK(work.confidence == doctest::Approx(1.0));
  CHECK(p.ExpectedDemand(0, day + absl::Hours(10)).cpu() ==
        doctest::Approx(work.seasonal_mean.cpu()));
  CHECK(p.ExpectedPeak(0, day + absl::Hours(10)).cpu() ==
        doctest::Approx(work.seasonal_peak.cpu()));
  ResourceVector path[24];
  p.ExpectedDemandPath(0, day, absl::Hours(1), path);
  CHECK(path[9].cpu() == doctest::Approx(work.seasonal_mean.cpu()));   // 10:00
  CHECK(path[2].cpu() == doctest::Approx(night.seasonal_mean.cpu()));  // 03:00
  CHECK(p.ExpectedPeak(9, day) == ResourceVector{});
  // Confidence grows with history.
  BehaviorProfiler young;
  for (int i = 0; i < kStepsPerDay; ++i) young.Observe(0, Monday() + kStep * i, Usage(0.1));
  CHECK(young.Summary(0, Monday()).confidence == doctest::Approx(1.0 / 7 / 2));
}

TEST_CASE("Invalid or stale observations are skipped and change nothing") {
  BehaviorProfiler p;
  p.Observe(0, Monday(), Usage(1.0));
  p.Observe(0, Monday() + kStep, Usage(2.0));
  const ProfileSummary before = p.Summary(0, Monday() + kStep);
  p.Observe(0, Monday() + kStep, Usage(50.0));              // duplicate timestamp
  p.Observe(0, Monday(), Usage(50.0));                      // out of order
  p.Observe(0, Monday() + 2 * kStep, Usage(std::nan("")));  // NaN
  p.Observe(0, Monday() + 2 * kStep, Usage(-1.0));          // negative
  p.Observe(1, absl::InfiniteFuture(), Usage(1.0));         // no real time
  CHECK(p.skipped() == 5);
  const ProfileSummary after = p.Summary(0, Monday() + kStep);
  CHECK(after.seasonal_mean == before.seasonal_mean);
  CHECK(after.seasonal_peak == before.seasonal_peak);
  CHECK(p.last_time(0) == Monday() + kStep);
  CHECK_FALSE(p.observed(1));
  CHECK(p.Summary(1, Monday()).confidence == 0.0);
}

TEST_CASE("App launches, sessions and the chain reach the summary") {
  BehaviorProfiler p;
  DiurnalAppUser user(14 * kStepsPerDay, 11);
  for (std::size_t i = 0; i < user.obs.size(); ++i)
    p.Observe(4, Monday() + kStep * static_cast<int>(i), user.obs[i]);
  // Find a moment right after app 1 was launched in the last day.
  for (std::size_t i = user.obs.size() - kStepsPerDay; i < user.obs.size(); ++i) {
    if (user.obs[i].app != 1) continue;
    BehaviorProfiler q;
    for (std::size_t j = 0; j <= i; ++j)
      q.Observe(4, Monday() + kStep * static_cast<int>(j), user.obs[j]);
    const ProfileSummary s = q.Summary(4, Monday() + kStep * static_cast<int>(i));
    CHECK(s.last_app == 1);
    CHECK(s.likely_next_app == 2);
    CHECK(s.next_app_probability == doctest::Approx(0.8).epsilon(0.2).scale(0));
    CHECK(s.in_session);
    CHECK(s.expected_session_minutes > 5.0);
    CHECK(s.expected_session_minutes < 120.0);
    // A launch predicts the demand that follows: the compiler is coming.
    const ResourceVector soon = q.ExpectedDemand(4, Monday() + kStep * static_cast<int>(i + 5));
    CHECK(soon.cpu() >
          q.Summary(4, Monday() + kStep * static_cast<int>(i + 5)).seasonal_mean.cpu());
    break;
  }
  const auto compiler = p.apps().Stats(4, 2);
  REQUIRE(compiler.has_value());
  CHECK(compiler->demand.cpu() > 3.0);
  CHECK(compiler->dwell_minutes == doctest::Approx(27.5).epsilon(0.3).scale(0));
  CHECK(p.sessions().event_driven(4));
  CHECK(p.sessions().MeanMinutes(4) > 20.0);
}

TEST_CASE("ExpectedDemand beats a flat mean on a diurnal + app-chain user") {
  const int train = 21 * kStepsPerDay, test = 7 * kStepsPerDay;
  DiurnalAppUser user(train + test + 12, 5);
  BehaviorProfiler p;
  double flat = 0.0;
  for (int i = 0; i < train; ++i) {
    p.Observe(0, Monday() + kStep * i, user.obs[static_cast<std::size_t>(i)]);
    flat += user.cpu[static_cast<std::size_t>(i)] / train;
  }
  for (int h : {1, 3, 12}) {
    BehaviorProfiler q = p;
    double err_profile = 0.0, err_seasonal = 0.0, err_flat = 0.0;
    double session_profile = 0.0, session_seasonal = 0.0;  // predictions made in a session
    for (int i = train; i < train + test; ++i) {
      q.Observe(0, Monday() + kStep * i, user.obs[static_cast<std::size_t>(i)]);
      const absl::Time at = Monday() + kStep * (i + h);
      const double actual = user.cpu[static_cast<std::size_t>(i + h)];
      const double e_profile = std::abs(q.ExpectedDemand(0, at).cpu() - actual);
      const double e_seasonal = std::abs(q.Summary(0, at).seasonal_mean.cpu() - actual);
      err_profile += e_profile;
      err_seasonal += e_seasonal;
      err_flat += std::abs(flat - actual);
      if (q.sessions().in_session(0)) {
        session_profile += e_profile;
        session_seasonal += e_seasonal;
      }
    }
    INFO("h=", h, " MAE profile ", err_profile / test, " seasonal ", err_seasonal / test, " flat ",
         err_flat / test, "; in session: profile ", session_profile, " seasonal ",
         session_seasonal);
    CHECK(err_profile < 0.7 * err_flat);
    CHECK(err_profile <= 1.05 * err_seasonal);
    if (h <= 3)
      CHECK(session_profile < 0.85 * session_seasonal);  // the app chain adds to the shape
  }
}

TEST_CASE("The residual to the seasonal shape persists as an AR(1)") {
  BehaviorProfiler p;
  std::mt19937_64 rng(17);
  std::normal_distribution<double> noise(0.0, 0.2);
  double ar = 0.0;
  const int steps = 28 * kStepsPerDay;
  for (int i = 0; i < steps; ++i) {
    const double hour = (i % kStepsPerDay) / 12.0;
    ar = 0.9 * ar + noise(rng);
    p.Observe(0, Monday() + kStep * i,
              Usage(std::max(0.0, 3.0 + std::sin(hour / 24 * 2 * testing::kPi) + ar)));
  }
  // The AR(1) has phi 0.9. The learned shape absorbs part of its slow swings,
  // so the residual's lag-1 autocorrelation comes out lower (0.81 here).
  const double rho_cpu = p.ResidualAutocorrelation(0, Resource::kCpu);
  CHECK(rho_cpu > 0.75);
  CHECK(rho_cpu < 0.95);
  CHECK(p.ResidualAutocorrelation(0, Resource::kMemory) == doctest::Approx(0.0));  // constant
  const absl::Time last = Monday() + kStep * (steps - 1);
  const double seasonal_next = p.Summary(0, last + kStep).seasonal_mean.cpu();
  const double seasonal_now = p.Summary(0, last).seasonal_mean.cpu();
  const double residual = ar + 3.0 + std::sin(23.9166 / 24 * 2 * testing::kPi) - seasonal_now;
  const double rho = p.ResidualAutocorrelation(0, Resource::kCpu);
  CHECK(p.ExpectedDemand(0, last + kStep).cpu() ==
        doctest::Approx(seasonal_next + rho * residual).epsilon(0.02).scale(0));
  // Far ahead the residual has decayed away: the seasonal mean remains.
  CHECK(p.ExpectedDemand(0, last + absl::Hours(12)).cpu() ==
        doctest::Approx(p.Summary(0, last + absl::Hours(12)).seasonal_mean.cpu()).epsilon(0.01));
}

TEST_CASE("Declared intent raises the demand prior while it is in force") {
  BehaviorProfiler p;
  REQUIRE(p.RegisterIntent(9, "video edit", MakeResources(3, 2, 1, 1), absl::Minutes(40)).ok());
  CHECK(absl::IsInvalidArgument(
      p.RegisterIntent(9, "bad", MakeResources(-1, 1, 1, 1), absl::Minutes(1))));
  for (int i = 0; i < 7 * kStepsPerDay; ++i) p.Observe(0, Monday() + kStep * i, Usage(1.0));
  const absl::Time t = Monday() + kStep * (7 * kStepsPerDay);
  UserObservation o = Usage(1.0);
  o.intent = 9;
  p.Observe(0, t, o);
  CHECK(p.Summary(0, t).intent == 9);
  CHECK(p.ExpectedDemand(0, t + absl::Minutes(20)).cpu() == doctest::Approx(3.0));
  CHECK(p.ExpectedDemand(0, t + absl::Minutes(60)).cpu() == doctest::Approx(1.0));
  // What followed (2.5x for 30 minutes) is learnt into the shared registry; the
  // declaring observation's own sample (1.0) counts toward the episode.
  for (int i = 1; i <= 10; ++i) {
    UserObservation u = Usage(i <= 6 ? 2.5 : 1.0);
    u.intent = 9;  // still reported: edge-triggered, not a new declaration
    p.Observe(0, t + kStep * i, u);
  }
  CHECK(p.Summary(0, t + kStep * 10).intent == -1);
  const auto e = p.intents().Effect(9);
  REQUIRE(e.has_value());
  CHECK(e->episodes == doctest::Approx(2.0));
  CHECK(e->multiplier.cpu() == doctest::Approx(0.5 * 3.0 + 0.5 * (1.0 + 6 * 2.5) / 7));
  CHECK(e->duration == absl::Minutes(35));
}

TEST_CASE("Workflow stages reach the summary and steer the demand prior") {
  BehaviorProfiler p;
  const absl::StatusOr<int> id =
      p.AddWorkflow(WorkflowTemplate{"etl",
                                     {{"extract", MakeResources(2.0, 8e9, 0, 0), absl::Minutes(30)},
                                      {"load", MakeResources(0.5, 2e9, 0, 0), absl::Minutes(60)}}});
  REQUIRE(id.ok());
  for (int i = 0; i < 12; ++i) p.Observe(2, Monday() + kStep * i, Usage(0.01, 1e8));
  CHECK(p.Summary(2, Monday() + kStep * 11).workflow_stage == -1);
  for (int i = 12; i < 18; ++i) p.Observe(2, Monday() + kStep * i, Usage(2.1, 8e9));
  const absl::Time now = Monday() + kStep * 17;
  CHECK(p.Summary(2, now).workflow_stage == 0);
  CHECK(p.workflows().Match(2).workflow == *id);
  CHECK(p.ExpectedDemand(2, now + absl::Minutes(5)).cpu() == doctest::Approx(2.0));
  CHECK(p.ExpectedDemand(2, now + absl::Minutes(40)).cpu() == doctest::Approx(0.5));
  CHECK(p.ExpectedDemand(2, now + absl::Minutes(40)).memory() == doctest::Approx(2e9));
  CHECK(absl::IsNotFound(p.AssignWorkflow(2, 5, now)));
}

TEST_CASE("Per-user memory stays small") {
  BehaviorProfiler p;
  INFO("bytes per slot: ", p.BytesPerSlot());
  CHECK(p.BytesPerSlot() < 7 * 1024);
  BehaviorProfilerOptions small;
  small.buckets = 42;
  CHECK(BehaviorProfiler(small).BytesPerSlot() < 2560);
}

}  // namespace
}  // namespace foresight
