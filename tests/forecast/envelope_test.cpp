#include "foresight/forecast/envelope.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <span>
#include <vector>

#include "foresight/forecast/conformal.hpp"

namespace foresight {
namespace {

TEST_CASE("PeakEnvelope holds the recent peak") {
  const PeakEnvelope f({.recent = 3, .season = 0});
  auto s = f.Fit(std::vector<double>{1, 5, 2, 3, 1});
  REQUIRE(s.ok());
  Forecast out = f.Predict(*s, 2);
  CHECK(out.mean(1) == doctest::Approx(3.0));  // max of {2, 3, 1}
  CHECK(out.mean(2) == doctest::Approx(3.0));
  f.Update(*s, 0.5);
  f.Update(*s, 0.5);
  CHECK(f.Predict(*s, 1).mean(1) == doctest::Approx(1.0));  // {1, 0.5, 0.5}
}

TEST_CASE("PeakEnvelope brings yesterday's peak back before it recurs") {
  // A season of 24 with a bump at phases 10..12; low elsewhere.
  std::vector<double> x;
  for (int d = 0; d < 3; ++d) {
    for (int p = 0; p < 24; ++p) x.push_back(p >= 10 && p <= 12 ? 8.0 : 1.0);
  }
  const PeakEnvelope f({.recent = 2, .season = 24, .seasons = 1, .width = 1});
  std::vector<double> prefix(x.begin(), x.begin() + 48 + 8);  // now at phase 8 of day 3
  auto s = f.Fit(prefix);
  REQUIRE(s.ok());
  Forecast out = f.Predict(*s, 6);
  // Step 1 targets phase 8, whose window yesterday (phases 7..9) is low; steps
  // 2..6 target phases 9..13, whose windows touch yesterday's bump.
  CHECK(out.mean(1) == doctest::Approx(1.0));
  for (int h = 2; h <= 6; ++h) CHECK(out.mean(h) == doctest::Approx(8.0));
  // Far from the bump the envelope is the recent level.
  std::vector<double> early(x.begin(), x.begin() + 48 + 2);  // now at phase 2
  auto e = f.Fit(early);
  REQUIRE(e.ok());
  CHECK(f.Predict(*e, 1).mean(1) == doctest::Approx(1.0));
}

TEST_CASE("PeakEnvelope's seasonal ramp brings last week's rise back, not its level") {
  // A "week" of 4 days of 24 steps. Days 0-2 are quiet (level 1); day 3 rises
  // to 5 at phases 8..15. A daily seasonal peak cannot see day 3's rise
  // coming (yesterday was quiet); the ramp one week back can.
  auto day = [](int d, int p) { return d % 4 == 3 && p >= 8 && p <= 15 ? 5.0 : 1.0; };
  std::vector<double> x;
  for (int d = 0; d < 7; ++d) {
    for (int p = 0; p < 24; ++p) x.push_back(day(d, p));
  }
  const PeakEnvelopeOptions daily{.recent = 3, .season = 24, .seasons = 1, .width = 1};
  PeakEnvelopeOptions ramps = daily;
  ramps.ramp_season = 4 * 24;
  // Now at phase 7 of day 7 (the week's day 3 again): the next steps rise.
  std::vector<double> prefix(x.begin(), x.end());
  for (int p = 0; p < 7; ++p) prefix.push_back(1.0);
  auto d = PeakEnvelope(daily).Fit(prefix);
  auto r = PeakEnvelope(ramps).Fit(prefix);
  REQUIRE(d.ok());
  REQUIRE(r.ok());
  const Forecast fd = PeakEnvelope(daily).Predict(*d, 3);
  const Forecast fr = PeakEnvelope(ramps).Predict(*r, 3);
  for (int h = 1; h <= 3; ++h) CHECK(fd.mean(h) == doctest::Approx(1.0));  // blind to it
  // Step 1 targets phase 7: last week's window 6..8 rose 4 over the 3 samples before it.
  for (int h = 1; h <= 3; ++h) CHECK(fr.mean(h) == doctest::Approx(5.0));

  // A level the series has left is not brought back: the same week, then the
  // series drops to 0.5 for good on day 7 (a step down).
  std::vector<double> down(x.begin(), x.end());
  for (int p = 0; p < 24 + 20; ++p) down.push_back(0.5);  // day 7 and day 8 to phase 19
  // Now at phase 20 of day 8 (the week's day 0): last week's day 0 at phase 20
  // was level 1, no rise. A seasonal *peak* a week back would say 1.
  auto s = PeakEnvelope(ramps).Fit(down);
  REQUIRE(s.ok());
  CHECK(PeakEnvelope(ramps).Predict(*s, 1).mean(1) == doctest::Approx(0.5));
  PeakEnvelopeOptions weekly_peak = daily;
  weekly_peak.season = 4 * 24;
  auto w = PeakEnvelope(weekly_peak).Fit(down);
  REQUIRE(w.ok());
  CHECK(PeakEnvelope(weekly_peak).Predict(*w, 1).mean(1) == doctest::Approx(1.0));
}

TEST_CASE("PeakEnvelope's seasonal ramp waits for a whole season and keeps Fit == Update") {
  PeakEnvelopeOptions o{.recent = 2, .season = 0, .width = 1};
  o.ramp_season = 10;
  const PeakEnvelope f(o);
  std::vector<double> x;
  for (int i = 0; i < 40; ++i) x.push_back(i % 10 == 5 ? 9.0 : 1.0 + 0.01 * i);
  // Less than a season plus the window and its base: the recent peak only.
  auto young = f.Fit(std::span<const double>(x).first(8));
  REQUIRE(young.ok());
  CHECK(f.Predict(*young, 1).mean(1) == doctest::Approx(1.07));
  // Fit(x) == Fit(prefix) + Update(rest).
  auto whole = f.Fit(x);
  auto part = f.Fit(std::span<const double>(x).first(17));
  REQUIRE(whole.ok());
  REQUIRE(part.ok());
  for (std::size_t i = 17; i < x.size(); ++i) f.Update(*part, x[i]);
  const Forecast a = f.Predict(*whole, 12), b = f.Predict(*part, 12);
  for (int h = 1; h <= 12; ++h) CHECK(a.mean(h) == doctest::Approx(b.mean(h)));
  // The spike at phase 5 recurs: steps whose window a season back holds it
  // carry its rise.
  CHECK(a.mean(5) > 8.0);   // target 44: its window a season back, 33..35, holds the spike
  CHECK(a.mean(1) < 1.5);   // target 40: window 29..31, no rise
}

TEST_CASE("PeakEnvelope rejects non-finite history and starts cold") {
  const PeakEnvelope f;
  CHECK_FALSE(f.Fit(std::vector<double>{1.0, NAN}).ok());
  auto cold = f.Fit({});
  REQUIRE(cold.ok());
  CHECK(f.Predict(*cold, 3).mean(3) == 0.0);
}

// Fraction of held-out steps above the quantile at `tau` issued one step before.
double Exceedance(const Conformal<PeakEnvelope>& model, double tau, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  auto state = model.Fit({});
  REQUIRE(state.ok());
  long long above = 0, total = 0;
  for (int t = 0; t < 200000; ++t) {
    const double y = 100.0 + noise(rng);
    if (t >= 2000) {
      above += y > model.Predict(*state, 1).Quantile(1, tau);
      ++total;
    }
    model.Update(*state, y);
  }
  return static_cast<double>(above) / static_cast<double>(total);
}

TEST_CASE("Conformal tail levels extrapolate past the window's largest residual") {
  // A window of 400 residuals: without a tail every level above 400/401 is the
  // largest residual, exceeded about once in 401 steps whatever was asked.
  const std::vector<double> levels = {0.5, 0.9, 0.99, 0.9995};
  ConformalOptions plain{.horizon = 1, .window = 400, .calibration = 0};
  ConformalOptions tail = plain;
  tail.tail_fraction = 0.05;
  const PeakEnvelope envelope({.recent = 1, .season = 0});
  const double without = Exceedance(Conformal<PeakEnvelope>(envelope, plain, levels), 0.9995, 7);
  const double with = Exceedance(Conformal<PeakEnvelope>(envelope, tail, levels), 0.9995, 7);
  MESSAGE("exceedance at 0.9995: plain ", without, ", tail ", with);
  CHECK(without > 0.0015);  // ~1/401
  CHECK(with < 0.0012);     // asked 0.0005
  CHECK(with > 0.0001);     // and not absurdly wide
  // Below the tail the conformal ranks are untouched.
  const double body = Exceedance(Conformal<PeakEnvelope>(envelope, tail, levels), 0.9, 8);
  CHECK(body == doctest::Approx(0.1).epsilon(0.1).scale(0));
}

TEST_CASE("Exponential tail fit") {
  std::vector<double> sorted;
  for (int i = 0; i < 100; ++i) sorted.push_back(i);
  const internal::ExponentialTail t = internal::FitTail(sorted, 0.1);
  REQUIRE(t.valid);
  CHECK(t.u == 89.0);                          // threshold below the top 10
  CHECK(t.beta == doctest::Approx(5.5));        // mean of 1..10
  CHECK(t.Quantile(1.0 - t.exceed) == doctest::Approx(89.0));
  CHECK(t.Quantile(0.999) > 99.0);
  CHECK_FALSE(internal::FitTail(sorted, 0.0).valid);
  CHECK_FALSE(internal::FitTail(std::span<const double>(sorted).first(5), 0.5).valid);
}

}  // namespace
}  // namespace foresight
