#include "foresight/profile/classifier.hpp"

#include <doctest/doctest.h>

#include "foresight/profile/behavior_profiler.hpp"
#include "synthetic.hpp"

namespace foresight {
namespace {

TEST_CASE("Classifier rules: unknown, idle, then nearest centroid") {
  BehaviorClassifier c;
  BehaviorFeatures f{.diurnal_amplitude = 2.5,
                     .weekday_weekend_ratio = 6.0,
                     .burstiness = 0.9,
                     .duty_cycle = 0.15,
                     .night_fraction = 0.0,
                     .mean_cpu = 0.3,
                     .samples = 10};
  CHECK(c.Classify(f) == BehaviorClass::kUnknown);
  f.samples = 1000;
  CHECK(c.Classify(f) == BehaviorClass::kInteractive);
  f.burstiness = 0.2;
  CHECK(c.Classify(f) == BehaviorClass::kAnalysis);
  f.weekday_weekend_ratio = 1.0;
  f.night_fraction = 0.9;  // the same sustained runs, every night: a scheduled job
  CHECK(c.Classify(f) == BehaviorClass::kBatch);
  f = {.diurnal_amplitude = 0.3,
       .weekday_weekend_ratio = 1.0,
       .burstiness = 0.2,
       .duty_cycle = 0.3,
       .night_fraction = 0.3,
       .mean_cpu = 1.0,
       .samples = 1000};
  CHECK(c.Classify(f) == BehaviorClass::kBatch);
  f.duty_cycle = 1.0;
  CHECK(c.Classify(f) == BehaviorClass::kService);
  f.mean_cpu = 0.001;
  CHECK(c.Classify(f) == BehaviorClass::kIdle);
}

TEST_CASE("Classifier explains its decision") {
  BehaviorClassifier c;
  const BehaviorFeatures f{.diurnal_amplitude = 0.8,
                           .weekday_weekend_ratio = 1.1,
                           .burstiness = 0.4,
                           .duty_cycle = 0.97,
                           .night_fraction = 0.2,
                           .mean_cpu = 1.0,
                           .samples = 1000};
  const BehaviorClassification e = c.Explain(f);
  CHECK(e.behavior == BehaviorClass::kService);
  CHECK(e.margin > 1.0);
  REQUIRE(e.distance.size() == c.options().centroids.size());
  CHECK(e.distance[4] < e.distance[0]);
  CHECK(e.reason.find("service") == 0);
  CHECK(e.reason.find("nearest centroid") != std::string::npos);
  const BehaviorClassification idle = c.Explain(BehaviorFeatures{.mean_cpu = 0.0, .samples = 1000});
  CHECK(idle.behavior == BehaviorClass::kIdle);
  CHECK(idle.reason.find("idle") == 0);
  CHECK(idle.distance.empty());
}

TEST_CASE("Feature tracker: duty cycle and burstiness of active samples") {
  BehaviorFeatureTracker t(0.05, 0.1);
  for (int i = 0; i < 100; ++i) t.Observe(0, i % 4 == 0 ? (i % 8 == 0 ? 1.0 : 3.0) : 0.0);
  BehaviorFeatures f;
  t.Fill(0, f);
  CHECK(f.samples == 100);
  CHECK(f.duty_cycle == doctest::Approx(0.25));
  CHECK(f.mean_cpu == doctest::Approx(0.49));
  CHECK(f.burstiness == doctest::Approx(0.5).epsilon(0.05).scale(0));  // {1, 3}: sd 1, mean 2
}

TEST_CASE("Feature tracker: a big job's idle floor is not activity") {
  BehaviorFeatureTracker t(0.05, 0.1);
  // 6 cores for 3 hours a night, 0.06 cores otherwise (above the absolute 0.05).
  for (int i = 0; i < 288 * 14; ++i) t.Observe(0, i % 288 < 36 ? 6.0 : 0.06);
  BehaviorFeatures f;
  t.Fill(0, f);
  // A P95 tracker: 6 at the end of a busy stretch, then it drifts down by
  // 0.05% a sample through the 252 idle ones (to 5.3 when this ends).
  CHECK(t.busy_level(0) > 5.0);
  CHECK(t.busy_level(0) < 6.1);
  CHECK(f.duty_cycle == doctest::Approx(36.0 / 288).epsilon(0.15).scale(0));
  CHECK(f.burstiness < 0.05);
}

TEST_CASE("Synthetic archetypes are classified as what they are") {
  const BehaviorClass kinds[] = {BehaviorClass::kIdle, BehaviorClass::kInteractive,
                                 BehaviorClass::kBatch, BehaviorClass::kAnalysis,
                                 BehaviorClass::kService};
  BehaviorProfiler profiler;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    for (std::size_t k = 0; k < std::size(kinds); ++k) {
      const Slot slot = static_cast<Slot>(seed * 10 + k);
      testing::ArchetypeUser user(kinds[k], seed * 100 + k);
      testing::Feed(profiler, slot, user, 3 * 7 * testing::kStepsPerDay);
      const BehaviorClassification c = profiler.Classify(slot);
      INFO(BehaviorClassName(kinds[k]), " seed ", seed, ": ", c.reason);
      CHECK(c.behavior == kinds[k]);
      CHECK(profiler.Summary(slot, testing::Monday() + absl::Hours(24 * 21)).behavior == kinds[k]);
    }
  }
}

TEST_CASE("A day of data is not enough to be idle-or-not: too few samples is unknown") {
  BehaviorProfiler profiler;
  testing::ArchetypeUser user(BehaviorClass::kService, 1);
  testing::Feed(profiler, 0, user, 40);
  CHECK(profiler.Summary(0, testing::Monday()).behavior == BehaviorClass::kUnknown);
}

}  // namespace
}  // namespace foresight
