#include "foresight/profile/intent.hpp"

#include <doctest/doctest.h>

#include "synthetic.hpp"

namespace foresight {
namespace {

using testing::Monday;

TEST_CASE("IntentModel learns multiplier and duration from what followed declarations") {
  IntentModel m;
  const ResourceVector baseline = MakeResources(1.0, 2e9, 1e6, 1e5);
  absl::Time t = Monday();
  for (int k = 0; k < 6; ++k) {
    m.Declare(0, t, /*intent=*/4, baseline);
    CHECK(m.active(0) == 4);
    // 45 minutes at 3x CPU and 2x memory, then back to baseline.
    for (int i = 1; i <= 9; ++i)
      m.Observe(0, t + absl::Minutes(5) * i, MakeResources(3.0, 4e9, 1e6, 1e5));
    for (int i = 10; i <= 15; ++i) m.Observe(0, t + absl::Minutes(5) * i, baseline);
    CHECK(m.active(0) == -1);  // settled after three baseline samples
    t += absl::Hours(6);
  }
  const std::optional<IntentEffect> e = m.Effect(4);
  REQUIRE(e.has_value());
  CHECK(e->episodes == doctest::Approx(6));
  CHECK(e->multiplier.cpu() == doctest::Approx(3.0));
  CHECK(e->multiplier.memory() == doctest::Approx(2.0));
  CHECK(e->multiplier.io() == doctest::Approx(1.0));
  CHECK(e->duration == absl::Minutes(45));
  CHECK(m.ExpectedDuration(4) == absl::Minutes(45));
  CHECK(m.ExpectedDuration(5) == absl::Hours(1));  // unknown: the default
  CHECK_FALSE(m.Effect(5).has_value());

  m.Declare(1, t, 4, baseline);
  CHECK(m.MultiplierAt(1, t + absl::Minutes(30)).cpu() == doctest::Approx(3.0));
  CHECK(m.MultiplierAt(1, t + absl::Minutes(50)).cpu() == doctest::Approx(1.0));
  CHECK(m.MultiplierAt(0, t).cpu() == doctest::Approx(1.0));
}

TEST_CASE("Registered priors are used before anything is learnt and validated") {
  IntentModel m;
  CHECK(m.Register(2, "video edit", MakeResources(4, 2, 1, 1), absl::Minutes(90)).ok());
  CHECK(m.Effect(2)->name == "video edit");
  m.Declare(0, Monday(), 2, MakeResources(1, 1, 1, 1));
  CHECK(m.MultiplierAt(0, Monday() + absl::Minutes(60)).cpu() == doctest::Approx(4.0));
  CHECK(m.MultiplierAt(0, Monday() + absl::Minutes(100)).cpu() == doctest::Approx(1.0));

  const absl::Status neg = m.Register(-1, "x", MakeResources(1, 1, 1, 1), absl::Hours(1));
  CHECK(absl::IsInvalidArgument(neg));
  const absl::Status nan = m.Register(3, "x", MakeResources(std::nan(""), 1, 1, 1), absl::Hours(1));
  CHECK(absl::IsInvalidArgument(nan));
  CHECK(std::string(nan.message()).find("intent 3") != std::string::npos);
  CHECK(
      absl::IsInvalidArgument(m.Register(3, "x", MakeResources(1, 1, 1, 1), absl::ZeroDuration())));
  CHECK(m.registry_size() == 1);  // failures changed nothing
}

TEST_CASE("An episode ends at the next declaration, at End and after max_duration") {
  IntentModel m(IntentOptions{.max_duration = absl::Hours(1)});
  const ResourceVector base = MakeResources(1, 1, 1, 1);
  m.Declare(0, Monday(), 1, base);
  m.Observe(0, Monday() + absl::Minutes(5), base * 2.0);
  m.Declare(0, Monday() + absl::Minutes(10), 2, base);
  CHECK(m.active(0) == 2);
  CHECK(m.Effect(1)->multiplier.cpu() == doctest::Approx(2.0));
  m.Observe(0, Monday() + absl::Minutes(15), base * 5.0);
  m.End(0);
  CHECK(m.active(0) == -1);
  CHECK(m.Effect(2)->multiplier.cpu() == doctest::Approx(5.0));
  m.Declare(0, Monday() + absl::Hours(1), 3, base);
  for (int i = 1; i <= 13; ++i)
    m.Observe(0, Monday() + absl::Hours(1) + absl::Minutes(5) * i, base * 2.0);
  CHECK(m.active(0) == -1);
  CHECK(m.Effect(3)->duration == absl::Hours(1));
}

}  // namespace
}  // namespace foresight
