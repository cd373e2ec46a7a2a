// Bad rows are errors that name the file, the line and the column; none becomes zero.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "foresight/core/absl_compat.hpp"
#include "foresight/trace/loader.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

using testing::TraceData;

std::string LoadError(const std::string& rel, TraceFormat f) {
  absl::StatusOr<LoadedTrace> t = LoadTrace(TraceData(rel), f);
  REQUIRE_FALSE(t.ok());
  return std::string(StdSv(t.status().message()));
}

void CheckLocated(const std::string& message, const std::string& where, const std::string& what) {
  INFO(message);
  CHECK(message.find(where) != std::string::npos);
  CHECK(message.find(what) != std::string::npos);
}

// One bad fixture per row: the error must name `where` (file:line:column, or
// file:line when the column is the whole row) and say `what` is wrong.
struct BadFixture {
  const char* rel;
  TraceFormat format;
  const char* where;
  const char* what;
};

constexpr BadFixture kBadFixtures[] = {
    {"long/bad_usage.csv", TraceFormat::kLong, "long/bad_usage.csv:3:4:", "'abc' is not a number"},
    {"long/bad_time.csv", TraceFormat::kLong, "bad_time.csv:2:1:",
     "'yesterday' is neither Unix seconds nor RFC 3339"},
    {"long/bad_resource.csv", TraceFormat::kLong, "bad_resource.csv:2:3:", "unknown resource 'gpu'"},
    {"long/negative.csv", TraceFormat::kLong, "negative.csv:3:4:", "is negative"},
    {"long/no_header.csv", TraceFormat::kLong, "no_header.csv:1:", "header has no 'time' column"},
    {"bitbrains_bad", TraceFormat::kBitbrains, "1.csv:3:4:",
     "column 'CPU usage [MHZ]': 'n/a' is not a number"},
    {"azure_noheader_bad", TraceFormat::kAzure, "1-of-1.csv:2:5:",
     "expected at least 5 fields, found 4"},
    {"google2011_bad", TraceFormat::kGoogle2011, "00500.csv:1:7:", "'NaN' is not a number"},
    {"google2019_bad", TraceFormat::kGoogle2019, "instance_usage.json:2:",
     "'average_usage.cpus' is not a number"},
    {"planetlab_bad", TraceFormat::kPlanetLab, "20110303/vm:4:1:", "'30%' is not a number"},
    // Times past what absl::Time holds (found by fuzz/trace_loader_fuzzer.cpp:
    // Google's microseconds were cast to int64 with undefined overflow, and
    // long CSV's Unix seconds overflowed the resampler's step arithmetic).
    {"google2011_far", TraceFormat::kGoogle2011, "00500.csv:1:", "time infinite-future is out of range"},
    {"long_far", TraceFormat::kLong, "far.csv:2:", "time infinite-future is out of range"},
};

TEST_CASE("every reader locates its errors: file, line, column and what is wrong") {
  for (const BadFixture& f : kBadFixtures) {
    INFO(f.rel);
    CheckLocated(LoadError(f.rel, f.format), f.where, f.what);
  }
}

TEST_CASE("missing paths and malformed quoting are errors") {
  CHECK(LoadTrace(TraceData("does-not-exist"), TraceFormat::kLong).status().code() ==
        absl::StatusCode::kNotFound);
  const std::string path = testing::TempPath("trace_bad_quote.csv");
  {
    std::ofstream out(path);
    out << "time,entity,resource,usage\n1700000000,\"web,cpu,1\n";
  }
  CheckLocated(std::string(StdSv(LoadTrace(path, TraceFormat::kLong).status().message())),
               "bad_quote.csv:2:", "malformed CSV");
  std::remove(path.c_str());
}

TEST_CASE("gzip traces read like plain ones; a truncated gzip is an error") {
  // A gzip of long/usage.csv written by zlib's command-line twin is not
  // available everywhere, so the test writes one with the loader's own library
  // through LoadTrace on a .gz made by `gzip` when present.
  const std::string plain = TraceData("long/usage.csv");
  const std::string gz = testing::TempPath("trace_usage.csv.gz");
  const std::string cmd = "gzip -c '" + plain + "' > " + gz;
  if (std::system(cmd.c_str()) != 0) return;
  absl::StatusOr<LoadedTrace> a = LoadTrace(plain, TraceFormat::kLong);
  absl::StatusOr<LoadedTrace> b = LoadTrace(gz, TraceFormat::kLong);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->workload.num_steps() == b->workload.num_steps());
  CHECK(a->workload.Demand(0, 0, Resource::kCpu) == b->workload.Demand(0, 0, Resource::kCpu));
  // Truncate the gzip stream.
  const std::string cut = testing::TempPath("trace_cut.csv.gz");
  std::ifstream in(gz, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  absl::StatusOr<LoadedTrace> c = LoadTrace(cut, TraceFormat::kLong);
  CHECK_FALSE(c.ok());
  std::remove(gz.c_str());
  std::remove(cut.c_str());
}

}  // namespace
}  // namespace foresight
