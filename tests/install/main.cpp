// Fits ARIMA(1,0,0) to an AR(1) series through the installed headers and
// foresight::linalg (the Hessian check's LU, the stationarity check's
// eigenvalues); exits non-zero unless the fit is stationary and close.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "foresight/forecast/arima.hpp"
#include "foresight/forecast/internal/stats.hpp"

int main() {
  std::mt19937 gen(7);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<double> y(400);
  double x = 0.0;
  for (double& v : y) v = x = 0.6 * x + noise(gen);
  const auto fit = foresight::FitArima(y, {.p = 1}, {.check_hessian = true});
  if (!fit.ok() || fit->ar.size() != 1) return 2;
  const double phi = fit->ar[0];
  const std::vector<double> poly = {-phi};
  const double root = foresight::internal::MinRootModulus(poly);
  std::printf("phi %.3f, AR root modulus %.3f, hessian_ok %d\n", phi, root, fit->hessian_ok);
  return std::abs(phi - 0.6) < 0.15 && root > 1.0 && fit->hessian_ok ? 0 : 1;
}
