// -----------------------------------------------------------------------------
// File: markov_chain.hpp
// -----------------------------------------------------------------------------
//
// `MarkovChain` forecasts demand as a discrete-state Markov chain. Values are
// discretised into `states` bins whose edges are the quantiles of the first
// `calibration` samples (open-ended first and last bins). Transition counts are
// kept globally and, when `phases > 1`, per phase of a cycle of `season`
// samples (phase = (t mod season) * phases / season): hour-of-day on 5-minute
// data is {season = 288, phases = 24}, day-of-week {season = 2016, phases = 7},
// hour-of-week {season = 2016, phases = 168}. The concept passes only values,
// so the phase is the sample index modulo `season` (the history must start at
// phase 0 of the cycle for the phases to mean wall-clock hours).
//
// A phase's transition row is its counts shrunk toward the global row:
//   P_p(i, j) = (c_p(i, j) + prior * G(i, j)) / (n_p(i) + prior),
//   G(i, j)   = (c(i, j) + 1{i = j}) / (n(i) + 1)      (unseen states persist).
// The distribution h steps ahead is the current state's indicator times the
// product of the phases' matrices (matrix powers P^h when unconditioned).
// The mean weights each bin's running mean; quantiles invert the mixture of
// uniform distributions over each bin's observed [min, max].
//
// Until `calibration` samples have been seen the state buffers them, and
// Predict calibrates a temporary copy from the buffer; from then on bins are
// frozen and each Update costs O(1). Fit(x) then Update(y) equals Fit(x + y).
//
//   MarkovChain mc({.states = 16, .season = 288, .phases = 24});
//   auto state = mc.Fit(history);
//   Forecast f = mc.Predict(*state, 12);
//
// | type   | name        | description                                   | default |
// |--------|-------------|-----------------------------------------------|---------|
// | int    | states      | number of quantile bins                       | 12      |
// | int    | season      | samples per conditioning cycle (1 = none)     | 24      |
// | int    | phases      | phase buckets per cycle (1 = unconditioned)   | 24      |
// | int    | calibration | samples that place the bin edges              | 1024    |
// | double | prior       | pseudo-counts shrinking a phase to the global | 4.0     |
#ifndef FORESIGHT_FORECAST_MARKOV_CHAIN_HPP_
#define FORESIGHT_FORECAST_MARKOV_CHAIN_HPP_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"

namespace foresight {

struct MarkovChainOptions {
  int states = 12;
  int season = 24;
  int phases = 24;
  int calibration = 1024;
  double prior = 4.0;
};

class MarkovChain {
 public:
  struct State {
    std::vector<double> buffer;   // samples kept until calibration
    bool calibrated = false;
    std::vector<double> edges;    // states - 1 upper edges
    std::vector<double> bin_sum;  // per state: sum, count, min, max of its values
    std::vector<double> bin_count;
    std::vector<double> bin_min;
    std::vector<double> bin_max;
    std::vector<double> counts;   // (1 + phases) x states x states; block 0 is global
    std::vector<double> out;      // (1 + phases) x states: row totals
    int current = -1;             // state of the latest sample
    long long t = 0;              // samples seen
  };

  explicit MarkovChain(MarkovChainOptions options = {},
                       std::span<const double> levels = kDefaultQuantileLevels)
      : options_(options), levels_(levels.begin(), levels.end()) {
    options_.states = std::max(options_.states, 2);
    options_.season = std::max(options_.season, 1);
    options_.phases = std::clamp(options_.phases, 1, options_.season);
    options_.calibration = std::max(options_.calibration, options_.states);
    options_.prior = std::max(options_.prior, 0.0);
  }

  static std::string_view Name() { return "markov"; }
  const MarkovChainOptions& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    if (absl::Status s = internal::CheckFinite(history, Name()); !s.ok()) return s;
    State state;
    for (double y : history) Update(state, y);
    return state;
  }

  void Update(State& state, double y) const {
    if (!std::isfinite(y)) return;
    if (!state.calibrated) {
      state.buffer.push_back(y);
      if (static_cast<int>(state.buffer.size()) >= options_.calibration) Calibrate(state);
      return;
    }
    Learn(state, y);
  }

  Forecast Predict(const State& state, int horizon) const {
    Forecast f(std::max(horizon, 0), levels_);
    if (horizon <= 0) return f;
    if (!state.calibrated) {
      if (state.buffer.size() < 2) {
        const double v = state.buffer.empty() ? 0.0 : state.buffer.back();
        for (int s = 1; s <= horizon; ++s) {
          f.mean(s) = v;
          for (double& q : f.quantiles(s)) q = v;
        }
        return f;
      }
      State copy = state;
      Calibrate(copy);
      return PredictCalibrated(copy, horizon);
    }
    return PredictCalibrated(state, horizon);
  }

  // The probability distribution over states `steps` ahead (for tests/inspection).
  std::vector<double> StateDistribution(const State& state, int steps) const {
    const std::size_t S = static_cast<std::size_t>(options_.states);
    std::vector<double> d(S, 0.0), next(S);
    if (state.current < 0) return d;
    d[static_cast<std::size_t>(state.current)] = 1.0;
    for (int h = 1; h <= steps; ++h) {
      Advance(state, Phase(state.t + h - 1), d, next);
      d.swap(next);
    }
    return d;
  }

 private:
  std::size_t S() const { return static_cast<std::size_t>(options_.states); }
  int Phase(long long t) const {
    if (options_.phases <= 1) return 0;
    return 1 + static_cast<int>((t % options_.season) * options_.phases / options_.season);
  }

  int Bin(const State& s, double y) const {
    return static_cast<int>(std::upper_bound(s.edges.begin(), s.edges.end(), y) - s.edges.begin());
  }

  void Calibrate(State& s) const {
    std::vector<double> sorted = s.buffer;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    s.edges.resize(S() - 1);
    for (std::size_t k = 1; k < S(); ++k) {
      s.edges[k - 1] = sorted[std::min(n - 1, k * n / S())];
    }
    const std::size_t blocks = 1 + static_cast<std::size_t>(options_.phases > 1 ? options_.phases : 0);
    s.bin_sum.assign(S(), 0.0);
    s.bin_count.assign(S(), 0.0);
    s.bin_min.assign(S(), 0.0);
    s.bin_max.assign(S(), 0.0);
    s.counts.assign(blocks * S() * S(), 0.0);
    s.out.assign(blocks * S(), 0.0);
    s.current = -1;
    s.t = 0;
    s.calibrated = true;
    std::vector<double> buffer;
    buffer.swap(s.buffer);
    for (double y : buffer) Learn(s, y);
  }

  void Learn(State& s, double y) const {
    const int b = Bin(s, y);
    const std::size_t bi = static_cast<std::size_t>(b);
    if (s.bin_count[bi] == 0.0) {
      s.bin_min[bi] = s.bin_max[bi] = y;
    } else {
      s.bin_min[bi] = std::min(s.bin_min[bi], y);
      s.bin_max[bi] = std::max(s.bin_max[bi], y);
    }
    s.bin_sum[bi] += y;
    s.bin_count[bi] += 1.0;
    if (s.current >= 0) {
      const std::size_t from = static_cast<std::size_t>(s.current);
      s.counts[from * S() + bi] += 1.0;
      s.out[from] += 1.0;
      const int p = Phase(s.t);
      if (p > 0) {
        const std::size_t base = static_cast<std::size_t>(p) * S();
        s.counts[(base + from) * S() + bi] += 1.0;
        s.out[base + from] += 1.0;
      }
    }
    s.current = b;
    s.t += 1;
  }

  // next = d * P_phase.
  void Advance(const State& s, int phase, const std::vector<double>& d,
               std::vector<double>& next) const {
    std::fill(next.begin(), next.end(), 0.0);
    const std::size_t base = static_cast<std::size_t>(phase) * S();
    for (std::size_t i = 0; i < S(); ++i) {
      if (d[i] == 0.0) continue;
      const double* global = &s.counts[i * S()];
      const double inv_gn = 1.0 / (s.out[i] + 1.0);
      if (phase == 0) {
        const double w = d[i] * inv_gn;
        for (std::size_t j = 0; j < S(); ++j) next[j] += w * global[j];
        next[i] += w;  // the persistence pseudo-count
        continue;
      }
      // P_p(i, j) = (c_p(i, j) + prior * G(i, j)) / (n_p(i) + prior)
      const double* local = &s.counts[(base + i) * S()];
      const double w = d[i] / (s.out[base + i] + options_.prior);
      const double wg = w * options_.prior * inv_gn;
      for (std::size_t j = 0; j < S(); ++j) next[j] += w * local[j] + wg * global[j];
      next[i] += wg;
    }
  }

  Forecast PredictCalibrated(const State& s, int horizon) const {
    Forecast f(horizon, levels_);
    std::vector<double> d(S(), 0.0), next(S());
    d[static_cast<std::size_t>(std::max(s.current, 0))] = 1.0;
    std::vector<double> mean(S());
    for (std::size_t j = 0; j < S(); ++j) {
      mean[j] = s.bin_count[j] > 0 ? s.bin_sum[j] / s.bin_count[j] : 0.0;
    }
    for (int h = 1; h <= horizon; ++h) {
      Advance(s, Phase(s.t + h - 1), d, next);
      d.swap(next);
      double m = 0.0;
      for (std::size_t j = 0; j < S(); ++j) m += d[j] * mean[j];
      f.mean(h) = m;
      // Invert the CDF of the mixture of uniforms over each bin's [min, max].
      std::size_t j = 0;
      double below = 0.0;
      for (std::size_t k = 0; k < levels_.size(); ++k) {
        const double p = levels_[k];
        while (j + 1 < S() && (below + d[j] < p || s.bin_count[j] == 0.0)) {
          below += d[j];
          ++j;
        }
        const double frac = d[j] > 0 ? std::clamp((p - below) / d[j], 0.0, 1.0) : 0.5;
        f.quantile(h, k) = s.bin_min[j] + frac * (s.bin_max[j] - s.bin_min[j]);
      }
    }
    f.Normalize(/*floor_at_zero=*/false);
    const double warm = static_cast<double>(s.t) / (s.t + options_.calibration / 4.0);
    const double spread = f.Quantile(1, 0.9) - f.Quantile(1, 0.1);
    f.set_confidence(warm / (1.0 + spread / (std::abs(f.mean(1)) + 1e-9)));
    return f;
  }

  MarkovChainOptions options_;
  std::vector<double> levels_;
};
static_assert(Forecaster<MarkovChain>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_MARKOV_CHAIN_HPP_
