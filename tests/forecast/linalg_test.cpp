// The compiled Eigen solvers of foresight::linalg (internal/linalg.hpp), and
// the stats.hpp helpers built on them (PolyRoots, MinRootModulus).
#include "foresight/forecast/internal/linalg.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <complex>
#include <vector>

#include "foresight/forecast/internal/stats.hpp"

namespace foresight::internal {
namespace {

TEST_CASE("Eigenvalues of a companion matrix are its polynomial's roots") {
  // z^2 - 3z + 2 = (z - 1)(z - 2): companion [[3, -2], [1, 0]].
  Eigen::MatrixXd a(2, 2);
  a << 3, -2, 1, 0;
  const Eigen::VectorXcd ev = Eigenvalues(a);
  REQUIRE(ev.size() == 2);
  std::vector<double> re = {ev(0).real(), ev(1).real()};
  std::sort(re.begin(), re.end());
  CHECK(re[0] == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(re[1] == doctest::Approx(2.0).epsilon(1e-12));
  CHECK(std::abs(ev(0).imag()) < 1e-12);
  // A rotation by 90 degrees: eigenvalues +-i.
  Eigen::MatrixXd r(2, 2);
  r << 0, -1, 1, 0;
  const Eigen::VectorXcd er = Eigenvalues(r);
  CHECK(std::abs(er(0)) == doctest::Approx(1.0));
  CHECK(std::abs(er(0).real()) < 1e-12);
  CHECK(er(0).imag() == doctest::Approx(-er(1).imag()));
}

TEST_CASE("PolyRoots and MinRootModulus go through the compiled solver") {
  // 2 - 3z + z^2 has roots 1 and 2.
  const std::vector<double> c = {2.0, -3.0, 1.0};
  auto roots = PolyRoots(c);
  REQUIRE(roots.size() == 2);
  std::sort(roots.begin(), roots.end(), [](auto x, auto y) { return x.real() < y.real(); });
  CHECK(roots[0].real() == doctest::Approx(1.0));
  CHECK(roots[1].real() == doctest::Approx(2.0));
  // 1 - 0.5z: root 2 (an AR(1) with phi = 0.5 is stationary).
  const std::vector<double> ar = {-0.5};
  CHECK(MinRootModulus(ar) == doctest::Approx(2.0));
  // 1 - 1.25z: root 0.8, inside the unit circle.
  const std::vector<double> explosive = {-1.25};
  CHECK(MinRootModulus(explosive) == doctest::Approx(0.8));
}

TEST_CASE("LeastSquaresQr solves and reports the rank") {
  // y = 1 + 2x exactly.
  Eigen::MatrixXd a(4, 2);
  a << 1, 0, 1, 1, 1, 2, 1, 3;
  Eigen::VectorXd b(4);
  b << 1, 3, 5, 7;
  Eigen::VectorXd x;
  CHECK(LeastSquaresQr(a, b, x) == 2);
  REQUIRE(x.size() == 2);
  CHECK(x(0) == doctest::Approx(1.0));
  CHECK(x(1) == doctest::Approx(2.0));
  // Two equal columns: rank 1.
  Eigen::MatrixXd d(3, 2);
  d << 1, 1, 2, 2, 3, 3;
  Eigen::VectorXd e(3);
  e << 1, 2, 3;
  CHECK(LeastSquaresQr(d, e, x) == 1);
}

TEST_CASE("Inverse and LuSolve") {
  Eigen::MatrixXd a(2, 2);
  a << 4, 7, 2, 6;
  const Eigen::MatrixXd inv = Inverse(a);
  CHECK((a * inv - Eigen::MatrixXd::Identity(2, 2)).norm() < 1e-12);
  Eigen::MatrixXd x;
  const double rcond = LuSolve(a, Eigen::MatrixXd::Identity(2, 2), x);
  CHECK(rcond > 0.01);
  CHECK((x - inv).norm() < 1e-12);
  // A singular matrix fails HessianCheck's test (rcond >= machine epsilon;
  // the estimate may be 0 or NaN).
  Eigen::MatrixXd s(2, 2);
  s << 1, 2, 2, 4;
  CHECK_FALSE(LuSolve(s, Eigen::MatrixXd::Identity(2, 2), x) >= 1e-12);
}

}  // namespace
}  // namespace foresight::internal
