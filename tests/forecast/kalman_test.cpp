// The ARMA state-space machinery: stationary prior, Riccati filter and the
// O(r) Chandrasekhar likelihood agree with each other and with brute force.
#include "foresight/forecast/internal/kalman.hpp"

#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <random>
#include <vector>

#include "foresight/forecast/arima.hpp"

namespace foresight::internal {
namespace {

struct ArmaCase {
  std::vector<double> phi, theta;
};

std::vector<ArmaCase> Cases() {
  std::vector<ArmaCase> cases = {
      {{0.5}, {}},           {{}, {0.4}},          {{1.2, -0.5}, {0.3}},
      {{0.3, 0.2, -0.1}, {-0.6, 0.2}}, {{}, {-0.95}},  // near non-invertible MA
  };
  // Seasonal: (1 - 0.5B)(1 - 0.7B^12) and (1 + 0.3B)(1 - 0.8B^12).
  ArmaCase s1, s2;
  s1.phi.assign(13, 0.0);
  s1.phi[0] = 0.5;
  s1.phi[11] = 0.7;
  s1.phi[12] = -0.35;
  s2.theta.assign(13, 0.0);
  s2.theta[0] = 0.3;
  s2.theta[11] = -0.8;
  s2.theta[12] = -0.24;
  cases.push_back(s1);
  cases.push_back(s2);
  return cases;
}

std::vector<double> Noise(std::size_t n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> x(n);
  double prev = 0.0;
  for (double& v : x) {
    v = 0.6 * prev + normal(gen);
    prev = v;
  }
  return x;
}

TEST_CASE("Stationary P0 solves the Lyapunov equation P = T P T' + R R'") {
  for (const ArmaCase& c : Cases()) {
    const std::size_t p = c.phi.size(), q = c.theta.size(), r = std::max(p, q + 1);
    Eigen::MatrixXd T = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(r));
    for (std::size_t i = 0; i < p; ++i) T(static_cast<Eigen::Index>(i), 0) = c.phi[i];
    for (std::size_t i = 0; i + 1 < r; ++i) T(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i + 1)) = 1.0;
    Eigen::VectorXd R = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(r));
    R(0) = 1.0;
    for (std::size_t j = 0; j < q; ++j) R(static_cast<Eigen::Index>(j + 1)) = c.theta[j];
    std::vector<double> row(r);
    ArmaCovScratch sc;
    REQUIRE(StationaryFirstRow(c.phi, c.theta, r, sc, row.data()));
    if (r <= 6) {  // brute force: vec(P) = (I - T (x) T)^-1 vec(R R')
      const auto rr = static_cast<Eigen::Index>(r * r);
      Eigen::MatrixXd K(rr, rr);
      for (Eigen::Index i = 0; i < T.rows(); ++i) {
        for (Eigen::Index j = 0; j < T.cols(); ++j) {
          K.block(i * T.rows(), j * T.cols(), T.rows(), T.cols()) = T(i, j) * T;
        }
      }
      const Eigen::MatrixXd Q = R * R.transpose();
      const Eigen::VectorXd vp = (Eigen::MatrixXd::Identity(rr, rr) - K)
                                     .partialPivLu()
                                     .solve(Eigen::Map<const Eigen::VectorXd>(Q.data(), rr));
      for (std::size_t k = 0; k < r; ++k) CHECK(row[k] == doctest::Approx(vp(static_cast<Eigen::Index>(k * r))).epsilon(1e-10));
    }
  }
  const double explosive[] = {1.1};
  std::vector<double> row(1);
  ArmaCovScratch sc;
  CHECK_FALSE(StationaryFirstRow(explosive, {}, 1, sc, row.data()));
}

TEST_CASE("Chandrasekhar likelihood equals the Riccati Kalman filter") {
  const std::vector<double> w = Noise(400, 7);
  ArmaLikelihoodWorkspace ws;
  for (const ArmaCase& c : Cases()) {
    const ArmaLikelihood fast = ArmaLogLikelihood(ws, c.phi, c.theta, w);
    REQUIRE(fast.ok);
    ArmaFilter filter;
    REQUIRE(filter.Reset(c.phi, c.theta));
    double ssq = 0.0, sumlog = 0.0;
    for (double v : w) {
      const auto inn = filter.Step(v);
      ssq += inn.error * inn.error / inn.variance;
      sumlog += std::log(inn.variance);
    }
    CHECK(fast.ssq == doctest::Approx(ssq).epsilon(1e-9));
    CHECK(fast.sumlog == doctest::Approx(sumlog).epsilon(1e-8));
  }
}

TEST_CASE("ArimaStep after a fit equals filtering the longer history") {
  const std::vector<double> y = Noise(200, 3);
  const auto fit = FitArima(std::span<const double>(y).first(180), {.p = 1, .d = 1, .q = 1},
                            {.include_drift = true});
  REQUIRE(fit.ok());
  ArimaState online = MakeArimaState(*fit, std::span<const double>(y).first(180));
  for (std::size_t t = 180; t < 200; ++t) ArimaStep(online, y[t]);
  const ArimaState batch = MakeArimaState(*fit, y);
  std::vector<double> m1(6), s1(6), m2(6), s2(6);
  ArimaPredictMoments(online, m1, s1);
  ArimaPredictMoments(batch, m2, s2);
  for (std::size_t h = 0; h < 6; ++h) {
    CHECK(m1[h] == doctest::Approx(m2[h]).epsilon(1e-12));
    CHECK(s1[h] == doctest::Approx(s2[h]).epsilon(1e-12));
  }
}

}  // namespace
}  // namespace foresight::internal
