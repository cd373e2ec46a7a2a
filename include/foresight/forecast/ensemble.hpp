// -----------------------------------------------------------------------------
// File: ensemble.hpp
// -----------------------------------------------------------------------------
//
// `Ensemble` plays the Forecaster role by combining type-erased members
// (`AnyForecaster`, so members are chosen at run time) with weights from their
// recent out-of-sample accuracy:
//
//   w_i  ∝  1 / (err_i + eps)^power        over healthy members,
//
// where err_i is an exponentially weighted mean absolute error of member i's
// forecasts for steps 1..horizon, scored when each target arrives. Means are
// combined with these weights; quantiles with weights from the members'
// quantile scores (below), level by level (quantile averaging).
//
// Degradation: a member is unhealthy when its forecast is not finite or its
// short-run error (fast EWMA) exceeds `degrade_ratio` times its long-run error
// (which stays frozen while the member is degraded, so it recovers only when
// its errors come back to its normal level).
// Unhealthy members get weight 0; when no member is healthy the ensemble falls
// back to the last known-good member (the healthy member with the lowest
// long-run error the last time any was healthy).
//
// Fit fits every member on the history minus its last `validation` samples (or
// a whole `cycle`, below) and replays those out of sample, so weights are
// meaningful right after Fit. The members are then fitted again on the whole
// history, so that their forecasts are their own Fit's (a member that
// estimates parameters in Fit, as ETS does, would otherwise keep those of the
// shorter prefix); the errors and health scored in the replay are kept. Fit
// costs two fits of each member.
//
//   Ensemble ens({AnyForecaster(SeasonalNaive(24)), AnyForecaster(HoltWinters())});
//   auto state = ens.Fit(history);
//   Forecast f = ens.Predict(*state, 24);
//   std::vector<double> w = ens.Weights(*state);
//
// | type   | name          | description                                 | default |
// |--------|---------------|---------------------------------------------|---------|
// | int    | horizon       | steps scored per issued forecast            | 12      |
// | int    | validation    | history samples replayed out of sample      | 96      |
// | double | decay         | weight of a new error in the long-run EWMA  | 0.02    |
// | double | fast_decay    | weight of a new error in the short-run EWMA | 0.3     |
// | double | power         | weights ∝ error^-power                      | 2.0     |
// | double | degrade_ratio | short/long error ratio that marks degraded  | 4.0     |
// | int    | warmup        | scored targets before degradation is judged | 12      |
// | bool   | per_step      | weights per step ahead (see below)          | true    |
// | int    | cycle         | longest cycle a member models (0: none)     | 0       |
// | int    | quantile_stride | score quantiles every n-th update (0: off) | 1       |
//
// Per-step weights. A member can be the best one step ahead and the worst a
// day ahead (a seasonal naive on an hourly series is exact 24 steps ahead and
// poor one step ahead). With `per_step`, step h's weights use each member's
// long-run error at step h alone (`Weights(state, h)`); health, degradation
// and the fallback still use the error over all steps (`Weights(state)`).
// Steps past `horizon` take the last step's weights.
//
// Cycles. Members that model a long cycle (a week of hours) are right or wrong
// by the phase of that cycle: a daily model forecasts a weekend as well as a
// Tuesday until the weekend comes. Weights from the last 96 hours of weekdays
// then favour the daily members for a weekend. With `cycle` set, the long-run
// errors forget at most 1/cycle per step (`decay` caps it), so they average
// over about a whole cycle, and Fit replays a whole cycle instead of
// `validation` when the history holds one cycle more than that and every
// member's warm history (`WarmHistoryOf`) before it. The registry's ensembles
// set it to the double-seasonal member's longer period (7 seasons).
//
// Quantiles. A member can forecast the mean well and its spread absurdly: on
// spiky CPU, ETS(M,N,N) puts a 98 % bound at 16,000 cores over a demand of
// 0.25 (R's forecast::ets agrees), and averaging quantiles with the point
// weights passes that on. So every member's quantiles at
// kDefaultQuantileLevels are scored too (`quantile_stride` > 0): their mean
// pinball loss (about half a CRPS) is tracked as the absolute errors are, per
// step ahead and over all steps, for every member, since point health says
// nothing about intervals (at a level shift every member but the fast one
// degrades, and the fast one may be the one with the absurd intervals). Step
// h's quantile weights (`QuantileWeights`) are
//
//   wq_i  ∝  1 / (pinball_i(h) × widening_i(h))^power
//
// over the members whose quantiles at h are finite. widening_i(h) =
// max(1, spread now / usual spread) compares the member's quantiles now (their
// mean distance from its median) with the long-run mean of its scored ones
// for step h: a too-wide quantile's loss grows with its width, so a member
// that suddenly issues quantiles 1,000 times wider than usual is trusted 10^6
// times less before the first of them is scored. Until every such member has
// been scored at h, quantiles take the point weights. The mean and the
// quantiles are thus weighted differently, and right after a level shift the
// mean (from the member that follows it) can lie outside the quantiles (from
// the members whose quantiles have been right so far).
// Scoring costs every member's full Predict per scored update (the means
// need only PredictMean) and a second ledger of horizon² × (1 + 9 × members)
// doubles: 212 KB for five members at horizon 24. `quantile_stride` n scores
// one update in n. The forecasts a scoring update issues are kept in the
// state (`State::issued`, members × horizon × 10 doubles) and their means
// recorded from them, so an update and a Predict at `horizon` after it
// forecast each member once.
#ifndef FORESIGHT_FORECAST_ENSEMBLE_HPP_
#define FORESIGHT_FORECAST_ENSEMBLE_HPP_

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "foresight/forecast/backtest.hpp"
#include "foresight/forecast/forecaster.hpp"
#include "foresight/forecast/internal/any_forecaster.hpp"
#include "foresight/forecast/internal/forecast_ledger.hpp"
#include "foresight/forecast/internal/point_forecaster.hpp"

namespace foresight {

struct EnsembleOptions {
  int horizon = 12;
  int validation = 96;
  double decay = 0.02;
  double fast_decay = 0.3;
  double power = 2.0;
  double degrade_ratio = 4.0;
  int warmup = 12;
  bool per_step = true;
  int cycle = 0;
  int quantile_stride = 1;
};

class Ensemble {
 public:
  struct State {
    std::vector<AnyForecaster::State> members;
    internal::ForecastLedger ledger;  // issued mark + one mean per member
    std::vector<double> long_err;     // per member
    std::vector<double> short_err;    // per member
    std::vector<int> scored;          // per member
    std::vector<char> healthy;        // per member
    std::vector<double> step_err;     // member x horizon: long-run error per step ahead
    std::vector<int> step_scored;     // member x horizon
    // Quantile scores (`quantile_stride` > 0): the members' quantiles at
    // kDefaultQuantileLevels, and their mean pinball loss as the errors above.
    internal::ForecastLedger qledger;  // issued mark + member x level quantiles
    std::vector<double> q_long_err;    // per member
    std::vector<int> q_scored;         // per member
    std::vector<double> q_step_err;    // member x horizon
    std::vector<int> q_step_scored;    // member x horizon
    std::vector<double> q_spread;      // member x horizon: long-run spread of scored quantiles
    std::vector<int> q_spread_n;       // member x horizon
    // Per member, its Predict(horizon) now, kept from the update that scored
    // its quantiles (empty after one that did not): Predict at `horizon`
    // reuses them instead of forecasting again.
    std::vector<Forecast> issued;
    int last_good = 0;
    long long t = 0;
  };

  explicit Ensemble(std::vector<AnyForecaster> members, EnsembleOptions options = {})
      : members_(std::move(members)), options_(options) {
    options_.horizon = std::max(options_.horizon, 1);
    options_.validation = std::max(options_.validation, 0);
    options_.cycle = std::max(options_.cycle, 0);
    options_.quantile_stride = std::max(options_.quantile_stride, 0);
  }

  static std::string_view Name() { return "ensemble"; }
  const std::vector<AnyForecaster>& members() const { return members_; }
  const EnsembleOptions& options() const { return options_; }

  absl::StatusOr<State> Fit(std::span<const double> history) const {
    if (absl::Status s = internal::CheckFinite(history, Name()); !s.ok()) return s;
    if (members_.empty()) return absl::InvalidArgumentError("ensemble: no members");
    const std::size_t n = history.size();
    const std::size_t replay = Replayed(n);
    const std::size_t M = members_.size();
    State state;
    state.ledger = internal::ForecastLedger(options_.horizon, M + 1);  // [0]: issued mark
    state.qledger = QuantileLedger();
    state.long_err.assign(M, 0.0);
    state.short_err.assign(M, 0.0);
    state.scored.assign(M, 0);
    state.healthy.assign(M, 1);
    state.step_err.assign(M * static_cast<std::size_t>(options_.horizon), 0.0);
    state.step_scored.assign(M * static_cast<std::size_t>(options_.horizon), 0);
    state.q_long_err.assign(M, 0.0);
    state.q_scored.assign(M, 0);
    state.q_step_err.assign(M * static_cast<std::size_t>(options_.horizon), 0.0);
    state.q_step_scored.assign(M * static_cast<std::size_t>(options_.horizon), 0);
    state.q_spread.assign(M * static_cast<std::size_t>(options_.horizon), 0.0);
    state.q_spread_n.assign(M * static_cast<std::size_t>(options_.horizon), 0);
    state.t = static_cast<long long>(n - replay);
    for (const AnyForecaster& m : members_) {
      absl::StatusOr<AnyForecaster::State> s = m.Fit(history.first(n - replay));
      if (!s.ok()) return s.status();
      state.members.push_back(*std::move(s));
    }
    RecordForecasts(state);
    for (double y : history.last(replay)) Update(state, y);
    if (replay > 0) {
      for (std::size_t i = 0; i < M; ++i) {
        absl::StatusOr<AnyForecaster::State> full = members_[i].Fit(history);
        if (!full.ok()) return full.status();
        state.members[i] = *std::move(full);
      }
      // What is pending was forecast by the prefix models: forecast again.
      state.ledger = internal::ForecastLedger(options_.horizon, M + 1);
      state.qledger = QuantileLedger();
      RecordForecasts(state);
    }
    return state;
  }

  void Update(State& state, double y) const {
    if (!std::isfinite(y)) return;
    const std::size_t M = members_.size();
    std::vector<double> err_sum(M, 0.0);
    std::vector<int> err_n(M, 0);
    const std::size_t H = static_cast<std::size_t>(options_.horizon);
    state.ledger.Arrived(state.t, [&](int step, std::span<const double> entry) {
      const std::span<const double> means = entry.subspan(1);
      for (std::size_t i = 0; i < M; ++i) {
        const double e = std::isfinite(means[i]) ? std::abs(y - means[i]) : kHugeError;
        err_sum[i] += e;
        err_n[i] += 1;
        if (state.healthy[i]) {
          const std::size_t at = i * H + static_cast<std::size_t>(step - 1);
          const int n = ++state.step_scored[at];
          state.step_err[at] += std::max(LongDecay(), 1.0 / n) * (e - state.step_err[at]);
        }
      }
    });
    // The long-run error of a degraded member is frozen (so it cannot absorb
    // its own failure) unless every member is degraded (a common regime change).
    const bool any_healthy =
        std::find(state.healthy.begin(), state.healthy.end(), 1) != state.healthy.end();
    for (std::size_t i = 0; i < M; ++i) {
      if (err_n[i] == 0) continue;
      const double e = err_sum[i] / err_n[i];
      const int n = ++state.scored[i];
      if (state.healthy[i] || !any_healthy) {
        state.long_err[i] += std::max(LongDecay(), 1.0 / n) * (e - state.long_err[i]);
      }
      state.short_err[i] += std::max(options_.fast_decay, 1.0 / n) * (e - state.short_err[i]);
    }
    if (options_.quantile_stride > 0) ScoreQuantiles(state, y);
    for (std::size_t i = 0; i < M; ++i) members_[i].Update(state.members[i], y);
    state.t += 1;
    RecordForecasts(state);
  }

  Forecast Predict(const State& state, int horizon) const {
    const std::vector<double> w = Weights(state);
    const std::vector<double> ws = StepWeights(state, w, std::max(horizon, 0));
    const std::size_t M = members_.size();
    const bool scored = options_.quantile_stride > 0;
    // The members' forecasts: those the last update issued when it kept them
    // at this horizon (the same states, so the same numbers), else new ones.
    const bool reuse = horizon == options_.horizon && state.issued.size() == M;
    std::vector<Forecast> fresh(reuse ? 0 : M);
    std::vector<const Forecast*> forecasts(M, nullptr);
    for (std::size_t i = 0; i < M; ++i) {
      if (!(w[i] > 0.0 || scored)) continue;
      if (!reuse) fresh[i] = members_[i].Predict(state.members[i], horizon);
      forecasts[i] = reuse ? &state.issued[i] : &fresh[i];
    }
    int first = -1;  // the first weighted member: its levels and horizon
    double confidence = 0.0;
    for (std::size_t i = 0; i < M; ++i) {
      if (w[i] <= 0.0) continue;
      if (first < 0) first = static_cast<int>(i);
      confidence += w[i] * forecasts[i]->confidence();
    }
    if (first < 0) return Forecast(std::max(horizon, 0));
    const Forecast& lead = *forecasts[static_cast<std::size_t>(first)];
    Forecast out(lead.horizon(), lead.levels());
    std::vector<double> wq;
    for (int s = 1; s <= out.horizon(); ++s) {
      // The quantile weights, where every member with finite quantiles at s
      // has been scored (steps past `horizon` keep the last step's).
      if (scored && s <= options_.horizon) {
        wq = QuantileStepWeight(state, forecasts, s);
      }
      const std::span<const double> wp(ws.data() + static_cast<std::size_t>(s - 1) * M, M);
      const std::span<const double> wk = wq.empty() ? wp : std::span<const double>(wq);
      for (std::size_t i = 0; i < M; ++i) {
        if (w[i] > 0.0) out.mean(s) += wp[i] * forecasts[i]->mean(s);
      }
      for (std::size_t i = 0; i < M; ++i) {
        if (wk[i] <= 0.0) continue;
        for (std::size_t k = 0; k < out.num_levels(); ++k) {
          out.quantile(s, k) += wk[i] * forecasts[i]->Quantile(s, out.levels()[k]);
        }
      }
    }
    out.Normalize(/*floor_at_zero=*/false);
    out.set_confidence(confidence);
    return out;
  }

  // Predict's means alone (`MeanForecaster`): the members' means
  // (`PredictMeans`), weighted and summed in the same order as Predict.
  void PredictMean(const State& state, std::span<double> out) const {
    const std::vector<double> w = Weights(state);
    const std::vector<double> ws = StepWeights(state, w, static_cast<int>(out.size()));
    const std::size_t M = members_.size();
    std::fill(out.begin(), out.end(), 0.0);
    std::vector<double> member(out.size());
    for (std::size_t i = 0; i < M; ++i) {
      if (w[i] <= 0.0) continue;
      PredictMeans(members_[i], state.members[i], std::span<double>(member));
      for (std::size_t s = 0; s < out.size(); ++s) out[s] += ws[s * M + i] * member[s];
    }
  }

  // Current combination weights (sum 1); the fallback member gets 1 when no
  // member is healthy.
  std::vector<double> Weights(const State& state) const {
    const std::size_t M = members_.size();
    std::vector<double> w(M, 0.0);
    double total = 0.0;
    for (std::size_t i = 0; i < M; ++i) {
      if (!state.healthy[i]) continue;
      const double err = state.scored[i] > 0 ? state.long_err[i] : 1.0;
      w[i] = 1.0 / std::pow(err + 1e-9 * (1.0 + err), options_.power);
      total += w[i];
    }
    if (!(total > 0.0) || !std::isfinite(total)) {
      std::fill(w.begin(), w.end(), 0.0);
      w[static_cast<std::size_t>(state.last_good)] = 1.0;
      return w;
    }
    for (double& v : w) v /= total;
    return w;
  }

  // The weights of step `step` ahead (1-based; steps past `horizon` take the
  // last step's): as `Weights`, with each healthy member's error at that step
  // ahead instead of over all steps when `per_step` and the step has been
  // scored for every healthy member.
  std::vector<double> Weights(const State& state, int step) const {
    return StepWeight(state, Weights(state), step);
  }

  // The weights Predict gives the members' quantiles at step `step` ahead
  // (see "Quantiles" above); empty when a member with finite quantiles there
  // has not been scored yet, or `quantile_stride` is 0 (Predict then averages
  // the quantiles with `Weights(state, step)`).
  std::vector<double> QuantileWeights(const State& state, int step) const {
    if (options_.quantile_stride == 0) return {};
    std::vector<Forecast> forecasts(members_.size());
    std::vector<const Forecast*> pointers(members_.size());
    for (std::size_t i = 0; i < members_.size(); ++i) {
      forecasts[i] = members_[i].Predict(state.members[i], std::max(step, 1));
      pointers[i] = &forecasts[i];
    }
    return QuantileStepWeight(state, pointers, std::max(step, 1));
  }

  // The history Fit needs to score warm members over a whole replay
  // (`WarmStartForecaster`): the prefix `Replayed` asks for before a whole
  // cycle, plus the cycle, where `cycle` is longer than `validation`; else the
  // warmest member's warm history plus `validation`. 0 when no member declares
  // a warm history. `Conformal<Ensemble>` calibrates on no less.
  int WarmHistory() const {
    const int warm = MembersWarmHistory();
    if (warm == 0) return 0;
    if (options_.cycle > options_.validation) {
      return std::max(warm, options_.cycle) + options_.cycle;
    }
    return warm + options_.validation;
  }

  // Index of the member the ensemble falls back to.
  int LastKnownGood(const State& state) const { return state.last_good; }
  bool Healthy(const State& state, std::size_t member) const { return state.healthy[member] != 0; }

 private:
  // The samples Fit replays out of sample from a history of n: `validation`
  // (at most half the history), or a whole `cycle` where the history holds one
  // more cycle and every member's warm history before it.
  std::size_t Replayed(std::size_t n) const {
    const std::size_t validation =
        std::min<std::size_t>(static_cast<std::size_t>(options_.validation), n / 2);
    if (options_.cycle <= options_.validation) return validation;
    const std::size_t cycle = static_cast<std::size_t>(options_.cycle);
    const std::size_t prefix = std::max(cycle, static_cast<std::size_t>(MembersWarmHistory()));
    return n >= prefix + cycle ? cycle : validation;
  }

  // The warmest member's `WarmHistoryOf` (0 when none declares one).
  int MembersWarmHistory() const {
    int warm = 0;
    for (const AnyForecaster& m : members_) warm = std::max(warm, m.WarmHistory());
    return warm;
  }

  // The long-run errors' decay: at most 1 / cycle, so that they remember one.
  double LongDecay() const {
    return options_.cycle > 0 ? std::min(options_.decay, 1.0 / options_.cycle) : options_.decay;
  }

  // The quantile scores' decay: a scored origin stands for `quantile_stride`.
  double QuantileDecay() const { return std::min(1.0, LongDecay() * options_.quantile_stride); }

  // How wide quantiles `q` at kDefaultQuantileLevels are: their mean
  // distance from the median.
  static double Spread(std::span<const double> q) {
    double sum = 0.0;
    for (double v : q) sum += std::abs(v - q[kMedian]);
    return sum / static_cast<double>(kLevels);
  }
  // The same of forecast `f` at step `s` (NaN past its horizon).
  static double Spread(const Forecast& f, int s) {
    if (s > f.horizon()) return std::numeric_limits<double>::quiet_NaN();
    if (std::ranges::equal(f.levels(), kDefaultQuantileLevels)) return Spread(f.quantiles(s));
    std::array<double, kLevels> q;
    for (std::size_t k = 0; k < kLevels; ++k) q[k] = f.Quantile(s, kDefaultQuantileLevels[k]);
    return Spread(q);
  }

  // What a non-finite forecast scores.
  static constexpr double kHugeError = std::numeric_limits<double>::max() / 1e6;

  static constexpr std::size_t kLevels = kDefaultQuantileLevels.size();
  static constexpr std::size_t kMedian = 3;
  static_assert(kDefaultQuantileLevels[kMedian] == 0.5);

  // One entry per origin: the issued mark, then member i's quantile at level
  // k at i * kLevels + k.
  internal::ForecastLedger QuantileLedger() const {
    if (options_.quantile_stride == 0) return internal::ForecastLedger();
    return internal::ForecastLedger(options_.horizon, 1 + members_.size() * kLevels);
  }

  // Scores the quantiles issued for sample `state.t` against `y`, as Update
  // scores the means: each member's mean pinball loss over the levels, per
  // step ahead and over the steps arrived, healthy or not; and their spread,
  // per step ahead. A scored origin stands for `quantile_stride` of them, so
  // the decay is as many times larger.
  void ScoreQuantiles(State& state, double y) const {
    const std::size_t M = members_.size(), H = static_cast<std::size_t>(options_.horizon);
    const double decay = QuantileDecay();
    std::vector<double> sum(M, 0.0);
    std::vector<int> count(M, 0);
    state.qledger.Arrived(state.t, [&](int step, std::span<const double> entry) {
      for (std::size_t i = 0; i < M; ++i) {
        const std::span<const double> q = entry.subspan(1 + i * kLevels, kLevels);
        double loss = 0.0;
        for (std::size_t k = 0; k < kLevels; ++k) {
          loss +=
              std::isfinite(q[k]) ? PinballLoss(kDefaultQuantileLevels[k], y, q[k]) : kHugeError;
        }
        loss /= static_cast<double>(kLevels);
        sum[i] += loss;
        count[i] += 1;
        const std::size_t at = i * H + static_cast<std::size_t>(step - 1);
        const int n = ++state.q_step_scored[at];
        state.q_step_err[at] += std::max(decay, 1.0 / n) * (loss - state.q_step_err[at]);
        const double spread = Spread(q);
        if (std::isfinite(spread)) {
          const int m = ++state.q_spread_n[at];
          state.q_spread[at] += std::max(decay, 1.0 / m) * (spread - state.q_spread[at]);
        }
      }
    });
    for (std::size_t i = 0; i < M; ++i) {
      if (count[i] == 0) continue;
      const int n = ++state.q_scored[i];
      state.q_long_err[i] += std::max(decay, 1.0 / n) * (sum[i] / count[i] - state.q_long_err[i]);
    }
  }

  void RecordForecasts(State& state) const {
    const std::size_t M = members_.size();
    int best = -1;
    std::vector<double> means(static_cast<std::size_t>(options_.horizon));
    const bool quantiles = options_.quantile_stride > 0 && state.t % options_.quantile_stride == 0;
    state.issued.resize(quantiles ? M : 0);
    for (std::size_t i = 0; i < M; ++i) {
      if (quantiles) {
        Forecast f = members_[i].Predict(state.members[i], options_.horizon);
        for (int s = 1; s <= options_.horizon; ++s) {
          std::span<double> slot = state.qledger.Slot(state.t, s);
          slot[0] = 1.0;
          for (std::size_t k = 0; k < kLevels; ++k) {
            slot[1 + i * kLevels + k] = s <= f.horizon() ? f.Quantile(s, kDefaultQuantileLevels[k])
                                                         : std::numeric_limits<double>::quiet_NaN();
          }
        }
        // Its means are PredictMeans' (bit for bit: `MeanForecaster`).
        if (f.horizon() == options_.horizon) {
          std::copy(f.means().begin(), f.means().end(), means.begin());
        } else {
          PredictMeans(members_[i], state.members[i], std::span<double>(means));
        }
        state.issued[i] = std::move(f);
      } else {
        PredictMeans(members_[i], state.members[i], std::span<double>(means));
      }
      bool finite = true;
      for (int s = 1; s <= options_.horizon; ++s) {
        const double mean = means[static_cast<std::size_t>(s - 1)];
        std::span<double> slot = state.ledger.Slot(state.t, s);
        slot[0] = 1.0;
        slot[i + 1] = mean;
        finite = finite && std::isfinite(mean);
      }
      const bool judged = state.scored[i] >= options_.warmup;
      const bool degraded =
          judged && state.short_err[i] > options_.degrade_ratio * state.long_err[i] + 1e-12;
      state.healthy[i] = finite && !degraded;
      if (state.healthy[i] &&
          (best < 0 || state.long_err[i] < state.long_err[static_cast<std::size_t>(best)])) {
        best = static_cast<int>(i);
      }
    }
    if (best >= 0) state.last_good = best;
  }

  // `Weights(state, step)` from the pooled weights `pooled` (`Weights(state)`).
  std::vector<double> StepWeight(const State& state, const std::vector<double>& pooled,
                                 int step) const {
    const std::size_t M = members_.size(), H = static_cast<std::size_t>(options_.horizon);
    const std::size_t h = static_cast<std::size_t>(std::clamp(step, 1, options_.horizon) - 1);
    if (!options_.per_step) return pooled;
    std::vector<double> w = pooled;
    double total = 0.0;
    for (std::size_t i = 0; i < M; ++i) {
      if (w[i] <= 0.0) continue;  // unhealthy (or not the fallback): stays out
      if (state.step_scored[i * H + h] == 0) return pooled;
      const double err = state.step_err[i * H + h];
      w[i] = 1.0 / std::pow(err + 1e-9 * (1.0 + err), options_.power);
      total += w[i];
    }
    if (!(total > 0.0) || !std::isfinite(total)) return pooled;
    for (double& v : w) v /= total;
    return w;
  }

  // `QuantileWeights(state, step)` from the members' forecasts now
  // (`forecasts`, steps 1..step or more): over the members whose quantiles
  // at `step` are finite, ∝ 1 / (pinball loss × widening)^power, with the
  // loss at that step ahead (`per_step`; steps past `horizon` take the last
  // step's) or over all steps. Empty when one of them is not scored yet.
  std::vector<double> QuantileStepWeight(const State& state,
                                         std::span<const Forecast* const> forecasts,
                                         int step) const {
    const std::size_t M = members_.size(), H = static_cast<std::size_t>(options_.horizon);
    const int clamped = std::clamp(step, 1, options_.horizon);
    const std::size_t h = static_cast<std::size_t>(clamped - 1);
    std::vector<double> w(M, 0.0);
    double total = 0.0;
    for (std::size_t i = 0; i < M; ++i) {
      const double now = Spread(*forecasts[i], clamped);
      if (!std::isfinite(now)) continue;
      const std::size_t at = i * H + h;
      const bool per_step = options_.per_step;
      if ((per_step ? state.q_step_scored[at] : state.q_scored[i]) == 0) {
        w.clear();
        return w;
      }
      const double loss = per_step ? state.q_step_err[at] : state.q_long_err[i];
      // A member whose quantiles are wider now than it usually issues them
      // expects a loss that much larger (a too-wide quantile's loss grows
      // with its width); one narrower than usual is not trusted for it.
      const double usual = state.q_spread[at];
      const double widening =
          state.q_spread_n[at] > 0 && usual > 0.0 ? std::max(1.0, now / usual) : 1.0;
      const double e = loss * widening;
      w[i] = 1.0 / std::pow(e + 1e-9 * (1.0 + e), options_.power);
      total += w[i];
    }
    if (!(total > 0.0) || !std::isfinite(total)) w.clear();
    for (double& v : w) v /= total;
    return w;
  }

  // Steps 1..horizon's weights, step-major (step s, member i at (s-1) * M + i),
  // from the pooled weights `pooled` (`Weights(state)`); steps past
  // `options.horizon` repeat its last step's.
  std::vector<double> StepWeights(const State& state, const std::vector<double>& pooled,
                                  int horizon) const {
    const std::size_t M = members_.size();
    std::vector<double> out(static_cast<std::size_t>(horizon) * M);
    std::vector<double> w;
    for (int s = 1; s <= horizon; ++s) {
      if (s <= options_.horizon) w = StepWeight(state, pooled, s);
      std::copy(w.begin(), w.end(), out.begin() + static_cast<std::ptrdiff_t>((s - 1) * M));
    }
    return out;
  }

  std::vector<AnyForecaster> members_;
  EnsembleOptions options_;
};
static_assert(Forecaster<Ensemble>);

}  // namespace foresight

#endif  // FORESIGHT_FORECAST_ENSEMBLE_HPP_
