// Tests of forecaster-state checkpoints: exact round trips for the foundation
// forecasters and clear errors for every kind of bad document.
#include "foresight/pool/checkpoint.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <vector>

#include "absl/strings/match.h"

namespace foresight {
namespace {

const absl::Time kSavedAt = absl::FromUnixSeconds(1'700'000'000);

std::vector<double> Series(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.3);
  std::vector<double> y(n);
  for (std::size_t t = 0; t < n; ++t) {
    y[t] = 5.0 + 2.0 * std::sin(2 * M_PI * static_cast<double>(t) / 24.0) + noise(rng);
  }
  return y;
}

template <typename F>
void CheckSamePredictions(const F& f, const typename F::State& a, const typename F::State& b) {
  const Forecast fa = f.Predict(a, 12);
  const Forecast fb = f.Predict(b, 12);
  for (int h = 1; h <= 12; ++h) {  // steps are 1-based
    CHECK(fa.mean(h) == fb.mean(h));
    for (std::size_t k = 0; k < fa.num_levels(); ++k) CHECK(fa.quantile(h, k) == fb.quantile(h, k));
  }
}

TEST_CASE_TEMPLATE("Forecaster checkpoints round-trip exactly", F, LastValue, SeasonalNaive,
                   HoltWinters) {
  static_assert(CheckpointableForecaster<F>);
  const F f;
  std::vector<StateEntry<typename F::State>> entries;
  for (std::uint32_t u = 0; u < 3; ++u) {
    absl::StatusOr<typename F::State> s = f.Fit(Series(100 + 7 * u, u));
    REQUIRE(s.ok());
    entries.push_back({UserId{10 + u}, u == 1 ? Resource::kMemory : Resource::kCpu, *s});
  }
  absl::StatusOr<typename F::State> cold = f.Fit({});  // holds NaN pending forecasts
  REQUIRE(cold.ok());
  entries.push_back({UserId{99}, Resource::kNet, *cold});

  absl::StatusOr<std::string> text = SaveForecasterCheckpoint(
      f, std::span<const StateEntry<typename F::State>>(entries), kSavedAt);
  REQUIRE_MESSAGE(text.ok(), text.status());
  CHECK(absl::StrContains(*text, "\"forecaster\": \"" + std::string(F::Name()) + "\""));
  CHECK(absl::StrContains(*text, "2023-11-14T22:13:20+00:00"));

  absl::StatusOr<std::vector<StateEntry<typename F::State>>> loaded =
      LoadForecasterCheckpoint(f, *text);
  REQUIRE_MESSAGE(loaded.ok(), loaded.status());
  REQUIRE(loaded->size() == entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    CHECK((*loaded)[i].user == entries[i].user);
    CHECK((*loaded)[i].resource == entries[i].resource);
    CheckSamePredictions(f, (*loaded)[i].state, entries[i].state);
    // And they keep learning identically.
    typename F::State a = entries[i].state, b = (*loaded)[i].state;
    for (double y : {4.0, 6.5, 5.2}) {
      f.Update(a, y);
      f.Update(b, y);
    }
    CheckSamePredictions(f, a, b);
  }
}

TEST_CASE("LoadForecasterCheckpoint refuses bad documents with a clear status") {
  const HoltWinters f;
  absl::StatusOr<HoltWinters::State> s = f.Fit(Series(80, 1));
  REQUIRE(s.ok());
  const std::vector<StateEntry<HoltWinters::State>> entries = {{UserId{1}, Resource::kCpu, *s}};
  absl::StatusOr<std::string> text = SaveForecasterCheckpoint(
      f, std::span<const StateEntry<HoltWinters::State>>(entries), kSavedAt);
  REQUIRE(text.ok());
  const nlohmann::json good = nlohmann::json::parse(*text);

  auto load_error = [&](const nlohmann::json& doc) {
    absl::StatusOr<std::vector<StateEntry<HoltWinters::State>>> r =
        LoadForecasterCheckpoint(f, doc.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(r.status().message());
  };
  CHECK(absl::StrContains(std::string(LoadForecasterCheckpoint(f, "{not json").status().message()),
                          "not a JSON"));
  nlohmann::json doc = good;
  doc["format"] = 7;
  CHECK(absl::StrContains(load_error(doc), "not a foresight checkpoint"));
  doc = good;
  doc["version"] = 2;
  CHECK(absl::StrContains(load_error(doc), "version 2"));
  doc = good;
  doc["forecaster"] = "snaive";
  CHECK(absl::StrContains(load_error(doc), "'snaive'"));
  doc = good;
  doc["entries"].push_back(doc["entries"][0]);
  CHECK(absl::StrContains(load_error(doc), "duplicate state for user#1 cpu"));
  doc = good;
  doc["entries"][0]["resource"] = "gpu";
  CHECK(absl::StrContains(load_error(doc), "entry 0: unknown resource 'gpu'"));
  doc = good;
  doc["entries"][0]["user"] = -3;
  CHECK(absl::StrContains(load_error(doc), "negative"));
  doc = good;
  doc["entries"][0]["state"]["model"]["level"] = nullptr;  // NaN is not a level
  CHECK(absl::StrContains(load_error(doc), "level"));
  doc = good;
  doc["entries"][0]["state"]["model"]["started"] = 1;
  CHECK(absl::StrContains(load_error(doc), "started"));
  doc = good;
  doc["entries"][0]["state"]["model"]["season"].erase(0);
  CHECK(absl::StrContains(load_error(doc), "state.model.season has 23 elements"));
  doc = good;
  doc["entries"][0]["state"]["errors"]["extra"] = 1;
  CHECK(absl::StrContains(load_error(doc), "unknown fields"));
  // Counters a loaded state indexes rings with and divides by, and magnitudes
  // its sums would overflow with (fuzz/checkpoint_fuzzer.cpp; the regress-*
  // inputs in fuzz/corpus/checkpoint crashed or forecast NaN before).
  doc = good;
  doc["entries"][0]["state"]["model"]["t"] = -1;
  CHECK(absl::StrContains(load_error(doc), "entry 0: field 't' is -1 (must be in [0, "));
  doc = good;
  doc["entries"][0]["state"]["model"]["t"] = std::numeric_limits<long long>::max();
  CHECK(absl::StrContains(load_error(doc), "field 't' is 9223372036854775807"));
  doc = good;
  doc["entries"][0]["state"]["errors"]["t"] = -5;
  CHECK(absl::StrContains(load_error(doc), "field 't' is -5"));
  doc = good;
  doc["entries"][0]["state"]["errors"]["count"][2] = -1;
  CHECK(absl::StrContains(load_error(doc), "field 'count' is -1 (must be in [0, 1073741824])"));
  doc = good;
  doc["entries"][0]["state"]["errors"]["mae"][0] = -0.5;
  CHECK(absl::StrContains(load_error(doc), "field 'mae' holds -0.5 (must be >= 0)"));
  doc = good;
  doc["entries"][0]["state"]["model"]["level"] = 1e308;
  CHECK(absl::StrContains(load_error(doc), "field 'level' is 1e+308 (magnitude over 1e+100)"));
  doc = good;
  doc["entries"][0]["state"]["model"]["season"][1] = -1e200;
  CHECK(absl::StrContains(load_error(doc), "field 'season'[1] is -1e+200 (magnitude over 1e+100)"));

  // A checkpoint of a differently configured forecaster does not fit.
  const HoltWinters weekly(HoltWintersOptions{.season = 168});
  absl::StatusOr<std::vector<StateEntry<HoltWinters::State>>> other =
      LoadForecasterCheckpoint(weekly, *text);
  REQUIRE_FALSE(other.ok());
  CHECK(absl::StrContains(other.status().message(), "this forecaster uses 168"));
}

TEST_CASE("SaveForecasterCheckpoint refuses non-finite state") {
  const LastValue f;
  absl::StatusOr<LastValue::State> s = f.Fit(Series(30, 2));
  REQUIRE(s.ok());
  s->model.last = INFINITY;
  const std::vector<StateEntry<LastValue::State>> entries = {{UserId{4}, Resource::kIo, *s}};
  absl::StatusOr<std::string> text =
      SaveForecasterCheckpoint(f, std::span<const StateEntry<LastValue::State>>(entries), kSavedAt);
  REQUIRE_FALSE(text.ok());
  CHECK(absl::StrContains(text.status().message(), "user#4 io"));
}

TEST_CASE("WriteFileAtomically replaces a checkpoint file whole") {
  char templ[] = "/tmp/foresight-checkpoint-test-XXXXXX";
  const std::string dir = ::mkdtemp(templ);
  const std::string path = dir + "/state.json";
  REQUIRE(WriteFileAtomically(path, "first").ok());
  REQUIRE(WriteFileAtomically(path, "second, longer").ok());
  CHECK(*ReadWholeFile(path) == "second, longer");
  CHECK(std::distance(std::filesystem::directory_iterator(dir),
                      std::filesystem::directory_iterator()) == 1);  // no temporary left
  absl::Status missing = WriteFileAtomically(dir + "/no/such/dir/x.json", "x");
  CHECK(missing.code() == absl::StatusCode::kNotFound);
  CHECK(absl::StrContains(missing.message(), "no/such/dir"));
  CHECK(ReadWholeFile(dir + "/absent.json").status().code() == absl::StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace foresight
