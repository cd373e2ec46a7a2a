#include "foresight/core/named_knobs.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace foresight {
namespace {

TEST_CASE("SplitNames splits on commas outside parentheses and brackets") {
  const std::vector<std::string_view> names =
      SplitNames(" vpa,max(proactive,vpa) ,, ensemble[horizon=24, power=1],snaive ");
  REQUIRE(names.size() == 4);
  CHECK(names[0] == "vpa");
  CHECK(names[1] == "max(proactive,vpa)");
  CHECK(names[2] == "ensemble[horizon=24, power=1]");
  CHECK(names[3] == "snaive");
  CHECK(SplitNames("").empty());
  CHECK(SplitNames(" , ").empty());
}

TEST_CASE("ParseNamedKnobs takes a name apart into its base and settings") {
  absl::StatusOr<NamedKnobs> plain = ParseNamedKnobs(" snaive ", "method");
  REQUIRE(plain.ok());
  CHECK(plain->base == "snaive");
  CHECK_FALSE(plain->bracketed);
  CHECK(plain->knobs.empty());

  absl::StatusOr<NamedKnobs> tuned =
      ParseNamedKnobs("ensemble [ horizon = 24 ,power=1.5, ]", "method");
  REQUIRE(tuned.ok());
  CHECK(tuned->base == "ensemble");
  CHECK(tuned->bracketed);
  REQUIRE(tuned->knobs.size() == 2);
  CHECK(tuned->knobs[0].key == "horizon");
  CHECK(tuned->knobs[0].text == "24");
  CHECK(tuned->knobs[1].key == "power");
  CHECK(*KnobValue(tuned->knobs[1], "method 'x'") == 1.5);

  absl::StatusOr<NamedKnobs> empty = ParseNamedKnobs("ensemble[]", "method");
  REQUIRE(empty.ok());
  CHECK(empty->bracketed);
  CHECK(empty->knobs.empty());

  absl::StatusOr<NamedKnobs> open = ParseNamedKnobs("ensemble[power=1", "method");
  REQUIRE_FALSE(open.ok());
  CHECK(std::string(open.status().message()) ==
        "method 'ensemble[power=1': write name[knob=value,...]");
}

TEST_CASE("KnobValue names the knob and the text that is not a finite number") {
  for (const char* text : {"", "x", "1e999", "nan", "2cores"}) {
    CAPTURE(text);
    const absl::StatusOr<double> v = KnobValue({"power", text}, "method 'ensemble[...]'");
    REQUIRE_FALSE(v.ok());
    CHECK(std::string(v.status().message()) ==
          std::string("method 'ensemble[...]': knob 'power' needs a number, got '") + text + "'");
  }
  CHECK(*KnobValue({"level", "-0.25"}, "policy 'p'") == -0.25);
}

TEST_CASE("SetOptionKnob stores a value in range and refuses the rest, naming the range") {
  struct Options {
    double rate = 0.5;
    double scale = 1.0;
    int count = 4;
    bool on = true;
    std::uint64_t seed = 42;
  };
  const OptionKnob<Options> rate{"rate", "", 0, 1, &Options::rate, true};
  const OptionKnob<Options> scale{"scale", "", 0.5, std::numeric_limits<double>::infinity(),
                                  &Options::scale};
  const OptionKnob<Options> count{"count", "", 1, 1e6, &Options::count};
  const OptionKnob<Options> on{"on", "", 0, 1, &Options::on};
  const OptionKnob<Options> seed{"seed", "", 0, 9007199254740992.0, &Options::seed};
  CHECK(OptionKnobRange(rate) == "in (0, 1]");
  CHECK(OptionKnobRange(scale) == ">= 0.5");
  CHECK(OptionKnobRange(count) == "a whole number in [1, 1000000]");
  CHECK(OptionKnobRange(on) == "0 or 1");
  CHECK(OptionKnobRange(seed) == "a whole number in [0, 9007199254740992]");

  Options o;
  REQUIRE(SetOptionKnob(rate, 1.0, o).ok());
  REQUIRE(SetOptionKnob(scale, 1e9, o).ok());
  REQUIRE(SetOptionKnob(count, 7, o).ok());
  REQUIRE(SetOptionKnob(on, 0, o).ok());
  REQUIRE(SetOptionKnob(seed, 9007199254740992.0, o).ok());
  CHECK(o.seed == 9007199254740992ULL);
  CHECK(o.rate == 1.0);
  CHECK(o.scale == 1e9);
  CHECK(o.count == 7);
  CHECK_FALSE(o.on);

  auto refused = [&](const OptionKnob<Options>& k, double v) {
    const Options before = o;
    absl::Status s = SetOptionKnob(k, v, o);
    // A refused value leaves the options as they were.
    CHECK(o.rate == before.rate);
    CHECK(o.scale == before.scale);
    CHECK(o.count == before.count);
    CHECK(o.on == before.on);
    CHECK(o.seed == before.seed);
    REQUIRE_FALSE(s.ok());
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    return std::string(s.message());
  };
  CHECK(refused(rate, 0) == "rate must be in (0, 1], got 0");
  CHECK(refused(rate, 1.01) == "rate must be in (0, 1], got 1.01");
  CHECK(refused(scale, 0.25) == "scale must be >= 0.5, got 0.25");
  CHECK(refused(scale, std::numeric_limits<double>::infinity()) == "scale must be >= 0.5, got inf");
  CHECK(refused(count, 2.5) == "count must be a whole number in [1, 1000000], got 2.5");
  CHECK(refused(count, 0) == "count must be a whole number in [1, 1000000], got 0");
  CHECK(refused(count, std::nan("")) == "count must be a whole number in [1, 1000000], got nan");
  CHECK(refused(on, 2) == "on must be 0 or 1, got 2");
  CHECK(refused(on, 0.5) == "on must be 0 or 1, got 0.5");
  CHECK(refused(seed, -1) == "seed must be a whole number in [0, 9007199254740992], got -1");
}

}  // namespace
}  // namespace foresight
