#include "foresight/profile/app_chain.hpp"

#include <doctest/doctest.h>

#include "synthetic.hpp"

namespace foresight {
namespace {

using testing::Monday;

TEST_CASE("AppChain learns the most likely next application") {
  AppChain chain;
  absl::Time t = Monday();
  // 1 -> 2 three times out of four, 1 -> 3 once.
  const int seq[] = {1, 2, 1, 2, 1, 3, 1, 2, 1};
  for (int app : seq) {
    chain.Launch(5, t, app);
    t += absl::Minutes(10);
  }
  CHECK(chain.slots() == 6);
  CHECK(chain.last_app(5) == 1);
  const AppChain::Prediction p = chain.Next(5);
  CHECK(p.app == 2);
  CHECK(p.probability == doctest::Approx(0.75).epsilon(0.02).scale(0));
  CHECK(chain.Probability(5, 1, 3) == doctest::Approx(0.25).epsilon(0.05).scale(0));
  CHECK(chain.Next(5, 2).app == 1);
  CHECK(chain.Next(5, 2).probability == doctest::Approx(1.0));
  CHECK(chain.Next(5, 42).app == -1);
  CHECK(chain.Next(0).app == -1);    // never launched anything
  CHECK(chain.Next(100).app == -1);  // unknown slot
}

TEST_CASE("AppChain learns per-app demand and dwell") {
  AppChain chain;
  absl::Time t = Monday();
  for (int k = 0; k < 5; ++k) {
    chain.Launch(0, t, 7);
    for (int i = 0; i < 6; ++i) chain.ObserveUsage(0, MakeResources(3.0, 4e9, 0, 0));
    t += absl::Minutes(30);
    chain.Launch(0, t, 8);
    for (int i = 0; i < 6; ++i) chain.ObserveUsage(0, MakeResources(0.5, 1e9, 0, 0));
    t += absl::Minutes(60);
    chain.EndSession(0, t);
    t += absl::Hours(2);
  }
  const auto s7 = chain.Stats(0, 7);
  REQUIRE(s7.has_value());
  CHECK(s7->demand.cpu() == doctest::Approx(3.0));
  CHECK(s7->demand.memory() == doctest::Approx(4e9));
  CHECK(s7->dwell_minutes == doctest::Approx(30.0));
  const auto s8 = chain.Stats(0, 8);
  REQUIRE(s8.has_value());
  CHECK(s8->demand.cpu() == doctest::Approx(0.5));
  CHECK(s8->dwell_minutes == doctest::Approx(60.0));
  // Session ends break the chain: 8 -> 7 was never a transition.
  CHECK(chain.Next(0, 8).app == -1);
  CHECK(chain.Next(0, 7).app == 8);
  CHECK(chain.current_app(0) == -1);
  CHECK_FALSE(chain.Stats(0, 9).has_value());
  // Usage outside an app is not attributed.
  chain.ObserveUsage(0, MakeResources(100, 0, 0, 0));
  CHECK(chain.Stats(0, 8)->demand.cpu() == doctest::Approx(0.5));
}

TEST_CASE("AppChain memory is bounded and frequent transitions survive eviction") {
  AppChain chain(AppChainOptions{.max_transitions = 4, .max_apps = 6, .decay = 0.0});
  absl::Time t = Monday();
  // A frequent 1 -> 2 habit interleaved with many one-off transitions.
  for (int k = 0; k < 40; ++k) {
    chain.Launch(0, t, 1);
    chain.Launch(0, t += absl::Minutes(1), 2);
    chain.EndSession(0, t += absl::Minutes(1));
    chain.Launch(0, t += absl::Minutes(1), 100 + k);
    chain.Launch(0, t += absl::Minutes(1), 200 + k);
    chain.EndSession(0, t += absl::Minutes(1));
  }
  CHECK(chain.Next(0, 1).app == 2);
  CHECK(chain.Next(0, 1).probability == doctest::Approx(1.0));
  CHECK(chain.Stats(0, 1).has_value());
  CHECK(chain.Stats(0, 2).has_value());
  CHECK(chain.BytesPerSlot() < 400);
}

TEST_CASE("AppChain ignores negative app ids") {
  AppChain chain;
  chain.Launch(0, Monday(), -1);
  CHECK(chain.slots() == 0);
  CHECK(chain.last_app(0) == -1);
}

}  // namespace
}  // namespace foresight
