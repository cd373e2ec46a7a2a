#include "foresight/forecast/ensemble.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "foresight/forecast/ets.hpp"
#include "foresight/forecast/ewma.hpp"
#include "foresight/forecast/holt_winters.hpp"
#include "foresight/forecast/internal/synthetic.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/multi_seasonal.hpp"
#include "foresight/forecast/seasonal_naive.hpp"

namespace foresight {
namespace {

// Forecasts like SeasonalNaive until it has seen `break_at` samples, then
// forecasts garbage (`garbage`, possibly NaN).
class Saboteur {
 public:
  struct State {
    SeasonalNaive::State inner;
    long long t = 0;
  };
  Saboteur(long long break_at, double garbage) : break_at_(break_at), garbage_(garbage) {}
  static std::string_view Name() { return "saboteur"; }
  absl::StatusOr<State> Fit(std::span<const double> h) const {
    auto s = inner_.Fit(h);
    if (!s.ok()) return s.status();
    return State{*s, static_cast<long long>(h.size())};
  }
  void Update(State& s, double y) const {
    inner_.Update(s.inner, y);
    ++s.t;
  }
  Forecast Predict(const State& s, int h) const {
    Forecast f = inner_.Predict(s.inner, h);
    if (s.t >= break_at_) {
      for (int i = 1; i <= h; ++i) {
        f.mean(i) = garbage_;
        for (double& q : f.quantiles(i)) q = garbage_;
      }
    }
    return f;
  }

 private:
  SeasonalNaive inner_{24};
  long long break_at_;
  double garbage_;
};
static_assert(Forecaster<Saboteur>);

// Forecasts as `inner`, with every quantile's distance from the mean
// multiplied by `factor` once it has seen `from` samples.
template <typename F>
class Widened {
 public:
  struct State {
    typename F::State inner;
    long long t = 0;
  };
  Widened(F inner, double factor, long long from = 0)
      : inner_(std::move(inner)), factor_(factor), from_(from) {}
  static std::string_view Name() { return "widened"; }
  absl::StatusOr<State> Fit(std::span<const double> h) const {
    auto s = inner_.Fit(h);
    if (!s.ok()) return s.status();
    return State{*std::move(s), static_cast<long long>(h.size())};
  }
  void Update(State& s, double y) const {
    inner_.Update(s.inner, y);
    ++s.t;
  }
  Forecast Predict(const State& s, int h) const {
    Forecast f = inner_.Predict(s.inner, h);
    if (s.t < from_) return f;
    for (int i = 1; i <= f.horizon(); ++i) {
      for (double& q : f.quantiles(i)) q = f.mean(i) + factor_ * (q - f.mean(i));
    }
    return f;
  }

 private:
  F inner_;
  double factor_;
  long long from_;
};
static_assert(Forecaster<Widened<SeasonalNaive>>);

double Width(const Forecast& f, int h) { return f.Quantile(h, 0.95) - f.Quantile(h, 0.05); }

TEST_CASE("Ensemble weights favour the member with the lower out-of-sample error") {
  const auto y = internal::SyntheticSeries({.n = 1500, .season1 = 24, .amp1 = 30, .noise = 2});
  Ensemble ens({AnyForecaster(LastValue()), AnyForecaster(SeasonalNaive(24)),
                AnyForecaster(HoltWinters({.season = 24}))});
  auto state = ens.Fit(y);
  REQUIRE(state.ok());
  const auto w = ens.Weights(*state);
  CHECK(w[0] + w[1] + w[2] == doctest::Approx(1.0));
  CHECK(w[0] < 0.05);  // naive ignores a strong season
  CHECK(w[2] > w[0]);
  const Forecast f = ens.Predict(*state, 24);
  // The combination is at least close to the best member on held-out data.
  const auto test = internal::SyntheticSeries({.n = 1524, .season1 = 24, .amp1 = 30, .noise = 2});
  double err = 0, err_naive = 0;
  for (int h = 1; h <= 24; ++h) {
    err += std::abs(f.mean(h) - test[1500 + static_cast<std::size_t>(h) - 1]);
    err_naive += std::abs(y.back() - test[1500 + static_cast<std::size_t>(h) - 1]);
  }
  CHECK(err < 0.5 * err_naive);
  for (int h = 1; h <= 24; ++h) CHECK(f.Quantile(h, 0.1) <= f.Quantile(h, 0.9));
}

TEST_CASE("Ensemble weighs each step ahead by the members' errors at that step") {
  // On 0, 10, 0, 10, ... the last value misses by 10 one step ahead and is
  // exact two steps ahead; a slow EWMA sits near 5 and misses by about 5 at
  // both. One set of weights for every step would mix them the same way.
  std::vector<double> y;
  for (int t = 0; t < 400; ++t) y.push_back(t % 2 == 0 ? 0.0 : 10.0);
  Ensemble ens({AnyForecaster(LastValue()), AnyForecaster(Ewma(0.05))},
               {.horizon = 2, .validation = 100});
  auto state = ens.Fit(y);
  REQUIRE(state.ok());
  const std::vector<double> step1 = ens.Weights(*state, 1), step2 = ens.Weights(*state, 2);
  MESSAGE("step 1 weights ", step1[0], " ", step1[1], ", step 2 ", step2[0], " ", step2[1]);
  CHECK(step1[0] + step1[1] == doctest::Approx(1.0));
  CHECK(step1[1] > 0.7);   // the EWMA one step ahead
  CHECK(step2[0] > 0.99);  // the last value two steps ahead
  CHECK(ens.Weights(*state, 5) == step2);  // past the horizon: the last step's
  // The next value is 0 (y ends on 10): one step ahead the mix leans on the
  // EWMA (about 5) rather than the last value (10); two steps ahead, 10.
  const Forecast f = ens.Predict(*state, 2);
  CHECK(f.mean(1) < 7.0);
  CHECK(f.mean(2) == doctest::Approx(10.0).epsilon(0.01).scale(0));
  std::vector<double> means(2);  // steps 1 and 2
  ens.PredictMean(*state, means);
  CHECK(means[0] == f.mean(1));
  CHECK(means[1] == f.mean(2));
  // Without per-step weights both steps mix the members the same way.
  Ensemble pooled({AnyForecaster(LastValue()), AnyForecaster(Ewma(0.05))},
                  {.horizon = 2, .validation = 100, .per_step = false});
  auto ps = pooled.Fit(y);
  REQUIRE(ps.ok());
  CHECK(pooled.Weights(*ps, 1) == pooled.Weights(*ps, 2));
  CHECK(std::abs(pooled.Predict(*ps, 2).mean(2) - 10.0) > 1.0);
}

TEST_CASE("Ensemble's members forecast from their fit on the whole history") {
  // ETS estimates its parameters in Fit. Before session 22 the members kept
  // the fit of the history minus the validation replay, so a one-member
  // ensemble forecast differently from its member.
  const auto y =
      internal::SyntheticSeries({.n = 120, .season1 = 12, .amp1 = 20, .noise = 3, .seed = 4});
  const Ets ets({.season = 12});
  Ensemble ens({AnyForecaster(ets)}, {.horizon = 6, .validation = 48});
  auto state = ens.Fit(y);
  REQUIRE(state.ok());
  auto own = ets.Fit(y);
  REQUIRE(own.ok());
  const Forecast a = ens.Predict(*state, 6), b = ets.Predict(*own, 6);
  for (int h = 1; h <= 6; ++h) CHECK(a.mean(h) == doctest::Approx(b.mean(h)).epsilon(1e-12));
}

TEST_CASE("Ensemble with a cycle scores a whole cycle in Fit and remembers it") {
  // A random walk: the last value's one-step error at t is |y[t] - y[t-1]|.
  const auto walk = internal::SyntheticSeries({.n = 600, .season1 = 1, .noise = 3, .ar = 1.0});
  auto mean_step = [&](std::size_t n, std::size_t last) {
    double sum = 0.0;
    for (std::size_t t = n - last; t < n; ++t) sum += std::abs(walk[t] - walk[t - 1]);
    return sum / static_cast<double>(last);
  };
  const std::span<const double> y(walk);
  const Ensemble ens({AnyForecaster(LastValue())}, {.horizon = 1, .validation = 48, .cycle = 168});
  // 400 samples hold the cycle and a cycle before it: all 168 are scored, and
  // the long-run error is their plain mean (decay 0.02 would have forgotten
  // most of the first 118 by the end).
  auto s = ens.Fit(y.first(400));
  REQUIRE(s.ok());
  CHECK(s->scored[0] == 168);
  CHECK(s->long_err[0] == doctest::Approx(mean_step(400, 168)).epsilon(1e-12));
  CHECK(s->step_err[0] == doctest::Approx(mean_step(400, 168)).epsilon(1e-12));
  // 335 do not: `validation` is replayed.
  s = ens.Fit(y.first(335));
  REQUIRE(s.ok());
  CHECK(s->scored[0] == 48);
  // Nor does a history shorter than a member's warm history plus the cycle
  // (MultiSeasonal's is two of its longer cycles: 336).
  const Ensemble weekly(
      {AnyForecaster(LastValue()), AnyForecaster(MultiSeasonal({.season1 = 24, .season2 = 168}))},
      {.horizon = 1, .validation = 48, .cycle = 168});
  s = weekly.Fit(y.first(503));
  REQUIRE(s.ok());
  CHECK(s->scored[0] == 48);
  s = weekly.Fit(y.first(504));
  REQUIRE(s.ok());
  CHECK(s->scored[0] == 168);
  // What Fit needs for that is the ensemble's warm history, which
  // Conformal<Ensemble> keeps before calibrating: the warmest member's plus
  // the cycle (or `validation`, the longer); none when no member needs one.
  CHECK(weekly.WarmHistory() == 336 + 168);
  CHECK(AnyForecaster(weekly).WarmHistory() == 504);
  CHECK(
      Ensemble({AnyForecaster(MultiSeasonal({.season1 = 24, .season2 = 168}))}, {.validation = 48})
          .WarmHistory() == 336 + 48);
  CHECK(ens.WarmHistory() == 0);
  // A member warm within a cycle: Fit still wants a cycle before the one it
  // replays, and the declared warm history says so.
  const Ensemble daily({AnyForecaster(SeasonalNaive(24))},
                       {.horizon = 1, .validation = 48, .cycle = 168});
  CHECK(daily.WarmHistory() == 168 + 168);
  s = daily.Fit(y.first(336));
  REQUIRE(s.ok());
  CHECK(s->scored[0] == 168);
  // Without a cycle, 48 are scored whatever the history.
  const Ensemble plain({AnyForecaster(LastValue())}, {.horizon = 1, .validation = 48});
  s = plain.Fit(y.first(600));
  REQUIRE(s.ok());
  CHECK(s->scored[0] == 48);
  CHECK(s->long_err[0] == doctest::Approx(mean_step(600, 48)).epsilon(1e-12));
}

TEST_CASE("Ensemble drops a degrading member and falls back to the last known-good") {
  const auto y = internal::SyntheticSeries({.n = 800, .season1 = 24, .amp1 = 30, .noise = 2});
  SUBCASE("garbage values") {
    Ensemble ens({AnyForecaster(Saboteur(600, 1e4)), AnyForecaster(LastValue())},
                 {.horizon = 6, .validation = 96});
    auto state = ens.Fit(std::span(y).first(500));
    REQUIRE(state.ok());
    CHECK(ens.Weights(*state)[0] > 0.9);  // seasonal member dominates at first
    for (std::size_t i = 500; i < 620; ++i) ens.Update(*state, y[i]);
    CHECK_FALSE(ens.Healthy(*state, 0));
    CHECK(ens.Weights(*state)[0] == 0.0);
    CHECK(std::abs(ens.Predict(*state, 1).mean(1) - y[619]) < 1e-9);  // naive only
  }
  SUBCASE("NaN forecasts, no healthy member left -> last known-good") {
    Ensemble ens({AnyForecaster(SeasonalNaive(24)), AnyForecaster(Saboteur(600, NAN))},
                 {.horizon = 6, .validation = 96});
    auto state = ens.Fit(std::span(y).first(500));
    REQUIRE(state.ok());
    for (std::size_t i = 500; i < 620; ++i) ens.Update(*state, y[i]);
    CHECK(ens.Healthy(*state, 0));
    CHECK_FALSE(ens.Healthy(*state, 1));
    const Forecast f = ens.Predict(*state, 6);
    for (int h = 1; h <= 6; ++h) CHECK(std::isfinite(f.mean(h)));
  }
  SUBCASE("all members degrade: the best recent one is used alone") {
    Ensemble ens({AnyForecaster(Saboteur(600, 1e4)), AnyForecaster(Saboteur(600, NAN))},
                 {.horizon = 6, .validation = 96});
    auto state = ens.Fit(std::span(y).first(500));
    REQUIRE(state.ok());
    for (std::size_t i = 500; i < 640; ++i) ens.Update(*state, y[i]);
    const auto w = ens.Weights(*state);
    CHECK(w[static_cast<std::size_t>(ens.LastKnownGood(*state))] == 1.0);
    CHECK(std::isfinite(ens.Predict(*state, 3).mean(3)));
  }
}

TEST_CASE("Ensemble weighs quantiles by the members' pinball loss, not their point error") {
  const auto y = internal::SyntheticSeries({.n = 800, .season1 = 24, .amp1 = 30, .noise = 2});
  // Same means, one with quantiles 30 times too far from them.
  const std::vector<AnyForecaster> members = {
      AnyForecaster(SeasonalNaive(24)), AnyForecaster(Widened(SeasonalNaive(24), 30.0))};
  const Ensemble ens(members, {.horizon = 6, .validation = 96});
  const Ensemble plain(members, {.horizon = 6, .validation = 96, .quantile_stride = 0});
  auto s = ens.Fit(y);
  auto p = plain.Fit(y);
  REQUIRE(s.ok());
  REQUIRE(p.ok());
  CHECK(ens.Weights(*s)[0] == doctest::Approx(0.5));  // the means cannot tell them apart
  const std::vector<double> wq = ens.QuantileWeights(*s, 6);
  REQUIRE(wq.size() == 2);
  CHECK(wq[1] < 0.01);
  CHECK(plain.QuantileWeights(*p, 6).empty());
  const double narrow = Width(members[0].Predict(s->members[0], 6), 6);
  const Forecast f = ens.Predict(*s, 6);
  CHECK(Width(f, 6) < 1.5 * narrow);
  CHECK(Width(plain.Predict(*p, 6), 6) > 10 * narrow);
  for (int h = 1; h <= 6; ++h) CHECK(f.mean(h) == doctest::Approx(plain.Predict(*p, 6).mean(h)));
}

TEST_CASE("Ensemble with a quantile stride scores one update in n, and weighs the same way") {
  const auto y = internal::SyntheticSeries({.n = 800, .season1 = 24, .amp1 = 30, .noise = 2});
  const std::vector<AnyForecaster> members = {
      AnyForecaster(SeasonalNaive(24)), AnyForecaster(Widened(SeasonalNaive(24), 30.0))};
  const Ensemble every(members, {.horizon = 6, .validation = 96});
  const Ensemble third(members, {.horizon = 6, .validation = 96, .quantile_stride = 3});
  auto a = every.Fit(y);
  auto b = third.Fit(y);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  // Replaying samples 704..799: step 6's forecasts from origins 704..794
  // arrived (91); with a stride of 3 only those from origins 705, 708, ..., 792.
  CHECK(a->q_step_scored[5] == 91);
  CHECK(b->q_step_scored[5] == 30);
  CHECK(third.QuantileWeights(*b, 6)[1] < 0.01);
  const double narrow = Width(members[0].Predict(b->members[0], 6), 6);
  CHECK(Width(third.Predict(*b, 6), 6) < 1.5 * narrow);
}

TEST_CASE("Ensemble distrusts a member's quantiles as soon as they widen") {
  const auto y = internal::SyntheticSeries({.n = 800, .season1 = 24, .amp1 = 30, .noise = 2});
  // Identical members until the second has seen 700 samples; its quantiles
  // are then 1,000 times as far from its mean, before any of them is scored.
  const Ensemble ens({AnyForecaster(SeasonalNaive(24)),
                      AnyForecaster(Widened(SeasonalNaive(24), 1000.0, 700))},
                     {.horizon = 6, .validation = 96});
  auto s = ens.Fit(std::span(y).first(600));
  REQUIRE(s.ok());
  for (std::size_t i = 600; i < 699; ++i) ens.Update(*s, y[i]);
  CHECK(ens.QuantileWeights(*s, 3)[1] == doctest::Approx(0.5));
  ens.Update(*s, y[699]);
  const double narrow = Width(ens.members()[0].Predict(s->members[0], 3), 3);
  CHECK(ens.QuantileWeights(*s, 3)[1] < 1e-5);
  CHECK(Width(ens.Predict(*s, 3), 3) < 1.01 * narrow);
}

TEST_CASE("Ensemble's quantile weights do not follow the point health") {
  // A level shift of +300: the seasonal naive's errors jump for a day and it
  // degrades; the last value (whose quantiles are 1,000 times too far from
  // its mean) follows the shift and stays the only healthy member. The
  // seasonal naive's quantiles have scored far better, and they still carry
  // the quantiles.
  auto y = internal::SyntheticSeries({.n = 800, .season1 = 24, .amp1 = 30, .noise = 2});
  for (std::size_t i = 650; i < y.size(); ++i) y[i] += 300.0;
  const Ensemble ens({AnyForecaster(SeasonalNaive(24)), AnyForecaster(Widened(LastValue(), 1000.0))},
                     {.horizon = 6, .validation = 96});
  auto s = ens.Fit(std::span(y).first(600));
  REQUIRE(s.ok());
  int alone = 0;
  for (std::size_t i = 600; i < 680; ++i) {
    ens.Update(*s, y[i]);
    if (ens.Healthy(*s, 0) || !ens.Healthy(*s, 1)) continue;
    ++alone;
    CHECK(ens.Weights(*s, 1)[1] == 1.0);
    CHECK(ens.QuantileWeights(*s, 1)[0] > 0.9);
    const double wide = Width(ens.members()[1].Predict(s->members[1], 1), 1);
    CHECK(Width(ens.Predict(*s, 1), 1) < 0.2 * wide);
  }
  CHECK(alone > 0);
}

TEST_CASE("Ensemble's reused member forecasts equal new ones bit for bit") {
  // Predict at `horizon` reuses the forecasts the last scoring update issued
  // (State::issued); a state without them forecasts every member again.
  // ETS has no PredictMean: its means come from the kept forecast too.
  auto y = internal::SyntheticSeries({.n = 500, .season1 = 24, .amp1 = 30, .noise = 2});
  for (std::size_t i = 430; i < y.size(); ++i) y[i] += 80.0;  // members degrade
  EtsOptions ets;
  ets.season = 24;
  const std::vector<AnyForecaster> members = {AnyForecaster(SeasonalNaive(24)),
                                              AnyForecaster(HoltWinters({.season = 24})),
                                              AnyForecaster(Ets(ets))};
  for (int stride : {1, 3}) {
    CAPTURE(stride);
    const Ensemble ens(members, {.horizon = 6, .validation = 48, .quantile_stride = stride});
    auto s = ens.Fit(std::span(y).first(400));
    REQUIRE(s.ok());
    int reused = 0;
    for (std::size_t i = 400; i < y.size(); ++i) {
      ens.Update(*s, y[i]);
      Ensemble::State bare = *s;
      bare.issued.clear();
      reused += s->issued.empty() ? 0 : 1;
      const Forecast a = ens.Predict(*s, 6), b = ens.Predict(bare, 6);
      for (int h = 1; h <= 6; ++h) {
        REQUIRE(a.mean(h) == b.mean(h));
        for (std::size_t k = 0; k < a.num_levels(); ++k)
          REQUIRE(a.quantile(h, k) == b.quantile(h, k));
      }
      // The kept forecasts are the members' own now.
      for (std::size_t m = 0; m < s->issued.size(); ++m) {
        const Forecast own = members[m].Predict(s->members[m], 6);
        for (int h = 1; h <= 6; ++h) REQUIRE(s->issued[m].quantile(h, 1) == own.quantile(h, 1));
      }
    }
    // Updates to 401..500; a stride of 3 scores (and keeps) at 402, 405, ..., 498.
    CHECK(reused == (stride == 1 ? 100 : 33));
  }
}

TEST_CASE("Ensemble rejects bad input and empty member lists") {
  Ensemble empty({});
  CHECK_FALSE(empty.Fit(std::vector<double>{1, 2, 3}).ok());
  Ensemble ens({AnyForecaster(LastValue())});
  CHECK_FALSE(ens.Fit(std::vector<double>{1, NAN}).ok());
  auto cold = ens.Fit({});
  REQUIRE(cold.ok());
  CHECK(ens.Predict(*cold, 2).horizon() == 2);
}

}  // namespace
}  // namespace foresight
