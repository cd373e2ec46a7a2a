#include "foresight/forecast/lstm.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

#include "foresight/forecast/internal/synthetic.hpp"

namespace foresight {
namespace {

constexpr SmallLstmOptions kTiny{.hidden = 8, .horizon = 6, .season = 24, .epochs = 12, .chunk = 24,
                                 .learning_rate = 0.01, .min_train = 48};

TEST_CASE("LSTM backpropagation matches numerical gradients (1 and 2 layers)") {
  for (int layers : {1, 2}) {
    internal::LstmNetwork net(3, 4, layers, 2, /*seed=*/layers);
    internal::SeededNormal rng(9);
    internal::LstmSequence seq;
    seq.x.resize(3, 7);
    seq.y.resize(2, 7);
    for (int t = 0; t < 7; ++t) {
      for (int i = 0; i < 3; ++i) seq.x(i, t) = rng();
      seq.y(0, t) = rng();
      seq.y(1, t) = t == 6 ? NAN : rng();  // masked target
    }
    const std::vector<double> taus = {0.2, 0.7};
    std::vector<double> grad(net.params().size()), analytic;
    auto loss = [&]() {
      double sum = 0, count = 0;
      std::vector<double> g(net.params().size());
      internal::TrainSequence(net, seq, taus, /*chunk=*/7, g, sum, count,
                              [&](const std::vector<double>& gg) { analytic = gg; });
      return sum / count;
    };
    loss();
    const std::vector<double> a = analytic;
    int checked = 0;
    for (std::size_t p = 0; p < net.params().size(); p += 3) {
      const double orig = net.params()[p];
      net.params()[p] = orig + 1e-6;
      const double up = loss();
      net.params()[p] = orig - 1e-6;
      const double down = loss();
      net.params()[p] = orig;
      const double numeric = (up - down) / 2e-6;
      CHECK(a[p] == doctest::Approx(numeric).epsilon(1e-4).scale(1e-3));
      ++checked;
    }
    CHECK(checked > 20);
  }
}

TEST_CASE("SmallLstm is deterministic under its seed and learns a seasonal series") {
  const auto y = internal::SyntheticSeries({.n = 24 * 20 + 6, .season1 = 24, .amp1 = 30, .noise = 2});
  const std::span<const double> train = std::span(y).first(y.size() - 6);
  SmallLstm lstm(kTiny);
  auto a = lstm.Fit(train);
  auto b = lstm.Fit(train);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const Forecast fa = lstm.Predict(*a, 6), fb = lstm.Predict(*b, 6);
  for (int h = 1; h <= 6; ++h) CHECK(fa.mean(h) == fb.mean(h));
  SmallLstmOptions other = kTiny;
  other.seed = 7;
  auto c = SmallLstm(other).Fit(train);
  REQUIRE(c.ok());
  CHECK(SmallLstm(other).Predict(*c, 6).mean(3) != fa.mean(3));

  // Training lowers the pinball loss, and the forecast beats the last value.
  SmallLstmOptions short_run = kTiny;
  short_run.epochs = 1;
  auto s1 = SmallLstm(short_run).Fit(train);
  REQUIRE(s1.ok());
  CHECK(a->training_loss < 0.7 * s1->training_loss);
  double err = 0, err_naive = 0;
  for (int h = 1; h <= 6; ++h) {
    const double truth = y[y.size() - 6 + static_cast<std::size_t>(h) - 1];
    err += std::abs(fa.mean(h) - truth);
    err_naive += std::abs(train.back() - truth);
  }
  INFO("lstm " << err << " naive " << err_naive);
  CHECK(err < err_naive);
  for (int h = 1; h <= 10; ++h) CHECK(fa.horizon() == 6);
  const Forecast longer = lstm.Predict(*a, 12);
  for (int h = 1; h <= 12; ++h) CHECK(longer.Quantile(h, 0.05) <= longer.Quantile(h, 0.95));
}

TEST_CASE("SmallLstm global model serves many series without retraining") {
  std::vector<std::vector<double>> series;
  for (int i = 0; i < 4; ++i) {
    series.push_back(internal::SyntheticSeries({.n = 300, .level = 50.0 * (i + 1), .season1 = 24,
                                                .amp1 = 10.0 * (i + 1), .noise = 1,
                                                .seed = static_cast<std::uint64_t>(i)}));
  }
  std::vector<std::span<const double>> spans(series.begin(), series.end());
  SmallLstmOptions o = kTiny;
  o.epochs = 4;
  auto global = SmallLstm::TrainGlobal(o, spans);
  REQUIRE(global.ok());
  CHECK(global->global());
  const auto fresh = internal::SyntheticSeries({.n = 200, .level = 500, .amp1 = 100, .seed = 99});
  auto s = global->Fit(fresh);
  REQUIRE(s.ok());
  auto s2 = global->Fit(series[0]);
  REQUIRE(s2.ok());
  CHECK(s->net == s2->net);  // shared, not retrained
  const Forecast f = global->Predict(*s, 6);
  for (int h = 1; h <= 6; ++h) {
    CHECK(std::isfinite(f.mean(h)));
    CHECK(f.mean(h) > 250);  // normalised: on the new series' own scale
  }
  std::vector<std::span<const double>> none = {std::span<const double>(series[0]).first(10)};
  CHECK_FALSE(SmallLstm::TrainGlobal(o, none).ok());
}

TEST_CASE("SmallLstm contract: NaN rejected, cold state predicts, Update steps") {
  SmallLstm lstm(kTiny);
  CHECK_FALSE(lstm.Fit(std::vector<double>{1, NAN}).ok());
  auto cold = lstm.Fit({});
  REQUIRE(cold.ok());
  CHECK(lstm.Predict(*cold, 3).mean(3) == 0.0);
  lstm.Update(*cold, 5.0);
  CHECK(lstm.Predict(*cold, 2).mean(1) == 5.0);  // untrained: naive
}

// y_t = (100 + 0.5 t)(1 + 0.3 sin(2 pi t / 12)) (1 + 0.02 e_t): trend and
// multiplicative seasonality, as the Debian monthly series.
std::vector<double> MultiplicativeSeasonal(int n, std::uint64_t seed) {
  internal::SeededNormal rng(seed);
  std::vector<double> y;
  for (int t = 0; t < n; ++t) {
    const double index = 1.0 + 0.3 * std::sin(2 * std::numbers::pi * t / 12.0);
    y.push_back((100.0 + 0.5 * t) * index * (1.0 + 0.02 * rng()));
  }
  return y;
}

TEST_CASE("SmallLstm divides out the seasonal indices of a positive seasonal series") {
  const std::vector<double> y = MultiplicativeSeasonal(132, 3);
  const std::span<const double> train = std::span(y).first(120);
  const SmallLstmOptions o{.hidden = 8,
                           .horizon = 12,
                           .season = 12,
                           .epochs = 30,
                           .learning_rate = 0.01,
                           .min_train = 48};
  auto s = SmallLstm(o).Fit(train);
  REQUIRE(s.ok());
  REQUIRE(s->figure.size() == 12);
  for (int k = 0; k < 12; ++k) {
    INFO("phase " << k);
    CHECK(s->figure[static_cast<std::size_t>(k)] ==
          doctest::Approx(1.0 + 0.3 * std::sin(2 * std::numbers::pi * k / 12.0)).epsilon(0.03));
  }
  // Untrained (too short to train), the forecast is the last adjusted value
  // times each step's own index: the phase of step h is (120 + h - 1) % 12.
  SmallLstmOptions untrained = o;
  untrained.min_train = 1000;
  auto u = SmallLstm(untrained).Fit(train);
  REQUIRE(u.ok());
  REQUIRE(u->figure.size() == 12);
  const Forecast fu = SmallLstm(untrained).Predict(*u, 12);
  const double adjusted_last = train.back() / u->figure[119 % 12];
  for (int h = 1; h <= 12; ++h) {
    CHECK(fu.mean(h) ==
          doctest::Approx(adjusted_last * u->figure[static_cast<std::size_t>(119 + h) % 12]));
  }
  // Trained, the forecast carries the seasonal swing (+-30 %) into the held-back year.
  const Forecast fs = SmallLstm(o).Predict(*s, 12);
  double err = 0;
  for (int h = 1; h <= 12; ++h) err += std::abs(fs.mean(h) - y[static_cast<std::size_t>(119 + h)]);
  INFO("MAE " << err / 12 << " at a level of about 160");
  CHECK(err / 12 < 0.1 * 160);
  SmallLstmOptions raw = o;
  raw.deseasonalize = false;
  auto r = SmallLstm(raw).Fit(train);
  REQUIRE(r.ok());
  CHECK(r->figure.empty());
  // No indices for a series with a value <= 0 or one the M4 test finds not seasonal.
  std::vector<double> with_zero(train.begin(), train.end());
  with_zero[50] = 0.0;
  auto z = SmallLstm(o).Fit(with_zero);
  REQUIRE(z.ok());
  CHECK(z->figure.empty());
  internal::SeededNormal rng(11);
  std::vector<double> flat;
  for (int t = 0; t < 120; ++t) flat.push_back(100.0 + 2.0 * rng());
  auto f = SmallLstm(o).Fit(flat);
  REQUIRE(f.ok());
  CHECK(f->figure.empty());
}

TEST_CASE("SmallLstm stops early on held-out targets and keeps the best epoch") {
  // Noise around a level: nothing to learn beyond the level, so long training
  // only fits the noise. Early stopping must end sooner and forecast better.
  const SmallLstmOptions full{.hidden = 16,
                              .horizon = 6,
                              .season = 24,
                              .epochs = 60,
                              .learning_rate = 0.02,
                              .min_train = 48,
                              .patience = 0};
  SmallLstmOptions early = full;
  early.patience = 3;
  double err_full = 0, err_early = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const auto y = internal::SyntheticSeries(
        {.n = 406, .level = 100, .amp1 = 0, .noise = 10, .ar = 0.5, .seed = seed});
    const std::span<const double> train = std::span(y).first(400);
    auto a = SmallLstm(full).Fit(train);
    auto b = SmallLstm(early).Fit(train);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->epochs_kept == 60);
    CHECK(std::isnan(a->held_out_loss));
    CHECK(b->epochs_kept < 60);
    CHECK(std::isfinite(b->held_out_loss));
    const Forecast fa = SmallLstm(full).Predict(*a, 6), fb = SmallLstm(early).Predict(*b, 6);
    // The weights kept are epoch `epochs_kept`'s, not the last run's: a run
    // that ends at that epoch (and so never waits out its patience) gives the
    // same forecast.
    SmallLstmOptions upto = early;
    upto.epochs = b->epochs_kept;
    upto.patience = 1000;
    auto c = SmallLstm(upto).Fit(train);
    REQUIRE(c.ok());
    CHECK(c->epochs_kept == b->epochs_kept);
    CHECK(SmallLstm(upto).Predict(*c, 6).mean(6) == fb.mean(6));
    for (int h = 1; h <= 6; ++h) {
      const double truth = y[static_cast<std::size_t>(399 + h)];
      err_full += std::abs(fa.mean(h) - truth);
      err_early += std::abs(fb.mean(h) - truth);
    }
  }
  INFO("MAE over 8 series x 6 steps: early " << err_early / 48 << ", full " << err_full / 48);
  CHECK(err_early < err_full);
  // A series that cannot spare its held-out share (the cut would leave under
  // half of it) trains every epoch on every target.
  SmallLstmOptions long_horizon = early;
  long_horizon.horizon = 48;
  long_horizon.epochs = 4;
  const auto y = internal::SyntheticSeries({.n = 80, .amp1 = 0, .noise = 5});
  auto c = SmallLstm(long_horizon).Fit(y);
  REQUIRE(c.ok());
  CHECK(c->epochs_kept == 4);
  CHECK(std::isnan(c->held_out_loss));
}

TEST_CASE("SmallLstm in units of the local level carries its spread across a level shift") {
  // Trained at level 100 with 5 % noise, then fed the same shape at level
  // 1000: in units of the local level the relative spread of the forecast
  // stays; in units of the training window's level the spread stays about as
  // wide in absolute terms, a fraction of the new level (0.3 when written).
  internal::SeededNormal rng(5);
  std::vector<double> y;
  for (int t = 0; t < 400; ++t) y.push_back(100.0 * (1.0 + 0.05 * rng()));
  std::vector<double> after;
  for (int t = 0; t < 200; ++t) after.push_back(1000.0 * (1.0 + 0.05 * rng()));
  auto relative_spread = [](const SmallLstm& lstm, const SmallLstm::State& s) {
    const Forecast f = lstm.Predict(s, 1);
    return (f.Quantile(1, 0.95) - f.Quantile(1, 0.05)) / f.mean(1);
  };
  double ratio[2];
  for (bool local : {false, true}) {
    const SmallLstm lstm({.hidden = 8,
                          .horizon = 6,
                          .season = 24,
                          .epochs = 15,
                          .learning_rate = 0.01,
                          .min_train = 48,
                          .local_level = local});
    auto s = lstm.Fit(y);
    REQUIRE(s.ok());
    const double before = relative_spread(lstm, *s);
    for (double v : after) lstm.Update(*s, v);
    ratio[local] = relative_spread(lstm, *s) / before;
  }
  INFO("spread after / before: global " << ratio[0] << ", local " << ratio[1]);
  CHECK(ratio[1] > 0.5);
  CHECK(ratio[1] < 2.0);
  CHECK(ratio[0] < 0.5);
}

TEST_CASE("SmallLstm falls back to the last value where its median lost to it") {
  // No seasonal indices: a random walk passes the M4 test at lag 24, and the
  // fallen-back forecast would be the last adjusted value times the indices.
  const SmallLstmOptions o{.hidden = 8,
                           .horizon = 6,
                           .season = 24,
                           .epochs = 20,
                           .learning_rate = 0.01,
                           .min_train = 48,
                           .deseasonalize = false};
  SmallLstmOptions off = o;
  off.median_fallback = false;
  // A random walk: the last value is the best point forecast, and some steps'
  // medians fall back to it; exactly those forecast it.
  int fell_back = 0;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    internal::SeededNormal rng(seed);
    std::vector<double> walk = {100.0};
    for (int t = 1; t < 400; ++t) walk.push_back(walk.back() + rng());
    auto s = SmallLstm(o).Fit(walk);
    auto n = SmallLstm(off).Fit(walk);
    REQUIRE(s.ok());
    REQUIRE(n.ok());
    CHECK(n->naive_steps == 0);
    const Forecast f = SmallLstm(o).Predict(*s, 6), g = SmallLstm(off).Predict(*n, 6);
    int last = 0;
    for (int h = 1; h <= 6; ++h) {
      last += f.mean(h) == walk.back();
      CHECK(g.mean(h) != walk.back());
      CHECK(f.Quantile(h, 0.05) < f.mean(h));  // the other heads keep their spread
      CHECK(f.Quantile(h, 0.95) > f.mean(h));
    }
    CHECK(last == s->naive_steps);
    fell_back += s->naive_steps;
  }
  CHECK(fell_back > 0);
  // A daily swing of +-30 around 100 that the last value misses: no step falls back.
  const auto seasonal =
      internal::SyntheticSeries({.n = 24 * 20, .season1 = 24, .amp1 = 30, .noise = 2});
  auto s = SmallLstm(o).Fit(seasonal);
  REQUIRE(s.ok());
  CHECK(s->naive_steps == 0);
}

TEST_CASE("SmallLstm stays finite and near the data when a series wakes from zeros") {
  // An idle VM: a day of zeros, then load. The local level is 0 over the idle
  // day, so the unit must not fall to nothing with it.
  std::vector<double> y(400, 0.0);
  internal::SeededNormal rng(8);
  for (std::size_t t = 300; t < 400; ++t) y[t] = 5.0 + 0.5 * rng();
  for (std::size_t t = 100; t < 110; ++t) y[t] = 3.0;  // one burst in the idle part
  const SmallLstm lstm({.hidden = 8,
                        .horizon = 6,
                        .season = 24,
                        .epochs = 10,
                        .learning_rate = 0.01,
                        .min_train = 48});
  for (std::size_t end : {std::size_t{250}, std::size_t{302}, std::size_t{400}}) {
    INFO("history " << end);
    auto s = lstm.Fit(std::span<const double>(y).first(end));
    REQUIRE(s.ok());
    const Forecast f = lstm.Predict(*s, 6);
    for (int h = 1; h <= 6; ++h) {
      CHECK(std::isfinite(f.mean(h)));
      CHECK(std::isfinite(f.Quantile(h, 0.05)));
      CHECK(std::isfinite(f.Quantile(h, 0.95)));
      CHECK(std::abs(f.mean(h)) < 20.0);
    }
  }
}

}  // namespace
}  // namespace foresight
