// Fuzz target: every trace format's reader, the resampler and the long-CSV
// writer (`LoadTrace`, `WriteLongCsv`).
//
// Input: byte 0 picks the format (kAllTraceFormats), byte 1's low bit the
// aggregation (mean or max) and its next bit, for google2019, JSON lines
// instead of CSV. The rest is the trace; "\n--file--\n" separates a second
// file: a second VM for the folder formats (bitbrains, planetlab), the
// vmtable.csv beside Azure readings, the container_meta.csv beside Alibaba
// container usage. Layout in docs/fuzzing.md.
//
// Invariants checked beyond "no crash, no leak, no undefined behaviour":
//  - a refusal is an input error (fuzz_check.hpp's IsInputError), never
//    Internal or Unknown, and has a message;
//  - a loaded trace's demand is NaN (missing) or finite and >= 0, its users
//    and demand rows agree, and every user's capacity changes are in time
//    order;
//  - written as long CSV and read back, every user ever present comes back
//    in order, with the same name and the same demand at the same instants,
//    bit for bit (CheckRoundTrip says what may differ).
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "foresight/core/resources.hpp"
#include "foresight/trace/format.hpp"
#include "foresight/trace/loader.hpp"
#include "foresight/trace/long_csv.hpp"
#include "fuzz_check.hpp"

namespace {

namespace fs = std::filesystem;
using foresight::TraceFormat;

void WriteFile(const fs::path& p, std::string_view content) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

// Where the format's reader looks for its first and second file.
std::pair<fs::path, fs::path> Layout(TraceFormat f, bool json) {
  switch (f) {
    case TraceFormat::kLong:
      return {"trace.csv", "more.csv"};
    case TraceFormat::kBitbrains:
      return {"fastStorage/2013-8/1.csv", "fastStorage/2013-8/2.csv"};
    case TraceFormat::kAzure:
      return {"vm_cpu_readings-file-1-of-1.csv", "vmtable.csv"};
    case TraceFormat::kAlibabaMachine:
      return {"machine_usage.csv", "machine_usage_2.csv"};
    case TraceFormat::kAlibabaContainer:
      return {"container_usage.csv", "container_meta.csv"};
    case TraceFormat::kGoogle2011:
      return {"part-00000-of-00500.csv", "part-00001-of-00500.csv"};
    case TraceFormat::kGoogle2019:
      return json ? std::pair<fs::path, fs::path>{"instance_usage-000.json", "instance_usage-001.json"}
                  : std::pair<fs::path, fs::path>{"instance_usage-000.csv", "instance_usage-001.csv"};
    case TraceFormat::kPlanetLab:
      return {"20110303/vm-a", "20110303/vm-b"};
  }
  return {"trace.csv", "more.csv"};
}

foresight::LoadOptions SmallLimits(bool max) {
  foresight::LoadOptions o;
  o.resample.step = absl::Minutes(5);
  o.resample.aggregation = max ? foresight::Aggregation::kMax : foresight::Aggregation::kMean;
  // Bounds that keep one input cheap; a trace past them must be refused, not loaded.
  o.resample.max_span_steps = 50'000;
  o.resample.max_tensor_bytes = std::size_t{16} << 20;
  return o;
}

void CheckLoaded(const foresight::LoadedTrace& t) {
  const foresight::Workload& w = t.workload;
  FUZZ_CHECK(w.demand.users() == w.users.size(), "%zu demand rows for %zu users",
             w.demand.users(), w.users.size());
  FUZZ_CHECK(t.capacity.size() == w.users.size(), "capacity for %zu of %zu users",
             t.capacity.size(), w.users.size());
  for (std::size_t u = 0; u < w.users.size(); ++u) {
    // Inside the user's window only: outside it the table reads NaN, and a
    // sparse grid (entities years apart) may have millions of steps.
    const foresight::StepWindow& window = w.demand.window(u);
    FUZZ_CHECK(window.empty() || window.last < w.num_steps(), "user %zu's window past the grid", u);
    for (std::size_t s = window.first; window.Contains(s); ++s) {
      for (std::size_t r = 0; r < foresight::kNumResources; ++r) {
        const double d = w.demand(u, s, r);
        FUZZ_CHECK(std::isnan(d) || (std::isfinite(d) && d >= 0), "demand %g at user %zu step %zu",
                   d, u, s);
      }
    }
    for (std::size_t i = 1; i < t.capacity[u].size(); ++i) {
      FUZZ_CHECK(t.capacity[u][i - 1].time <= t.capacity[u][i].time,
                 "capacity changes of user %zu out of time order", u);
    }
  }
}

// Present steps of user `u`: (time, demand) for every step with a sample.
std::vector<std::pair<absl::Time, foresight::ResourceVector>> PresentSteps(
    const foresight::Workload& w, std::size_t u) {
  std::vector<std::pair<absl::Time, foresight::ResourceVector>> out;
  const foresight::StepWindow& window = w.demand.window(u);
  for (std::size_t t = window.first; window.Contains(t); ++t) {
    if (w.Present(u, t)) out.emplace_back(w.time(t), w.DemandVector(u, t));
  }
  return out;
}

// The long CSV holds present steps only, so the round trip keeps every user
// that is ever present, in order, with the same demand at the same instants,
// bit for bit. A user never present (every step partial) has no row to write;
// the grid's ends and the users' windows may shrink to the present steps.
void CheckRoundTrip(const foresight::LoadedTrace& t, bool max) {
  const fs::path csv = foresight::fuzz::ScratchDir() / "round_trip.csv";
  const absl::Status written = foresight::WriteLongCsv(t.workload, csv.string());
  FUZZ_CHECK(written.ok(), "WriteLongCsv: %s", std::string(written.message()).c_str());
  const foresight::Workload& a = t.workload;
  std::vector<std::size_t> present;
  for (std::size_t u = 0; u < a.users.size(); ++u) {
    if (!PresentSteps(a, u).empty()) present.push_back(u);
  }
  foresight::LoadOptions o = SmallLimits(max);
  o.resample.step = a.step;
  absl::StatusOr<foresight::LoadedTrace> back =
      foresight::LoadTrace(csv.string(), TraceFormat::kLong, o);
  if (present.empty()) {
    FUZZ_CHECK(!back.ok(), "a trace with nothing present read back with samples");
    return;
  }
  FUZZ_CHECK(back.ok(), "reading back the long CSV: %s",
             std::string(back.status().message()).c_str());
  const foresight::Workload& b = back->workload;
  FUZZ_CHECK(a.step == b.step, "step changed");
  FUZZ_CHECK(present.size() == b.users.size(), "%zu users ever present became %zu",
             present.size(), b.users.size());
  for (std::size_t i = 0; i < present.size(); ++i) {
    const std::size_t u = present[i];
    FUZZ_CHECK(a.users[u].name == b.users[i].name, "user %zu '%s' became '%s'", u,
               a.users[u].name.c_str(), b.users[i].name.c_str());
    const auto before = PresentSteps(a, u), after = PresentSteps(b, i);
    FUZZ_CHECK(before.size() == after.size(), "user '%s': %zu present steps became %zu",
               a.users[u].name.c_str(), before.size(), after.size());
    for (std::size_t k = 0; k < before.size(); ++k) {
      FUZZ_CHECK(before[k].first == after[k].first, "user '%s': step %zu moved",
                 a.users[u].name.c_str(), k);
      for (std::size_t r = 0; r < foresight::kNumResources; ++r) {
        FUZZ_CHECK(before[k].second.values[r] == after[k].second.values[r],
                   "user '%s' step %zu resource %zu: %.17g became %.17g", a.users[u].name.c_str(),
                   k, r, before[k].second.values[r], after[k].second.values[r]);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const TraceFormat format = foresight::kAllTraceFormats[data[0] % foresight::kAllTraceFormats.size()];
  const bool max = (data[1] & 1) != 0;
  const bool json = (data[1] & 2) != 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
  std::string_view second;
  bool has_second = false;
  constexpr std::string_view kSeparator = "\n--file--\n";
  if (const std::size_t cut = body.find(kSeparator); cut != std::string_view::npos) {
    second = body.substr(cut + kSeparator.size());
    body = body.substr(0, cut + 1);
    has_second = true;
  }

  const fs::path dir = foresight::fuzz::ScratchDir() / "trace";
  fs::remove_all(dir);
  const auto [first_name, second_name] = Layout(format, json);
  WriteFile(dir / first_name, body);
  if (has_second) WriteFile(dir / second_name, second);

  absl::StatusOr<foresight::LoadedTrace> t =
      foresight::LoadTrace(dir.string(), format, SmallLimits(max));
  if (foresight::fuzz::Verbose()) {
    std::fprintf(stderr, "%s: %s\n", std::string(foresight::TraceFormatName(format)).c_str(),
                 t.ok() ? absl::StrCat(t->workload.num_users(), " entities, ",
                                       t->workload.num_steps(), " steps").c_str()
                        : t.status().ToString().c_str());
  }
  if (!t.ok()) {
    FUZZ_CHECK(foresight::fuzz::IsInputError(t.status()), "not an input error: %s",
               t.status().ToString().c_str());
    return 0;
  }
  CheckLoaded(*t);
  CheckRoundTrip(*t, max);
  return 0;
}
