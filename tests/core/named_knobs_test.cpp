#include "foresight/core/named_knobs.hpp"

#include <doctest/doctest.h>

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

}  // namespace
}  // namespace foresight
