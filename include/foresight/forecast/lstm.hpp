// -----------------------------------------------------------------------------
// File: lstm.hpp
// -----------------------------------------------------------------------------
//
// `SmallLstm` is a small LSTM forecaster (Eigen; 1 or 2 layers) trained with
// Adam and truncated backpropagation through time, whose output heads give the
// quantiles directly: for every step h = 1..horizon and every quantile level
// tau it outputs q_{h,tau}, trained with the pinball loss. The mean reported is
// the median head (0.5 is always among the levels).
//
// A positive series that the M4 benchmarks' test finds seasonal is first
// divided by its classical multiplicative seasonal indices (`deseasonalize`,
// as Naive2 and Theta do); the forecast is multiplied back.
// Inputs at time t, in units s of the local level (`local_level`: mean |y|
// of the last max(season, 2) samples; else of the whole training window):
// y_t / s - 1, (y_t - y_{t-1}) / s, (y_{t+1-m} - y_t) / s (the seasonal-naive
// hint) and sin/cos of the next sample's phase in a cycle of `season` samples
// (3 harmonics). Targets are (y_{t+h} - y_t) / s, so an untrained network
// forecasts the last value. Training stops early (`patience`) when the
// pinball loss on the targets of the last `holdout` of the series, held out,
// has not fallen for `patience` epochs; the best epoch's weights are kept,
// and a step ahead whose median forecast the held-out targets worse than the
// last value forecasts the last value (`median_fallback`).
//
// Training is deterministic under `seed` (no threads, a seeded generator).
// Per-series use: `Fit(history)` trains a network on the history and returns a
// state carrying it. Global use: `SmallLstm::TrainGlobal(options, many_series)`
// trains one network across many normalised series and returns a policy whose
// `Fit` only computes the series' scale and runs the network over its history.
// `Update` steps the network (O(layers * hidden^2)); it never retrains, so
// Fit(x) then Update(y) differs from Fit(x + y) by the retraining.
// `Predict(state, 1)` computes only the first step's heads; it and Update are
// each a few microseconds (see bench/forecast/lstm_benchmark.cpp).
//
//   SmallLstm lstm({.hidden = 16, .horizon = 24, .season = 24, .epochs = 20});
//   auto state = lstm.Fit(history);           // trains
//   Forecast f = lstm.Predict(*state, 24);
//   auto global = SmallLstm::TrainGlobal(options, all_series);   // one model
//   auto s2 = global->Fit(one_series);        // no training
//
// | type     | name          | description                                  | default |
// |----------|---------------|----------------------------------------------|---------|
// | int      | hidden        | LSTM units per layer (<= 64)                 | 16      |
// | int      | layers        | 1 or 2                                       | 1       |
// | int      | horizon       | steps with their own output heads            | 24      |
// | int      | season        | cycle for the phase features (<= 1: none)    | 24      |
// | int      | epochs        | most passes over the training data           | 20      |
// | int      | chunk         | truncated-BPTT length                        | 24      |
// | double   | learning_rate | Adam step size                               | 0.005   |
// | double   | clip          | global gradient-norm clip                    | 1.0     |
// | int      | max_train     | most recent samples trained on per series    | 2000    |
// | int      | min_train     | shorter histories stay untrained (naive)     | 64      |
// | uint64_t | seed          | initialisation seed                          | 42      |
// | bool     | deseasonalize | divide out multiplicative seasonal indices   | true    |
// | bool     | local_level   | units of the last season's mean level        | true    |
// | int      | patience      | epochs without a held-out gain (0: no stop)  | 5       |
// | double   | holdout       | share of the series held out, in [0, 0.5]    | 0.2     |
// | bool     | median_fallback | last value where the median lost to it     | true    |
#ifndef FORESIGHT_FORECAST_LSTM_HPP_
#define FORESIGHT_FORECAST_LSTM_HPP_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/decompose.hpp"
#include "foresight/forecast/internal/lstm_network.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"
#include "foresight/forecast/internal/stats.hpp"

namespace foresight {

struct SmallLstmOptions {
  int hidden = 16;
  int layers = 1;
  int horizon = 24;
  int season = 24;
  int epochs = 20;
  int chunk = 24;
  double learning_rate = 0.005;
  double clip = 1.0;
  int max_train = 2000;
  int min_train = 64;
  std::uint64_t seed = 42;
  // Divide a seasonal, positive series by its classical multiplicative
  // indices before training and multiply them back into the forecast (the M4
  // benchmarks' seasonality test and decomposition, as Naive2).
  bool deseasonalize = true;
  // Inputs and targets in units of the local level (mean |y| of the last
  // max(season, 2) samples) instead of the training window's mean |y|.
  bool local_level = true;
  // Early stopping: the targets that reach a series' last `holdout` share of
  // samples (at least `horizon`) are held out of training; it stops after
  // `patience` epochs without a lower held-out pinball loss and keeps the
  // best epoch's weights. 0: every epoch trains on every target.
  int patience = 5;
  double holdout = 0.2;
  // With early stopping: a step ahead whose median head forecasts the
  // held-out targets worse (in absolute error) than the last value does
  // forecasts the last value (its median head is zeroed); its other heads
  // keep their spread. A series with nothing to learn past its level then
  // gets the naive forecast, not the noise the network fitted.
  bool median_fallback = true;
};

class SmallLstm {
 public:
  static constexpr int kInputs = 9;

  struct State {
    std::shared_ptr<const internal::LstmNetwork> net;  // null: untrained (naive)
    std::vector<double> h, c;                           // layers x hidden
    std::vector<double> recent;                         // ring of the last max(m, 2) values
    std::vector<double> figure;                         // seasonal indices; empty: none
    double recent_abs = 0.0;                            // sum of |recent| (the local level's)
    double scale = 0.0;
    long long t = 0;                                    // samples seen
    // Mean pinball loss of the epoch kept (the last, without early stopping),
    // on the training and on the held-out targets (NaN: none held out).
    double training_loss = NAN;
    double held_out_loss = NAN;
    int epochs_kept = 0;  // the epoch whose weights are kept (0: untrained)
    int naive_steps = 0;  // steps ahead whose median fell back to the last value
  };

  explicit SmallLstm(SmallLstmOptions options = {},
                     std::span<const double> levels = kDefaultQuantileLevels)
      : options_(Sanitize(options)), levels_(WithMedian(levels)) {}

  static std::string_view Name() { return "lstm"; }
  const SmallLstmOptions& options() const { return options_; }
  std::span<const double> levels() const { return levels_; }
  bool global() const { return global_ != nullptr; }

  // One network across many series (each normalised by its own scale).
  static absl::StatusOr<SmallLstm> TrainGlobal(const SmallLstmOptions& options,
                                               std::span<const std::span<const double>> series,
                                               std::span<const double> levels = kDefaultQuantileLevels) {
    SmallLstm policy(options, levels);
    std::vector<internal::LstmSequence> seqs;
    for (std::size_t i = 0; i < series.size(); ++i) {
      if (absl::Status s = internal::CheckFinite(series[i], absl::StrCat("lstm series ", i)); !s.ok()) {
        return s;
      }
      if (static_cast<int>(series[i].size()) < policy.options_.min_train) continue;
      const std::vector<double> adjusted = Adjusted(series[i], policy.Figure(series[i]));
      seqs.push_back(policy.MakeSequence(adjusted));
    }
    if (seqs.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("lstm: no series has at least ",
                                                     policy.options_.min_train, " samples"));
    }
    policy.global_ = policy.Train(seqs, &policy.global_loss_, &policy.global_held_out_loss_,
                                  &policy.global_epochs_kept_, &policy.global_naive_steps_);
    return policy;
  }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    if (absl::Status s = internal::CheckFinite(history, Name()); !s.ok()) return s;
    State state = Cold();
    state.figure = Figure(history);
    const std::vector<double> adjusted = Adjusted(history, state.figure);
    const std::span<const double> x(adjusted);
    state.scale = Scale(
        x.last(std::min<std::size_t>(x.size(), static_cast<std::size_t>(options_.max_train))));
    if (global_) {
      state.net = global_;
      state.training_loss = global_loss_;
      state.held_out_loss = global_held_out_loss_;
      state.epochs_kept = global_epochs_kept_;
      state.naive_steps = global_naive_steps_;
    } else if (static_cast<int>(history.size()) >= options_.min_train) {
      std::vector<internal::LstmSequence> one;
      one.push_back(MakeSequence(x));
      state.net = Train(one, &state.training_loss, &state.held_out_loss, &state.epochs_kept,
                        &state.naive_steps);
    }
    for (double y : history) Update(state, y);
    return state;
  }

  void Update(State& state, double y) const {
    if (!std::isfinite(y)) return;
    if (!state.figure.empty())
      y /= state.figure[static_cast<std::size_t>(state.t) % state.figure.size()];
    if (state.scale <= 0.0) state.scale = std::max(std::abs(y), 1e-6);
    Push(state, y);
    if (!state.net) return;
    double x[kInputs];
    Features(state, x);
    state.net->Step(x, state.h.data(), state.c.data());
  }

  Forecast Predict(const State& state, int horizon) const {
    Forecast f(std::max(horizon, 0), levels_);
    if (horizon <= 0) return f;
    const double last = Last(state);
    const std::size_t Q = levels_.size();
    if (!state.net || state.t == 0) {
      for (int s = 1; s <= horizon; ++s) {
        const double v = last * Index(state, s);
        f.mean(s) = v;
        for (double& q : f.quantiles(s)) q = v;
      }
      return f;
    }
    const int H = std::min(horizon, options_.horizon);
    double out[internal::LstmNetwork::kMaxHidden * 64];
    std::vector<double> big;
    double* o = out;
    if (static_cast<std::size_t>(H) * Q > sizeof(out) / sizeof(double)) {
      big.resize(static_cast<std::size_t>(H) * Q);
      o = big.data();
    }
    const int L = state.net->layers(), hid = state.net->hidden();
    const double unit = Unit(state);
    state.net->Output(state.h.data() + (L - 1) * hid, H * static_cast<int>(Q), o);
    for (int s = 1; s <= horizon; ++s) {
      const int hs = std::min(s, H);
      // Beyond the trained horizon, widen the last head's spread by sqrt(s / H).
      const double widen = s > H ? std::sqrt(static_cast<double>(s) / H) : 1.0;
      const double* row = o + static_cast<std::size_t>(hs - 1) * Q;
      const double med = row[median_];
      const double index = Index(state, s);
      for (std::size_t k = 0; k < Q; ++k) {
        f.quantile(s, k) = index * (last + unit * (med + widen * (row[k] - med)));
      }
      f.mean(s) = index * (last + unit * med);
    }
    f.Normalize(/*floor_at_zero=*/false);
    const double spread = f.Quantile(1, 0.9) - f.Quantile(1, 0.1);
    f.set_confidence(1.0 / (1.0 + spread / (std::abs(f.mean(1)) + 1e-9)));
    return f;
  }

 private:
  static SmallLstmOptions Sanitize(SmallLstmOptions o) {
    o.hidden = std::clamp(o.hidden, 1, internal::LstmNetwork::kMaxHidden);
    o.layers = std::clamp(o.layers, 1, 2);
    o.horizon = std::max(o.horizon, 1);
    o.epochs = std::max(o.epochs, 0);
    o.chunk = std::max(o.chunk, 1);
    o.max_train = std::max(o.max_train, 2);
    o.min_train = std::max(o.min_train, 2);
    o.patience = std::max(o.patience, 0);
    o.holdout = std::isfinite(o.holdout) ? std::clamp(o.holdout, 0.0, 0.5) : 0.2;
    return o;
  }
  std::vector<double> WithMedian(std::span<const double> levels) {
    std::vector<double> l(levels.begin(), levels.end());
    if (std::find(l.begin(), l.end(), 0.5) == l.end()) l.push_back(0.5);
    std::sort(l.begin(), l.end());
    median_ = static_cast<std::size_t>(std::find(l.begin(), l.end(), 0.5) - l.begin());
    return l;
  }
  // The seasonal indices of `history` (phase 0 = its first sample), or none
  // when deseasonalising is off, the series is not seasonal by the M4 test,
  // or it has a value <= 0 (multiplicative indices need positive data).
  std::vector<double> Figure(std::span<const double> history) const {
    const int m = options_.season;
    if (!options_.deseasonalize || m <= 1) return {};
    if (std::any_of(history.begin(), history.end(), [](double v) { return !(v > 0.0); })) return {};
    if (!internal::SeasonalityTest(history, m, internal::SeasonalityRule::kM4)) return {};
    std::vector<double> figure = internal::ClassicalDecompose(history, m, true).figure;
    for (double v : figure) {
      if (!(v > 0.0 && std::isfinite(v))) return {};
    }
    return figure;
  }
  static std::vector<double> Adjusted(std::span<const double> y,
                                      const std::vector<double>& figure) {
    std::vector<double> out(y.begin(), y.end());
    for (std::size_t i = 0; !figure.empty() && i < out.size(); ++i)
      out[i] /= figure[i % figure.size()];
    return out;
  }
  // The seasonal index of step `s` ahead (1 without indices).
  static double Index(const State& state, int s) {
    if (state.figure.empty()) return 1.0;
    const std::size_t m = state.figure.size();
    return state.figure[(static_cast<std::size_t>(state.t) + static_cast<std::size_t>(s) - 1) % m];
  }
  // The unit of inputs and targets at the latest sample.
  double Unit(const State& s) const {
    if (!options_.local_level || s.t == 0) return s.scale;
    const long long n = std::min<long long>(s.t, static_cast<long long>(s.recent.size()));
    return std::max(std::max(s.recent_abs, 0.0) / static_cast<double>(n), 1e-6 * s.scale);
  }
  // Appends `y` to the ring of recent values and keeps their sum of |y| in
  // O(1), summed afresh once a lap so that rounding cannot pile up.
  static void Push(State& s, double y) {
    const std::size_t r = s.recent.size();
    const std::size_t i = static_cast<std::size_t>(s.t % static_cast<long long>(r));
    s.recent_abs += std::abs(y) - std::abs(s.recent[i]);
    s.recent[i] = y;
    s.t += 1;
    if (i + 1 == r) {
      s.recent_abs = 0.0;
      for (double v : s.recent) s.recent_abs += std::abs(v);
    }
  }
  std::size_t Ring() const { return static_cast<std::size_t>(std::max(options_.season, 2)); }

  State Cold() const {
    State s;
    const std::size_t n = static_cast<std::size_t>(options_.layers * options_.hidden);
    s.h.assign(n, 0.0);
    s.c.assign(n, 0.0);
    s.recent.assign(Ring(), 0.0);
    return s;
  }
  static double Scale(std::span<const double> y) {
    double s = 0.0;
    for (double v : y) s += std::abs(v);
    return y.empty() ? 0.0 : std::max(s / static_cast<double>(y.size()), 1e-6);
  }
  double Last(const State& s) const {
    if (s.t == 0) return 0.0;
    return s.recent[static_cast<std::size_t>((s.t - 1) % static_cast<long long>(s.recent.size()))];
  }
  // Value `back` samples before the latest (0 = latest), or the oldest seen.
  static double Back(const State& s, long long back) {
    back = std::min(back, s.t - 1);
    const long long r = static_cast<long long>(s.recent.size());
    return s.recent[static_cast<std::size_t>((s.t - 1 - std::min(back, r - 1)) % r)];
  }

  // Features of time t = state.t - 1 (the latest sample).
  void Features(const State& s, double* x) const {
    const double sc = Unit(s);
    const double y = Back(s, 0);
    x[0] = y / sc - 1.0;
    x[1] = (y - Back(s, 1)) / sc;
    const long long m = std::max(options_.season, 1);
    x[2] = m > 1 ? (Back(s, m - 1) - y) / sc : 0.0;
    const double phase = m > 1 ? 2 * std::numbers::pi * static_cast<double>(s.t % m) / static_cast<double>(m) : 0.0;
    for (int k = 0; k < 3; ++k) {
      x[3 + 2 * k] = m > 1 ? std::sin((k + 1) * phase) : 0.0;
      x[4 + 2 * k] = m > 1 ? std::cos((k + 1) * phase) : 0.0;
    }
  }

  internal::LstmSequence MakeSequence(std::span<const double> y) const {
    y = y.last(std::min<std::size_t>(y.size(), static_cast<std::size_t>(options_.max_train)));
    const int T = static_cast<int>(y.size());
    const int Q = static_cast<int>(levels_.size());
    internal::LstmSequence seq;
    seq.x.resize(kInputs, T);
    seq.y.setConstant(options_.horizon * Q, T, NAN);
    State s = Cold();
    s.scale = Scale(y);
    for (int t = 0; t < T; ++t) {
      Push(s, y[static_cast<std::size_t>(t)]);
      Features(s, seq.x.col(t).data());
      const double unit = Unit(s);
      for (int h = 1; h <= options_.horizon && t + h < T; ++h) {
        const double target =
            (y[static_cast<std::size_t>(t + h)] - y[static_cast<std::size_t>(t)]) / unit;
        for (int k = 0; k < Q; ++k) seq.y((h - 1) * Q + k, t) = target;
      }
    }
    return seq;
  }

  // Zeroes the median head of each step ahead whose held-out absolute error
  // exceeds the last value's (a target of 0); returns how many were.
  int MedianFallback(internal::LstmNetwork& net,
                     const std::vector<internal::LstmSequence>& held) const {
    const std::size_t Q = levels_.size();
    std::vector<double> net_loss(static_cast<std::size_t>(net.outputs()), 0.0),
        naive_loss = net_loss;
    for (const internal::LstmSequence& v : held) {
      internal::ForEachTarget(net, v, [&](int r, double target, double output) {
        if (static_cast<std::size_t>(r) % Q != median_) return;
        net_loss[static_cast<std::size_t>(r)] += std::abs(target - output);
        naive_loss[static_cast<std::size_t>(r)] += std::abs(target);
      });
    }
    internal::LstmNetwork::MapMat v = net.V();
    int zeroed = 0;
    for (int h = 0; h < options_.horizon; ++h) {
      const std::size_t r = static_cast<std::size_t>(h) * Q + median_;
      if (naive_loss[r] < net_loss[r]) {
        v.row(static_cast<Eigen::Index>(r)).setZero();
        ++zeroed;
      }
    }
    return zeroed;
  }

  // Masks the targets of `q` that reach its last `holdout` share of samples
  // (at least `horizon`) and returns a sequence holding only those: what
  // early stopping scores. A series too short to spare them, where the cut
  // would leave under half its samples before it, is not split: `q` keeps
  // every target and the sequence returned has none.
  internal::LstmSequence HoldOut(internal::LstmSequence& q) const {
    internal::LstmSequence held = q;
    const int T = static_cast<int>(q.x.cols()), Q = static_cast<int>(levels_.size());
    const int cut = T - std::max(options_.horizon, static_cast<int>(options_.holdout * T));
    const bool split = cut >= T / 2;
    for (int h = 1; h <= options_.horizon; ++h) {
      // Step h's targets at origins t >= cut - h reach past the cut.
      const int first = split ? std::clamp(cut - h, 0, T) : T;
      q.y.block((h - 1) * Q, first, Q, T - first).setConstant(NAN);
      held.y.block((h - 1) * Q, 0, Q, first).setConstant(NAN);
    }
    return held;
  }

  std::shared_ptr<const internal::LstmNetwork> Train(
      const std::vector<internal::LstmSequence>& seqs, double* loss_out, double* held_loss_out,
      int* epochs_out, int* fallback_out) const {
    auto net = std::make_shared<internal::LstmNetwork>(
        kInputs, options_.hidden, options_.layers,
        options_.horizon * static_cast<int>(levels_.size()), options_.seed);
    internal::AdamOptimizer adam(net->params().size(), options_.learning_rate, options_.clip);
    std::vector<double> grad(net->params().size(), 0.0);
    std::vector<std::size_t> order(seqs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    internal::SeededNormal rng(options_.seed ^ 0x9e3779b97f4a7c15ULL);
    // Early stopping: train on `fit` (each series' held-out targets masked)
    // and score `held` (those targets only) after every epoch.
    std::vector<internal::LstmSequence> fit, held;
    if (options_.patience > 0) {
      fit = seqs;
      for (internal::LstmSequence& q : fit) held.push_back(HoldOut(q));
    }
    const bool stop_early =
        std::any_of(held.begin(), held.end(),
                    [](const internal::LstmSequence& v) { return !v.y.array().isNaN().all(); });
    const std::vector<internal::LstmSequence>& train = stop_early ? fit : seqs;
    std::vector<double> best;
    double best_loss = INFINITY, best_train = NAN;
    int since_best = 0, best_epoch = 0;
    for (int e = 0; e < options_.epochs; ++e) {
      for (std::size_t i = order.size(); i > 1; --i) {  // Fisher-Yates, seeded
        std::swap(order[i - 1], order[static_cast<std::size_t>(rng.Uniform() * static_cast<double>(i))]);
      }
      double loss = 0.0, count = 0.0;
      for (std::size_t i : order) {
        internal::TrainSequence(*net, train[i], levels_, options_.chunk, grad, loss, count,
                                [&](const std::vector<double>& g) { adam.Step(net->params(), g); });
      }
      *loss_out = count > 0 ? loss / count : NAN;
      *epochs_out = e + 1;
      if (!stop_early) continue;
      double held_loss = 0.0, held_count = 0.0;
      for (const internal::LstmSequence& v : held) {
        internal::SequenceLoss(*net, v, levels_, held_loss, held_count);
      }
      const double mean = held_count > 0 ? held_loss / held_count : NAN;
      if (mean < best_loss) {
        best_loss = mean;
        best_train = *loss_out;
        best_epoch = e + 1;
        best = net->params();
        since_best = 0;
      } else if (++since_best >= options_.patience) {
        break;
      }
    }
    if (!best.empty()) {
      net->params() = std::move(best);
      *loss_out = best_train;
      *held_loss_out = best_loss;
      *epochs_out = best_epoch;
      if (options_.median_fallback) *fallback_out = MedianFallback(*net, held);
    }
    return net;
  }

  SmallLstmOptions options_;
  std::size_t median_ = 0;
  std::vector<double> levels_;
  std::shared_ptr<const internal::LstmNetwork> global_;
  double global_loss_ = NAN;
  double global_held_out_loss_ = NAN;
  int global_epochs_kept_ = 0;
  int global_naive_steps_ = 0;
};
static_assert(Forecaster<SmallLstm>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_LSTM_HPP_
