// Fuzz target: the small text parsers behind command-line flags and Python
// arguments: `ParseQuantity` and `ParseResourceList` (core/units.hpp, e.g.
// --host-capacity cpu=32,memory=128Gi), `ParseSpan` (core/units.hpp too,
// --step, --warmup, --dwell) and `ParseResource` / `ParseTraceFormat`.
//
// Input: the text, given to every parser.
//
// Invariants checked: a refusal is InvalidArgument with a message; an
// accepted quantity is finite and >= 0; an accepted resource list holds only
// finite, non-negative values over its defaults; an accepted span is finite
// and >= 0; an accepted resource's name reads back as it ("mem" prints as memory), an
// accepted format's name is the text.
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "foresight/core/resources.hpp"
#include "foresight/core/units.hpp"
#include "foresight/trace/format.hpp"
#include "fuzz_check.hpp"

namespace {

void CheckRefusal(const absl::Status& s, std::string_view what) {
  FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument && !s.message().empty(),
             "%s: not an input error: %s", std::string(what).c_str(), s.ToString().c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (foresight::Resource r : foresight::kAllResources) {
    absl::StatusOr<double> q = foresight::ParseQuantity(text, r);
    if (q.ok()) {
      FUZZ_CHECK(std::isfinite(*q) && *q >= 0, "quantity '%s' read as %g",
                 std::string(text).c_str(), *q);
    } else {
      CheckRefusal(q.status(), "ParseQuantity");
    }
  }
  absl::StatusOr<foresight::ResourceVector> list = foresight::ParseResourceList(text);
  if (list.ok()) {
    for (double v : list->values) {
      FUZZ_CHECK(std::isfinite(v) && v >= 0, "resource list '%s' holds %g",
                 std::string(text).c_str(), v);
    }
  } else {
    CheckRefusal(list.status(), "ParseResourceList");
  }
  absl::StatusOr<absl::Duration> span = foresight::ParseSpan(text, "--fuzz");
  if (span.ok()) {
    FUZZ_CHECK(*span >= absl::ZeroDuration() && *span < absl::InfiniteDuration(),
               "span '%s' read as %s", std::string(text).c_str(),
               absl::FormatDuration(*span).c_str());
  } else {
    CheckRefusal(span.status(), "ParseSpan");
  }
  absl::StatusOr<foresight::Resource> r = foresight::ParseResource(text);
  if (r.ok()) {
    absl::StatusOr<foresight::Resource> back = foresight::ParseResource(foresight::ResourceName(*r));
    FUZZ_CHECK(back.ok() && *back == *r, "resource '%s' does not read back from its name %s",
               std::string(text).c_str(), std::string(foresight::ResourceName(*r)).c_str());
  } else {
    CheckRefusal(r.status(), "ParseResource");
  }
  absl::StatusOr<foresight::TraceFormat> f = foresight::ParseTraceFormat(text);
  if (f.ok()) {
    FUZZ_CHECK(foresight::TraceFormatName(*f) == text, "format '%s' misread",
               std::string(text).c_str());
  } else {
    CheckRefusal(f.status(), "ParseTraceFormat");
  }
  return 0;
}
