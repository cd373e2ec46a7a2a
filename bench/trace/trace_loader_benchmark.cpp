// Loader throughput (MB/s of uncompressed trace text) on generated files in the
// documented layouts, and the peak resident memory after loading (to show that
// memory follows the resampled tensor, not the file size).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "absl/strings/str_format.h"
#include "foresight/trace/loader.hpp"

namespace foresight {
namespace {

constexpr std::size_t kEntities = 200;

std::string BenchDir() {
  const std::string dir =
      (std::filesystem::temp_directory_path() / "foresight_trace_bench").string();
  std::filesystem::create_directories(dir);
  return dir;
}

// ~`mb` MB of long CSV: kEntities entities, 4 resources, 5-minute samples.
const std::string& LongCsv(std::size_t mb) {
  static std::string path;
  if (!path.empty()) return path;
  path = BenchDir() + "/long.csv";
  std::ofstream out(path);
  out << "time,entity,resource,usage\n";
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  const char* res[] = {"cpu", "memory", "io", "net"};
  std::size_t bytes = 0;
  for (std::int64_t t = 1'700'000'000; bytes < mb << 20; t += 300) {
    for (std::size_t e = 0; e < kEntities; ++e) {
      for (int r = 0; r < 4; ++r) {
        const std::string row =
            absl::StrFormat("%d,vm-%d,%s,%.6g\n", t, e, res[r], u(rng) * (r == 0 ? 8 : 8e9));
        out << row;
        bytes += row.size();
      }
    }
  }
  return path;
}

// ~`mb` MB of Azure vm_cpu_readings.
const std::string& Azure(std::size_t mb) {
  static std::string path;
  if (!path.empty()) return path;
  const std::string dir = BenchDir() + "/azure";
  std::filesystem::create_directories(dir);
  path = dir + "/vm_cpu_readings-file-1-of-1.csv";
  std::ofstream out(path);
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(0, 100);
  std::size_t bytes = 0;
  for (std::int64_t t = 0; bytes < mb << 20; t += 300) {
    for (std::size_t e = 0; e < kEntities; ++e) {
      const double a = u(rng), b = u(rng);
      const std::string row = absl::StrFormat(
          "%d,Jd5Rk9xYvQ0b2hT7nLmP3sWc8eFgHiJkLmNoPqRsTuVwXyZ0123456789abc%03d,%.6f,%.6f,%.6f\n", t,
          e, std::min(a, b), std::max(a, b), (a + b) / 2);
      out << row;
      bytes += row.size();
    }
  }
  return path;
}

// ~`mb` MB of Alibaba machine_usage with irregular 10-60 s sampling.
const std::string& Alibaba(std::size_t mb) {
  static std::string path;
  if (!path.empty()) return path;
  const std::string dir = BenchDir() + "/alibaba";
  std::filesystem::create_directories(dir);
  path = dir + "/machine_usage.csv";
  std::ofstream out(path);
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> pct(0, 100), gap(10, 60);
  std::size_t bytes = 0;
  std::vector<std::int64_t> next(kEntities, 0);
  while (bytes < mb << 20) {
    for (std::size_t e = 0; e < kEntities; ++e) {
      const std::string row = absl::StrFormat("m_%d,%d,%d,%d,%.2f,%d,%.2f,%.2f,%d\n", e, next[e],
                                              pct(rng), pct(rng), 3.5, 7, 30.0, 20.0, 10);
      next[e] += gap(rng);
      out << row;
      bytes += row.size();
    }
  }
  return path;
}

double MaxRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void RunLoad(benchmark::State& state, const std::string& path, TraceFormat format) {
  const std::uint64_t bytes = std::filesystem::file_size(path);
  std::size_t cells = 0;
  for (auto _ : state) {
    absl::StatusOr<LoadedTrace> t = LoadTrace(path, format);
    if (!t.ok()) {
      state.SkipWithError(std::string(t.status().message()).c_str());
      return;
    }
    cells = t->workload.num_users() * t->workload.num_steps();
    benchmark::DoNotOptimize(t->workload.demand.stored());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
  state.counters["file_mb"] = static_cast<double>(bytes) / (1 << 20);
  state.counters["entity_steps"] = static_cast<double>(cells);
  state.counters["max_rss_mb"] = MaxRssMb();
}

void BM_TraceLoader_LongCsv(benchmark::State& state) {
  RunLoad(state, LongCsv(64), TraceFormat::kLong);
}
void BM_TraceLoader_Azure(benchmark::State& state) {
  RunLoad(state, Azure(64), TraceFormat::kAzure);
}
void BM_TraceLoader_AlibabaMachine(benchmark::State& state) {
  RunLoad(state, Alibaba(64), TraceFormat::kAlibabaMachine);
}
// Parsing alone (no resampling): the reader's share of the loader's time.
void BM_TraceLoader_LongCsvReadOnly(benchmark::State& state) {
  const std::string& path = LongCsv(64);
  const std::uint64_t bytes = std::filesystem::file_size(path);
  for (auto _ : state) {
    std::size_t n = 0;
    absl::Status s = ReadTrace(path, TraceFormat::kLong, {}, [&](const TraceSample&) {
      ++n;
      return absl::OkStatus();
    });
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
}

BENCHMARK(BM_TraceLoader_LongCsv)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_TraceLoader_LongCsvReadOnly)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_TraceLoader_Azure)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_TraceLoader_AlibabaMachine)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
}  // namespace foresight
