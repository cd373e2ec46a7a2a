// ParseLoadOptions: the text forms of LoadOptions shared by the CLI and Python.
#include "foresight/trace/load_options_text.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

namespace foresight {
namespace {

std::string Error(const LoadOptionsText& text, std::string_view prefix) {
  absl::StatusOr<LoadOptions> o = ParseLoadOptions(text, prefix);
  REQUIRE_FALSE(o.ok());
  CHECK(o.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(o.status().message());
}

TEST_CASE("ParseLoadOptions reads every option and keeps the defaults of the rest") {
  absl::StatusOr<LoadOptions> d = ParseLoadOptions({}, "--");
  REQUIRE(d.ok());
  CHECK(d->resample.step == absl::Seconds(300));
  CHECK(d->resample.aggregation == Aggregation::kMean);
  CHECK(std::isnan(d->entity_capacity.cpu()));
  CHECK(d->time_origin == absl::UnixEpoch());

  LoadOptionsText text;
  text.step = "1h";
  text.aggregate = "max";
  text.entity_capacity = "cpu=2";
  text.machine_capacity = "cpu=96,memory=512Gi";
  text.time_origin = "2011-05-01T00:00:00Z";
  text.max_entities = 7;
  absl::StatusOr<LoadOptions> o = ParseLoadOptions(text, "--");
  REQUIRE(o.ok());
  CHECK(o->resample.step == absl::Hours(1));
  CHECK(o->resample.aggregation == Aggregation::kMax);
  CHECK(o->resample.max_entities == 7);
  CHECK(o->entity_capacity.cpu() == 2.0);
  CHECK(std::isnan(o->entity_capacity.memory()));  // not given: the format's default
  CHECK(o->machine_capacity.cpu() == 96.0);
  CHECK(o->machine_capacity.memory() == 512.0 * 1024 * 1024 * 1024);
  CHECK(o->time_origin == absl::FromUnixSeconds(1304208000));
}

TEST_CASE("ParseLoadOptions names the option it refuses, with the caller's prefix") {
  LoadOptionsText text;
  text.step = "0s";
  CHECK(Error(text, "--") == "--step must be > 0");
  CHECK(Error(text, "") == "step must be > 0");
  text.step = "soon";
  CHECK(Error(text, "--").find("--step: 'soon' is not a duration") == 0);
  text = {};
  text.aggregate = "median";
  CHECK(Error(text, "") == "aggregate must be mean or max, got 'median'");
  text = {};
  text.entity_capacity = "cpu=x";
  CHECK(Error(text, "--").find("cpu") != std::string::npos);
  text = {};
  text.time_origin = "yesterday";
  CHECK(Error(text, "--").find("--time-origin: ") == 0);
}

}  // namespace
}  // namespace foresight
