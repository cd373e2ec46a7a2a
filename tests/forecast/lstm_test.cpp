#include "foresight/forecast/lstm.hpp"

#include <doctest/doctest.h>

#include <cmath>
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

}  // namespace
}  // namespace foresight
