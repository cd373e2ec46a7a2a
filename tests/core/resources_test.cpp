#include "foresight/core/resources.hpp"

#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "foresight/core/units.hpp"
#include "foresight/core/user.hpp"

namespace foresight {

TEST_CASE("ResourceVector arithmetic is element-wise") {
  const ResourceVector a = MakeResources(1, 2, 3, 4), b = MakeResources(4, 3, 2, 1);
  CHECK(a + b == ResourceVector::Filled(5));
  CHECK((a - b).cpu() == -3);
  CHECK((a * 2).net() == 8);
  CHECK(Max(a, b) == MakeResources(4, 3, 3, 4));
  CHECK(Min(a, b) == MakeResources(1, 2, 2, 1));
  CHECK(AllLessEqual(a, MakeResources(1, 2, 3, 4)));
  CHECK_FALSE(AllLessEqual(a, MakeResources(1, 2, 3, 3.9)));
}

TEST_CASE("IsValidAmount rejects NaN, infinity and negatives") {
  CHECK(IsValidAmount(MakeResources(0, 1, 2, 3)));
  CHECK_FALSE(IsValidAmount(MakeResources(std::nan(""), 1, 2, 3)));
  CHECK_FALSE(IsValidAmount(MakeResources(0, INFINITY, 2, 3)));
  CHECK_FALSE(IsValidAmount(MakeResources(0, 1, -2, 3)));
}

TEST_CASE("Resource names round-trip") {
  for (Resource r : kAllResources) {
    auto parsed = ParseResource(ResourceName(r));
    REQUIRE(parsed.ok());
    CHECK(*parsed == r);
  }
  CHECK(ParseResource("mem").value() == Resource::kMemory);
  CHECK_FALSE(ParseResource("gpu").ok());
  CHECK(std::string(ParseResource("gpu").status().message()).find("gpu") != std::string::npos);
}

TEST_CASE("ParseQuantity understands Kubernetes suffixes") {
  CHECK(ParseQuantity("500m", Resource::kCpu).value() == doctest::Approx(0.5));
  CHECK(ParseQuantity("2", Resource::kCpu).value() == 2.0);
  CHECK(ParseQuantity("2Gi", Resource::kMemory).value() == 2147483648.0);
  CHECK(ParseQuantity("1.5G", Resource::kMemory).value() == 1.5e9);
  CHECK(ParseQuantity("100Mi", Resource::kNet).value() == 104857600.0);
  CHECK(ParseQuantity("3k", Resource::kIo).value() == 3000.0);
  CHECK_FALSE(ParseQuantity("", Resource::kCpu).ok());
  CHECK_FALSE(ParseQuantity("abc", Resource::kCpu).ok());
  CHECK_FALSE(ParseQuantity("-1", Resource::kCpu).ok());
  CHECK_FALSE(ParseQuantity("nan", Resource::kCpu).ok());
  CHECK_FALSE(ParseQuantity("2Xi", Resource::kMemory).ok());
  // Finite before its suffix, infinite after: found by fuzz/quantities_fuzzer.cpp's invariant.
  absl::StatusOr<double> huge = ParseQuantity("1e300Ei", Resource::kMemory);
  REQUIRE_FALSE(huge.ok());
  CHECK(std::string(huge.status().message()) == "memory quantity '1e300Ei' is too large");
  CHECK(ParseQuantity("1e290Ei", Resource::kMemory).ok());
}

TEST_CASE("ParseSpan reads absl durations, days and weeks; never negative or infinite") {
  CHECK(*ParseSpan("300s", "--step") == absl::Minutes(5));
  CHECK(*ParseSpan("1.5h", "--step") == absl::Minutes(90));
  CHECK(*ParseSpan("1d", "--warmup") == absl::Hours(24));
  CHECK(*ParseSpan("0.5d", "--warmup") == absl::Hours(12));
  CHECK(*ParseSpan("2w", "--warmup") == absl::Hours(24 * 14));
  CHECK(*ParseSpan("0", "--mean-lifetime") == absl::ZeroDuration());
  absl::StatusOr<absl::Duration> bad = ParseSpan("soon", "warmup");
  REQUIRE_FALSE(bad.ok());
  CHECK(std::string(bad.status().message()) ==
        "warmup: 'soon' is not a duration (e.g. 300s, 5m, 1h, 1d)");
  // absl::ParseDuration takes these; no flag that reads a span means them.
  for (const char* text : {"-5m", "-1d", "-0.5w"}) {
    absl::StatusOr<absl::Duration> negative = ParseSpan(text, "--warmup");
    REQUIRE_FALSE(negative.ok());
    CHECK(std::string(negative.status().message()) ==
          absl::StrCat("--warmup: '", text, "' is negative"));
  }
  for (const char* text : {"inf", "1e30d", "1e400d"}) {
    absl::StatusOr<absl::Duration> infinite = ParseSpan(text, "--step");
    REQUIRE_FALSE(infinite.ok());
    CHECK(std::string(infinite.status().message()) ==
          absl::StrCat("--step: '", text, "' is infinite or too long to represent"));
  }
  CHECK_FALSE(ParseSpan("nand", "--step").ok());
}

TEST_CASE("FormatQuantity prints short human forms") {
  CHECK(FormatQuantity(0.25, Resource::kCpu) == "250m");
  CHECK(FormatQuantity(2.0, Resource::kCpu) == "2");
  CHECK(FormatQuantity(3.0 * 1024 * 1024 * 1024, Resource::kMemory) == "3Gi");
  CHECK(FormatQuantity(512.0 * 1024, Resource::kNet) == "512Ki");
}

TEST_CASE("ParseResourceList fills named kinds and keeps defaults") {
  auto v = ParseResourceList("cpu=4,memory=16Gi", MakeResources(1, 1, 7, 8));
  REQUIRE(v.ok());
  CHECK(v->cpu() == 4);
  CHECK(v->memory() == 16.0 * 1024 * 1024 * 1024);
  CHECK(v->io() == 7);
  CHECK_FALSE(ParseResourceList("cpu4").ok());
  CHECK_FALSE(ParseResourceList("gpu=1").ok());
  CHECK_FALSE(ParseResourceList("cpu=-1").ok());
}

TEST_CASE("SlotMap hands out dense stable slots") {
  SlotMap m;
  CHECK(m.Insert(UserId{42}) == 0);
  CHECK(m.Insert(UserId{7}) == 1);
  CHECK(m.Insert(UserId{42}) == 0);
  CHECK(m.Find(UserId{7}) == 1);
  CHECK(m.Find(UserId{8}) == kNoSlot);
  CHECK(m.id(1) == UserId{7});
  CHECK(m.size() == 2);
}

TEST_CASE("SlotMap hands an erased user's slot to the next new user") {
  SlotMap m;
  for (std::uint64_t id : {10, 11, 12}) m.Insert(UserId{id});
  CHECK(m.Erase(UserId{11}));
  CHECK_FALSE(m.Erase(UserId{11}));  // already gone
  CHECK_FALSE(m.Erase(UserId{99}));  // never there
  CHECK(m.Find(UserId{11}) == kNoSlot);
  CHECK(m.id(1) == SlotMap::kFreeId);
  CHECK(m.live() == 2);
  CHECK(m.size() == 3);
  CHECK(m.Erase(UserId{10}));
  // Most recently freed first; the range grows only when none is free.
  CHECK(m.Insert(UserId{13}) == 0);
  CHECK(m.Insert(UserId{14}) == 1);
  CHECK(m.Insert(UserId{15}) == 3);
  CHECK(m.Insert(UserId{13}) == 0);  // already holds one
  CHECK(m.id(0) == UserId{13});
  CHECK(m.live() == 4);
  CHECK(m.size() == 4);
  // An erased id that comes back is a new user with a new slot.
  CHECK(m.Erase(UserId{12}));
  CHECK(m.Insert(UserId{11}) == 2);
}

TEST_CASE("UserDirectory interns names") {
  UserDirectory d;
  const UserId a = d.Intern("vm-a"), b = d.Intern("vm-b");
  CHECK(a != b);
  CHECK(d.Intern("vm-a") == a);
  CHECK(d.Name(b) == "vm-b");
  CHECK(d.Find("vm-c") == std::nullopt);
  CHECK(d.Name(UserId{99}) == "user#99");
}

}  // namespace foresight
