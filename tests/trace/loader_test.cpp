// Loader tests: one fixture per documented layout (tests/data/trace/<format>/).
#include "foresight/trace/loader.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "test_util.hpp"

namespace foresight {
namespace {

using testing::StepOf;
using testing::TraceData;
using testing::UserIndex;

constexpr double kGiB = 1024.0 * 1024 * 1024;

LoadedTrace Load(const std::string& rel, TraceFormat f, LoadOptions opts = {}) {
  absl::StatusOr<LoadedTrace> t = LoadTrace(TraceData(rel), f, opts);
  REQUIRE_MESSAGE(t.ok(), t.status().ToString());
  REQUIRE(ValidateWorkload(t->workload).ok());
  return *std::move(t);
}

TEST_CASE("long CSV: Unix seconds and RFC 3339, mean per step, gaps stay NaN") {
  LoadOptions opts;
  opts.resample.step = absl::Minutes(10);
  const LoadedTrace t = Load("long/usage.csv", TraceFormat::kLong, opts);
  const Workload& w = t.workload;
  REQUIRE(w.num_users() == 2);
  CHECK(w.users[0].name == "web");  // order of first appearance
  CHECK(w.users[1].name == "db");
  CHECK(w.start == absl::FromUnixSeconds(1699999800));
  REQUIRE(w.num_steps() == 4);
  CHECK(w.Demand(0, 0, Resource::kCpu) == doctest::Approx(2.0));
  CHECK(w.Demand(0, 0, Resource::kMemory) == doctest::Approx(2.5 * kGiB));
  CHECK(w.Demand(0, 1, Resource::kCpu) == doctest::Approx(1.0));
  CHECK(w.Demand(0, 2, Resource::kCpu) == doctest::Approx(3.0));
  CHECK_FALSE(w.Present(0, 3));
  CHECK(std::isnan(w.Demand(0, 3, Resource::kMemory)));
  CHECK(w.Demand(1, 0, Resource::kCpu) == doctest::Approx(0.75));
  CHECK(w.Demand(1, 1, Resource::kCpu) == doctest::Approx(0.5));  // the RFC 3339 row
  CHECK_FALSE(w.Present(1, 2));                                   // a gap, not zero
  CHECK(w.Demand(1, 3, Resource::kCpu) == doctest::Approx(0.25));
  // Unmeasured resources are 0 at present steps and flagged.
  CHECK(t.measured.cpu());
  CHECK(t.measured.memory());
  CHECK_FALSE(t.measured.io());
  CHECK(w.Demand(0, 0, Resource::kIo) == 0.0);
  // Capacity given -> initial allocation; none -> first-day peak.
  CHECK(w.users[0].initial_allocation.cpu() == 4.0);
  CHECK(w.users[0].initial_allocation.memory() == 8 * kGiB);
  CHECK(w.users[1].initial_allocation.cpu() == doctest::Approx(0.75));
  CHECK(w.users[1].initial_allocation.memory() == doctest::Approx(1 * kGiB));
  CHECK(t.stats.rows == 14);
  CHECK(t.stats.files == 1);
}

TEST_CASE("Bitbrains: ';\\t' columns, seconds or milliseconds, MHz -> cores, KB -> bytes") {
  const LoadedTrace t = Load("bitbrains", TraceFormat::kBitbrains);
  const Workload& w = t.workload;
  REQUIRE(w.num_users() == 2);
  CHECK(w.users[0].name == "1");
  CHECK(w.users[1].name == "2");
  CHECK(w.start == absl::FromUnixSeconds(1376314800));
  REQUIRE(w.num_steps() == 6);
  const double cpu1[] = {1.0, 2.0, 0.4, 4.0, 0.0, 3.0};
  for (std::size_t s = 0; s < 6; ++s)
    CHECK(w.Demand(0, s, Resource::kCpu) == doctest::Approx(cpu1[s]));
  CHECK(w.Demand(0, 0, Resource::kMemory) == doctest::Approx(4 * kGiB));
  CHECK(w.Demand(0, 2, Resource::kIo) == doctest::Approx((20 + 5) * 1024.0));
  CHECK(w.Demand(0, 0, Resource::kNet) == doctest::Approx(5 * 1024.0));
  CHECK(w.users[0].initial_allocation.cpu() == 4.0);
  CHECK(w.users[0].initial_allocation.memory() == doctest::Approx(16 * kGiB));
  // VM 2 has millisecond timestamps and grows from 2 to 4 cores at +900 s.
  CHECK(w.Demand(1, 0, Resource::kCpu) == doctest::Approx(1.0));
  CHECK(w.Demand(1, 3, Resource::kCpu) == doctest::Approx(2.0));
  CHECK_FALSE(w.Present(1, 4));
  REQUIRE(t.capacity[1].size() == 2);
  CHECK(t.capacity[1][0].capacity.cpu() == 2.0);
  CHECK(t.capacity[1][1].capacity.cpu() == 4.0);
  CHECK(t.capacity[1][1].time == absl::FromUnixSeconds(1376314846 + 900));
  CHECK(t.measured.io());
  CHECK(t.measured.net());
}

TEST_CASE("Bitbrains: a VM's rows with zero provisioned CPU are dropped, not read as idle") {
  // fastStorage VMs retired mid-month keep being logged with capacity and
  // usage 0; VM 1 is retired after two samples, VM 2 runs on.
  const LoadedTrace t = Load("bitbrains_retired", TraceFormat::kBitbrains);
  const Workload& w = t.workload;
  REQUIRE(w.num_users() == 2);
  REQUIRE(w.num_steps() == 4);
  CHECK(w.Demand(0, 0, Resource::kCpu) == doctest::Approx(4 * 10912.0 / 11703.99824));
  CHECK(w.Demand(0, 0, Resource::kMemory) == doctest::Approx(6129274.4 * 1024));
  CHECK(w.Demand(0, 1, Resource::kCpu) == doctest::Approx(2.0));
  CHECK_FALSE(w.Present(0, 2));  // before: present with CPU and memory 0
  CHECK_FALSE(w.Present(0, 3));
  CHECK(w.Present(1, 3));
  CHECK(t.stats.dropped_rows == 2);
  CHECK(t.stats.rows == 8);
  CHECK(w.users[0].initial_allocation.memory() == doctest::Approx(6.7108864E7 * 1024));
}

TEST_CASE("Azure vm_cpu_readings: CPU % of vmtable cores, default VM size, max column") {
  LoadedTrace t = Load("azure", TraceFormat::kAzure);
  const std::string a = "yNf/R3X8fyXkOJm3ihXQcT0F52a8cDWPPRzTT6QFW8N+1QPfeKR5//6xyX0VYn7X";
  const std::string b = "4WstS91ku8Sv3xwqV1jq2JZFpvNLdzCoZVBsTaVpYH3XgCVfV6EU2jcoxjEaXCxB";
  {
    const Workload& w = t.workload;
    const std::size_t ua = UserIndex(w, a), ub = UserIndex(w, b);
    REQUIRE(ua < 2);
    REQUIRE(ub < 2);
    REQUIRE(w.num_steps() == 3);
    CHECK(w.Demand(ua, 0, Resource::kCpu) == doctest::Approx(0.8));  // 20 % of 4 cores
    CHECK(w.Demand(ua, 1, Resource::kCpu) == doctest::Approx(2.0));
    CHECK(w.Demand(ub, 0, Resource::kCpu) == doctest::Approx(0.015));  // 1.5 % of 1 core
    CHECK_FALSE(w.Present(ub, 2));
    CHECK(w.users[ua].initial_allocation.cpu() == 4.0);
    CHECK(w.users[ua].initial_allocation.memory() == doctest::Approx(8 * kGiB));
    CHECK_FALSE(t.measured.memory());
  }
  LoadOptions opts;
  opts.resample.aggregation = Aggregation::kMax;
  opts.entity_capacity.cpu() = 2.0;
  t = Load("azure", TraceFormat::kAzure, opts);
  const Workload& w = t.workload;
  CHECK(w.Demand(UserIndex(w, a), 1, Resource::kCpu) == doctest::Approx(3.2));   // max 80 % of 4
  CHECK(w.Demand(UserIndex(w, b), 1, Resource::kCpu) == doctest::Approx(0.06));  // max 3 % of 2
}

TEST_CASE("Alibaba machine_usage: irregular sampling, empty fields missing not zero") {
  LoadOptions opts;
  const LoadedTrace t = Load("alibaba", TraceFormat::kAlibabaMachine, opts);
  const Workload& w = t.workload;
  const std::size_t m1 = UserIndex(w, "m_1"), m2 = UserIndex(w, "m_2");
  REQUIRE(m1 < 2);
  REQUIRE(m2 < 2);
  REQUIRE(w.num_steps() == 3);
  CHECK(w.Demand(m1, 0, Resource::kCpu) == doctest::Approx(0.245 * 96));  // 10 samples, mean 24.5 %
  CHECK(w.Demand(m1, 1, Resource::kCpu) == doctest::Approx(0.34 * 96));
  CHECK(w.Demand(m1, 2, Resource::kCpu) == doctest::Approx(0.39 * 96));
  CHECK(w.Demand(m1, 0, Resource::kNet) == doctest::Approx(0.5 * 1.25e9));
  CHECK(w.Demand(m2, 0, Resource::kCpu) == doctest::Approx(0.55 * 96));
  // The second m_2 row has no memory: the mean is over the one row that has it.
  CHECK(w.Demand(m2, 0, Resource::kMemory) == doctest::Approx(0.8 * 512 * kGiB));
  CHECK(t.stats.missing_fields == 1);
  CHECK(w.users[m1].initial_allocation.cpu() == 96.0);

  // At 60 s steps the memory-less row is alone in its step: the step is missing.
  opts.resample.step = absl::Seconds(60);
  const LoadedTrace fine = Load("alibaba", TraceFormat::kAlibabaMachine, opts);
  const std::size_t f2 = UserIndex(fine.workload, "m_2");
  CHECK(fine.workload.Present(f2, 0));
  CHECK_FALSE(fine.workload.Present(f2, 1));
  CHECK(fine.stats.partial_steps == 1);
  // Max aggregation over m_1's first minute (20 %, 21 %).
  opts.resample.aggregation = Aggregation::kMax;
  const LoadedTrace peak = Load("alibaba", TraceFormat::kAlibabaMachine, opts);
  CHECK(peak.workload.Demand(UserIndex(peak.workload, "m_1"), 0, Resource::kCpu) ==
        doctest::Approx(0.21 * 96));
}

TEST_CASE("Alibaba: -1 and 101 percent are invalid markers (missing); rows without an id dropped") {
  // trace_2018.md documents -1 and 101 as invalid in the utilisation columns.
  const LoadedTrace t = Load("alibaba_invalid", TraceFormat::kAlibabaMachine);
  const Workload& w = t.workload;
  REQUIRE(w.num_users() == 1);
  REQUIRE(w.num_steps() == 3);
  CHECK(w.Demand(0, 0, Resource::kCpu) == doctest::Approx(0.30 * 96));  // mean of 20 and 40 %
  CHECK(w.Demand(0, 0, Resource::kMemory) == doctest::Approx(0.55 * 512 * kGiB));  // 50, 60 %
  CHECK_FALSE(w.Present(0, 1));  // its one row is 101 % CPU and -1 % memory: no sample
  CHECK(w.Demand(0, 2, Resource::kCpu) == doctest::Approx(0.10 * 96));
  CHECK(t.stats.missing_fields == 4);
  CHECK(t.stats.partial_steps == 1);
  CHECK(t.stats.dropped_rows == 1);  // the row without a machine_id

  const LoadedTrace c = Load("alibaba_container_invalid", TraceFormat::kAlibabaContainer);
  REQUIRE(c.workload.num_users() == 1);
  CHECK(c.workload.Demand(0, 0, Resource::kCpu) == doctest::Approx(4.0));  // 100 % of 4 cores
  CHECK(c.workload.Demand(0, 0, Resource::kMemory) == doctest::Approx(0.4 * 16 * kGiB));
  CHECK(c.stats.missing_fields == 2);
  CHECK(c.stats.dropped_rows == 1);

  // Other negative values are still errors that name the cell.
  const std::string path = testing::TempPath("alibaba_negative.csv");
  {
    std::ofstream out(path);
    out << "m_1,0,20,50,,,30.0,20.0,3\nm_1,10,-2,50,,,30.0,20.0,3\n";
  }
  absl::StatusOr<LoadedTrace> bad = LoadTrace(path, TraceFormat::kAlibabaMachine);
  std::remove(path.c_str());
  REQUIRE_FALSE(bad.ok());
  CHECK(std::string(bad.status().message()).find("alibaba_negative.csv:2:3:") != std::string::npos);
  CHECK(std::string(bad.status().message()).find("-2 is negative") != std::string::npos);
}

TEST_CASE("Alibaba container_usage: sizes from container_meta, changing over time") {
  const LoadedTrace t = Load("alibaba_container", TraceFormat::kAlibabaContainer);
  const Workload& w = t.workload;
  const std::size_t c1 = UserIndex(w, "c_1"), c2 = UserIndex(w, "c_2");
  REQUIRE(c1 < 2);
  REQUIRE(c2 < 2);
  CHECK(w.Demand(c1, 0, Resource::kCpu) == doctest::Approx(3.0));  // mean of 50 %, 100 % of 4 cores
  CHECK(w.Demand(c1, 1, Resource::kCpu) == doctest::Approx(2.4));  // 30 % of 8 cores after resize
  CHECK(w.Demand(c1, 0, Resource::kMemory) == doctest::Approx(0.4 * 0.0313 * 512 * kGiB));
  CHECK(w.Demand(c2, 0, Resource::kCpu) == doctest::Approx(0.4));  // assumed 4-core container
  REQUIRE(t.capacity[c1].size() == 2);
  CHECK(t.capacity[c1][1].capacity.cpu() == 8.0);
  CHECK(w.users[c1].initial_allocation.cpu() == 4.0);
}

TEST_CASE("Google 2011 task_usage: microsecond times, normalised units") {
  const LoadedTrace t = Load("google2011", TraceFormat::kGoogle2011);
  const Workload& w = t.workload;
  const std::size_t t0 = UserIndex(w, "3418309/0"), t1 = UserIndex(w, "3418309/1");
  REQUIRE(t0 < 2);
  REQUIRE(t1 < 2);
  CHECK(w.start == absl::FromUnixSeconds(600));
  CHECK(w.Demand(t0, 0, Resource::kCpu) == doctest::Approx(1.0));  // 0.03125 x 32 cores
  CHECK(w.Demand(t0, 0, Resource::kMemory) == doctest::Approx(8 * kGiB));
  CHECK(w.Demand(t0, 1, Resource::kCpu) == doctest::Approx(0.5));
  CHECK(w.Demand(t1, 0, Resource::kCpu) == doctest::Approx(2.0));
  CHECK_FALSE(w.Present(t1, 1));
  LoadOptions opts;
  opts.resample.aggregation = Aggregation::kMax;
  opts.machine_capacity.cpu() = 64;
  const LoadedTrace peak = Load("google2011", TraceFormat::kGoogle2011, opts);
  CHECK(peak.workload.Demand(UserIndex(peak.workload, "3418309/0"), 0, Resource::kCpu) ==
        doctest::Approx(0.05 * 64));
}

TEST_CASE("Google 2019 instance_usage: JSON lines and CSV export agree") {
  const LoadedTrace j = Load("google2019", TraceFormat::kGoogle2019);
  const LoadedTrace c = Load("google2019_csv", TraceFormat::kGoogle2019);
  const std::size_t uj = UserIndex(j.workload, "361124567/0");
  const std::size_t uc = UserIndex(c.workload, "361124567/0");
  REQUIRE(uj < j.workload.num_users());
  REQUIRE(uc < c.workload.num_users());
  CHECK(j.workload.num_users() == 2);
  for (std::size_t s = 0; s < 2; ++s) {
    CHECK(j.workload.Demand(uj, s, Resource::kCpu) ==
          doctest::Approx(c.workload.Demand(uc, s, Resource::kCpu)));
    CHECK(j.workload.Demand(uj, s, Resource::kMemory) ==
          doctest::Approx(c.workload.Demand(uc, s, Resource::kMemory)));
  }
  CHECK(j.workload.Demand(uj, 0, Resource::kCpu) == doctest::Approx(0.4));
  CHECK(j.workload.Demand(uj, 1, Resource::kCpu) == doctest::Approx(1.2));
  CHECK(j.workload.Demand(UserIndex(j.workload, "361124567/1"), 0, Resource::kCpu) ==
        doctest::Approx(0.8));
}

TEST_CASE("PlanetLab: folder per day, 288 lines per VM, VMs joined across days") {
  const LoadedTrace t = Load("planetlab", TraceFormat::kPlanetLab);
  const Workload& w = t.workload;
  const std::string both = "146-179_surfsnel_dsl_internl_net_colostate_557";
  const std::size_t u = UserIndex(w, both), v = UserIndex(w, "planetlab1_fct_ualg_pt_root");
  REQUIRE(u < 2);
  REQUIRE(v < 2);
  CHECK(w.start == absl::FromCivil(absl::CivilDay(2011, 3, 3), absl::UTCTimeZone()));
  REQUIRE(w.num_steps() == 576);
  std::ifstream day1(TraceData("planetlab/20110303/" + both));
  std::ifstream day2(TraceData("planetlab/20110304/" + both));
  double first1 = 0, first2 = 0;
  day1 >> first1;
  day2 >> first2;
  CHECK(w.Demand(u, 0, Resource::kCpu) == doctest::Approx(first1 / 100));
  CHECK(w.Demand(u, 288, Resource::kCpu) == doctest::Approx(first2 / 100));
  CHECK(w.Present(v, 287));
  CHECK_FALSE(w.Present(v, 288));  // only on the first day
  CHECK(t.stats.rows == 3 * 288);
}

TEST_CASE("ReadTrace streams samples without resampling") {
  std::size_t n = 0;
  TraceStats stats;
  absl::Status s = ReadTrace(
      TraceData("bitbrains"), TraceFormat::kBitbrains, {},
      [&](const TraceSample& sample) {
        ++n;
        CHECK_FALSE(sample.entity.empty());
        return absl::OkStatus();
      },
      &stats);
  REQUIRE(s.ok());
  CHECK(n == 10);
  CHECK(stats.rows == 10);
  CHECK(stats.files == 2);
  CHECK(stats.bytes > 0);
}

TEST_CASE("progress reports bytes of the files on disk up to the total") {
  LoadOptions opts;
  std::uint64_t last = 0, total = 0;
  std::size_t calls = 0;
  opts.progress = [&](std::uint64_t done, std::uint64_t all) {
    CHECK(done >= last);
    last = done;
    total = all;
    ++calls;
  };
  REQUIRE(LoadTrace(TraceData("bitbrains"), TraceFormat::kBitbrains, opts).ok());
  CHECK(calls >= 3);  // start + one per file
  CHECK(total > 0);
  CHECK(last == total);
}

TEST_CASE("format names round-trip") {
  for (TraceFormat f : kAllTraceFormats) {
    absl::StatusOr<TraceFormat> back = ParseTraceFormat(TraceFormatName(f));
    REQUIRE(back.ok());
    CHECK(*back == f);
  }
  CHECK_FALSE(ParseTraceFormat("swf").ok());
}

}  // namespace
}  // namespace foresight
