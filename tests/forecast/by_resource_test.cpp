#include "foresight/forecast/by_resource.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "foresight/forecast/conformal.hpp"
#include "foresight/forecast/envelope.hpp"
#include "foresight/forecast/internal/synthetic.hpp"
#include "foresight/forecast/last_value.hpp"
#include "foresight/forecast/seasonal_naive.hpp"

namespace foresight {
namespace {

using Split = ByResource<LastValue, PeakEnvelope, SeasonalNaive, LastValue>;

Split MakeSplit() {
  absl::StatusOr<Split> f = Split::Create(LastValue(), PeakEnvelope({.recent = 3, .season = 0}),
                                          SeasonalNaive(24), LastValue());
  REQUIRE(f.ok());
  return *std::move(f);
}

template <Forecaster F>
void CheckSame(const Forecast& got, const F& model, const typename F::State& s, int h) {
  const Forecast want = model.Predict(s, h);
  REQUIRE(got.horizon() == want.horizon());
  REQUIRE(got.num_levels() == want.num_levels());
  for (int k = 1; k <= h; ++k) {
    CHECK(got.mean(k) == want.mean(k));
    for (std::size_t q = 0; q < want.num_levels(); ++q) CHECK(got.quantile(k, q) == want.quantile(k, q));
  }
}

TEST_CASE("ByResource forecasts each resource with its own model") {
  const Split f = MakeSplit();
  static_assert(ResourceAwareForecaster<Split>);
  static_assert(!ResourceAwareForecaster<LastValue>);
  const auto y = internal::SyntheticSeries({.n = 200, .season1 = 24, .amp1 = 10, .noise = 2, .seed = 3});
  const std::vector<double> head(y.begin(), y.begin() + 150);

  auto cpu = f.FitFor(Resource::kCpu, head);
  auto mem = f.FitFor(Resource::kMemory, head);
  auto io = f.FitFor(Resource::kIo, head);
  auto net = f.FitFor(Resource::kNet, head);
  REQUIRE(cpu.ok());
  REQUIRE(mem.ok());
  REQUIRE(io.ok());
  REQUIRE(net.ok());
  CHECK(cpu->index() == 0);
  CHECK(mem->index() == 1);
  CHECK(io->index() == 2);
  CHECK(net->index() == 3);

  auto cpu_alone = f.cpu().Fit(head);
  auto mem_alone = f.memory().Fit(head);
  auto io_alone = f.io().Fit(head);
  REQUIRE(cpu_alone.ok());
  REQUIRE(mem_alone.ok());
  REQUIRE(io_alone.ok());
  for (std::size_t t = 150; t < y.size(); ++t) {
    f.Update(*cpu, y[t]);
    f.Update(*mem, y[t]);
    f.Update(*io, y[t]);
    f.cpu().Update(*cpu_alone, y[t]);
    f.memory().Update(*mem_alone, y[t]);
    f.io().Update(*io_alone, y[t]);
  }
  CheckSame(f.Predict(*cpu, 6), f.cpu(), *cpu_alone, 6);
  CheckSame(f.Predict(*mem, 6), f.memory(), *mem_alone, 6);
  CheckSame(f.Predict(*io, 6), f.io(), *io_alone, 6);
  // The models really differ: the envelope holds the recent peak, the last
  // value does not.
  CHECK(f.Predict(*mem, 1).mean(1) >= f.Predict(*cpu, 1).mean(1));

  // A resource-blind Fit is the CPU model.
  auto blind = f.Fit(head);
  REQUIRE(blind.ok());
  CHECK(blind->index() == 0);
}

TEST_CASE("ByResource rejects bad history through every model") {
  const Split f = MakeSplit();
  const std::vector<double> bad = {1.0, NAN, 2.0};
  for (Resource r : kAllResources) {
    CHECK(f.FitFor(r, bad).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("ByResource::Create refuses models whose quantile levels differ") {
  using Mixed = ByResource<Conformal<LastValue>, PeakEnvelope>;
  const ConformalOptions c{.horizon = 2, .window = 50};
  auto bad = Mixed::Create(Conformal<LastValue>(LastValue(), c, kTailQuantileLevels), PeakEnvelope());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(bad.status().message()).find("memory") != std::string::npos);

  auto good = Mixed::Create(Conformal<LastValue>(LastValue(), c), PeakEnvelope());
  CHECK(good.ok());
}

}  // namespace
}  // namespace foresight
