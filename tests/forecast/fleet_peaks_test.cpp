#include "foresight/forecast/fleet_peaks.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

namespace foresight {
namespace {

std::shared_ptr<FleetPeaks> Make(FleetPeaksOptions o) {
  absl::StatusOr<std::shared_ptr<FleetPeaks>> f = FleetPeaks::Create(std::move(o));
  REQUIRE(f.ok());
  return *std::move(f);
}

TEST_CASE("FleetPeaks files cold series apart and warm ones by their own margin") {
  const std::shared_ptr<FleetPeaks> f = Make({.edges = {0.1, 0.5}});
  CHECK(f->num_buckets() == 4);
  CHECK(f->Bucket(0.3, /*cold=*/true) == 0);
  CHECK(f->Bucket(std::nan(""), false) == 0);  // no own margin yet: cold
  CHECK(f->Bucket(-0.2, false) == 1);
  CHECK(f->Bucket(0.0, false) == 1);
  CHECK(f->Bucket(0.1, false) == 2);  // an edge opens its bucket
  CHECK(f->Bucket(0.49, false) == 2);
  CHECK(f->Bucket(0.5, false) == 3);
  CHECK(f->Bucket(7.0, false) == 3);
}

TEST_CASE("FleetPeaks answers a bucket's conformal rank once it holds min_samples") {
  const std::shared_ptr<FleetPeaks> f = Make({.capacity = 1000, .min_samples = 100, .level = 0.98});
  for (int i = 1; i <= 99; ++i) f->Add(1, i);
  CHECK(std::isnan(f->Margin(1)));
  CHECK(std::isnan(f->Margin(2)));  // other buckets are their own
  f->Add(1, 100.0);
  // ceil(101 * 0.98) = 99th smallest of 1..100.
  CHECK(f->Margin(1) == doctest::Approx(99.0));
  CHECK(f->Quantile(1, 1.0) == doctest::Approx(100.0));
  CHECK(f->Quantile(1, 0.5) == doctest::Approx(51.0));
  CHECK(std::isnan(f->Margin(2)));
  CHECK(f->size(1) == 100);
}

TEST_CASE("FleetPeaks keeps the last capacity peaks of a bucket and ignores bad input") {
  const std::shared_ptr<FleetPeaks> f = Make({.capacity = 10, .min_samples = 10, .level = 1.0});
  for (int i = 1; i <= 10; ++i) f->Add(3, i);
  CHECK(f->Quantile(3, 0.0) == doctest::Approx(1.0));
  f->Add(3, 0.5);  // drops the oldest (1), not the smallest
  CHECK(f->size(3) == 10);
  CHECK(f->Quantile(3, 0.0) == doctest::Approx(0.5));
  CHECK(f->Margin(3) == doctest::Approx(10.0));
  for (int i = 0; i < 9; ++i) f->Add(3, 0.0);  // 2..10 leave in arrival order
  CHECK(f->Margin(3) == doctest::Approx(0.5));
  f->Add(3, std::nan(""));
  f->Add(3, INFINITY);
  f->Add(99, 5.0);  // no such bucket
  CHECK(f->size(3) == 10);
  CHECK(f->Margin(3) == doctest::Approx(0.5));
  CHECK(std::isnan(f->Margin(99)));
  CHECK(f->size(99) == 0);
}

TEST_CASE("FleetPeaks rejects impossible options, naming them") {
  struct Case {
    const char* what;
    FleetPeaksOptions options;
  };
  for (const Case& c :
       {Case{"edges", {.edges = {0.1, 0.1}}}, Case{"edges", {.edges = {0.2, 0.1}}},
        Case{"edges", {.edges = {NAN}}}, Case{"capacity", {.capacity = 0}},
        Case{"min_samples", {.capacity = 10, .min_samples = 11}},
        Case{"min_samples", {.min_samples = 0}}, Case{"level", {.level = 0.0}},
        Case{"level", {.level = 1.5}}}) {
    absl::StatusOr<std::shared_ptr<FleetPeaks>> f = FleetPeaks::Create(c.options);
    CAPTURE(c.what);
    REQUIRE_FALSE(f.ok());
    CHECK(f.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(f.status().message()).find(c.what) != std::string::npos);
  }
  CHECK(FleetPeaks::Create({.edges = {}}).ok());  // one warm bucket and the cold one
}

TEST_CASE("FleetPeaks is safe to share between threads") {
  const std::shared_ptr<FleetPeaks> f = Make({.capacity = 5000, .min_samples = 1, .level = 1.0});
  auto file = [&f](double base) {
    for (int i = 0; i < 4000; ++i) {
      f->Add(1, base + i);
      (void)f->Margin(1);
    }
  };
  std::thread a(file, 0.0), b(file, 0.5);
  a.join();
  b.join();
  CHECK(f->size(1) == 5000);  // 8000 filed, the oldest 3000 dropped
  CHECK(f->Margin(1) == doctest::Approx(3999.5));  // each thread's last peak is its largest
}

}  // namespace
}  // namespace foresight
