#include "foresight/forecast/coverage.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <random>

#include "foresight/forecast/forecast.hpp"

namespace foresight {
namespace {

constexpr std::array<double, 3> kLevels = {0.25, 0.5, 0.9};

TEST_CASE("QuantileCoverage counts the share of observations at or below each quantile") {
  QuantileCoverage c(kLevels);
  CHECK(c.empty());
  CHECK(std::isnan(c.Coverage(Resource::kCpu, 0)));
  const std::array<double, 3> q = {1.0, 2.0, 3.0};
  c.Add(Resource::kCpu, 0.5, q);  // below every quantile
  c.Add(Resource::kCpu, 2.0, q);  // equal to the median: covered (at or below)
  c.Add(Resource::kCpu, 2.5, q);
  c.Add(Resource::kCpu, 9.0, q);  // above all
  c.Add(Resource::kCpu, std::nan(""), q);  // a missing sample is not scored
  CHECK(c.scored(Resource::kCpu) == 4);
  CHECK(c.covered(Resource::kCpu, 0) == 1);
  CHECK(c.covered(Resource::kCpu, 1) == 2);
  CHECK(c.covered(Resource::kCpu, 2) == 3);
  CHECK(c.Coverage(Resource::kCpu, 2) == doctest::Approx(0.75));
  CHECK(c.StandardError(Resource::kCpu, 2) == doctest::Approx(std::sqrt(0.9 * 0.1 / 4)));
  CHECK(c.scored(Resource::kMemory) == 0);
  CHECK(std::isnan(c.Coverage(Resource::kMemory, 1)));
  // Ties: equal quantiles all cover a value equal to them.
  c.Add(Resource::kMemory, 1.0, std::array<double, 3>{0.5, 1.0, 1.0});
  CHECK(c.covered(Resource::kMemory, 0) == 0);
  CHECK(c.covered(Resource::kMemory, 1) == 1);
  CHECK(c.covered(Resource::kMemory, 2) == 1);
  CHECK(c.LevelIndex(0.5) == 1);
  CHECK(c.LevelIndex(0.99) == -1);

  c.Forget(Resource::kCpu);
  CHECK(c.scored(Resource::kCpu) == 0);
  CHECK(c.scored(Resource::kMemory) == 1);
  c.Clear();
  CHECK(c.empty());
  CHECK(c.levels().size() == 3);
}

TEST_CASE("QuantileCoverage of exact quantiles converges to the levels") {
  // Demand ~ Uniform(0, 1), whose quantile at level p is p: a calibrated
  // forecaster. 20,000 draws put each share within 4 standard errors.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  QuantileCoverage calibrated(kLevels), biased(kLevels);
  const std::array<double, 3> exact = {0.25, 0.5, 0.9};
  const std::array<double, 3> low = {0.15, 0.4, 0.8};  // every quantile 0.1 too low
  for (int i = 0; i < 20000; ++i) {
    const double y = u(rng);
    calibrated.Add(Resource::kIo, y, exact);
    biased.Add(Resource::kIo, y, low);
  }
  for (std::size_t k = 0; k < kLevels.size(); ++k) {
    const double se = calibrated.StandardError(Resource::kIo, k);
    CHECK(std::abs(calibrated.Coverage(Resource::kIo, k) - kLevels[k]) < 4 * se);
    CHECK(biased.Coverage(Resource::kIo, k) ==
          doctest::Approx(kLevels[k] - 0.1).epsilon(0.03).scale(0));
  }
}

}  // namespace
}  // namespace foresight
