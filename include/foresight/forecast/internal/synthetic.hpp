// -----------------------------------------------------------------------------
// File: internal/synthetic.hpp
// -----------------------------------------------------------------------------
//
// Seeded synthetic demand series for the forecasting tests and benchmarks:
// level + trend + up to two sine seasons + AR(1) noise. Uses only
// std::mt19937_64 and a Box-Muller transform, so the numbers are the same on
// every platform and standard library.
#ifndef FORESIGHT_FORECAST_INTERNAL_SYNTHETIC_HPP_
#define FORESIGHT_FORECAST_INTERNAL_SYNTHETIC_HPP_

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

namespace foresight::internal {

struct SyntheticOptions {
  int n = 1000;
  double level = 100.0;
  double trend = 0.0;     // per sample
  int season1 = 24;
  double amp1 = 20.0;
  int season2 = 0;        // 0 = none
  double amp2 = 0.0;
  double noise = 5.0;     // innovation standard deviation
  double ar = 0.0;        // AR(1) coefficient of the noise
  std::uint64_t seed = 42;
};

class SeededNormal {
 public:
  explicit SeededNormal(std::uint64_t seed) : gen_(seed) {}
  double operator()() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = 0.0;
    do {
      u1 = Uniform();
    } while (u1 <= 1e-300);
    const double u2 = Uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2 * std::numbers::pi * u2);
    has_spare_ = true;
    return r * std::cos(2 * std::numbers::pi * u2);
  }
  double Uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }

 private:
  std::mt19937_64 gen_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

inline std::vector<double> SyntheticSeries(const SyntheticOptions& o) {
  SeededNormal normal(o.seed);
  std::vector<double> y(static_cast<std::size_t>(o.n));
  double e = 0.0;
  for (int t = 0; t < o.n; ++t) {
    e = o.ar * e + o.noise * normal();
    double v = o.level + o.trend * t + e;
    if (o.season1 > 1) v += o.amp1 * std::sin(2 * std::numbers::pi * t / o.season1);
    if (o.season2 > 1) {
      // A weekly-like shape: a step down on 2 of every 7 "days" plus a sine.
      const int phase = t % o.season2;
      v += o.amp2 * ((phase * 7 / o.season2) >= 5 ? -1.0 : 0.4) +
           0.3 * o.amp2 * std::sin(2 * std::numbers::pi * t / o.season2);
    }
    y[static_cast<std::size_t>(t)] = v;
  }
  return y;
}

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_SYNTHETIC_HPP_
