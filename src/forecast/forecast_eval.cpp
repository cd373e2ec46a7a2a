// -----------------------------------------------------------------------------
// File: forecast_eval.cpp
// -----------------------------------------------------------------------------
#include "forecast_eval.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <span>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "foresight/forecast/backtest.hpp"
#include "foresight/forecast/metrics.hpp"
#include "foresight/forecast/registry.hpp"
#include "nlohmann/json.hpp"
#include "../trace/csv_field.hpp"

namespace foresight {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kReference = "naive2";

// The central interval scored: [P05, P95], which every built-in method
// forecasts (M4 scored 95 % intervals; ours carry 0.05 and 0.95 by default).
constexpr double kLowLevel = 0.05, kHighLevel = 0.95;
constexpr double kIntervalAlpha = 0.1;  // 1 - (kHighLevel - kLowLevel)

// Per method and series: scores, time and whether the method failed.
struct Cell {
  double smape = 0.0, mase = 0.0, seconds = 0.0;
  double msis = 0.0;          // when `interval`
  std::size_t inside = 0;     // test values inside the interval, when `interval`
  bool interval = false;      // the method forecast both interval levels
  bool failed = false;
  bool skipped = false;
};

struct MethodForecast {
  std::vector<double> means, lower, upper;  // lower/upper empty without the levels
};

std::vector<double> NaiveForecast(std::span<const double> train, int horizon) {
  return std::vector<double>(static_cast<std::size_t>(horizon), train.empty() ? 0.0 : train.back());
}

// Fits and forecasts one series; returns the means (and the interval when the
// method forecasts both of its levels) or the failure.
absl::StatusOr<MethodForecast> FitAndForecast(const AnyForecaster& f,
                                              std::span<const double> train, int horizon) {
  absl::StatusOr<AnyForecaster::State> state = f.Fit(train);
  if (!state.ok()) return state.status();
  const Forecast fc = f.Predict(*state, horizon);
  MethodForecast out;
  out.means.assign(fc.means().begin(), fc.means().end());
  for (double v : out.means) {
    if (!std::isfinite(v)) return absl::InternalError("non-finite forecast");
  }
  const int lo = Forecast::LevelIndex(fc.levels(), kLowLevel);
  const int hi = Forecast::LevelIndex(fc.levels(), kHighLevel);
  if (lo < 0 || hi < 0) return out;
  for (int h = 1; h <= horizon; ++h) {
    const double l = fc.quantile(h, static_cast<std::size_t>(lo));
    const double u = fc.quantile(h, static_cast<std::size_t>(hi));
    if (!std::isfinite(l) || !std::isfinite(u) || l > u) return out;  // no usable interval
    out.lower.push_back(l);
    out.upper.push_back(u);
  }
  return out;
}

// The methods to run, by name and made from the registry: the requested ones,
// plus naive2 (OWA's reference) when `with_reference`. `reference` is its index.
struct Methods {
  std::vector<std::string> names;
  std::vector<AnyForecaster> forecasters;
  std::size_t reference = 0;
  bool have_reference = false;
};
absl::StatusOr<Methods> MakeMethods(const ForecastEvalOptions& options, bool with_reference) {
  if (options.horizon < 1) return absl::InvalidArgumentError("--horizon must be >= 1");
  if (options.season < 1) return absl::InvalidArgumentError("--season must be >= 1");
  if (options.methods.empty()) return absl::InvalidArgumentError("no --method given");
  const ForecasterRegistry& registry = ForecasterRegistry::Default();
  const MethodConfig config{.season = options.season, .horizon = options.horizon};
  Methods out;
  out.names = options.methods;
  for (std::size_t i = 0; i < out.names.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (out.names[i] == out.names[j]) {
        return absl::InvalidArgumentError(absl::StrCat("method '", out.names[i], "' given twice"));
      }
    }
  }
  out.have_reference = with_reference && registry.Contains(kReference);
  out.reference = out.names.size();
  for (std::size_t i = 0; i < out.names.size(); ++i) {
    if (out.names[i] == kReference) out.reference = i;
  }
  if (out.have_reference && out.reference == out.names.size()) out.names.emplace_back(kReference);
  for (const std::string& name : out.names) {
    absl::StatusOr<AnyForecaster> f = registry.Make(name, config);
    if (!f.ok()) return f.status();
    out.forecasters.push_back(*std::move(f));
  }
  return out;
}

// For each training series, the index of the test series with its id; every
// test series must hold at least `min_test` values.
absl::StatusOr<std::vector<std::size_t>> PairSeries(const std::vector<M4Series>& train,
                                                    const std::vector<M4Series>& test,
                                                    int min_test) {
  std::unordered_map<std::string, std::size_t> test_index;
  for (std::size_t i = 0; i < test.size(); ++i) test_index.emplace(test[i].id, i);
  std::vector<std::size_t> pair(train.size());
  for (std::size_t i = 0; i < train.size(); ++i) {
    auto it = test_index.find(train[i].id);
    if (it == test_index.end()) {
      return absl::InvalidArgumentError(absl::StrCat("series '", train[i].id, "' (train line ",
                                                     train[i].line, ") is missing from the test file"));
    }
    const M4Series& t = test[it->second];
    if (static_cast<int>(t.values.size()) < min_test) {
      return absl::InvalidArgumentError(absl::StrCat("series '", t.id, "' (test line ", t.line, ") has ",
                                                     t.values.size(), " values, fewer than --horizon ",
                                                     min_test));
    }
    pair[i] = it->second;
  }
  if (train.empty()) return absl::InvalidArgumentError("the training file has no series");
  return pair;
}

// Runs `one(i)` for every series i on `threads` workers (0: all cores),
// reporting progress after each; returns the wall time.
template <typename One>
double ForEachSeries(std::size_t S, int threads, const EvalProgress& progress, One one) {
  std::atomic<std::size_t> next{0}, done{0};
  auto worker = [&]() {
    for (std::size_t i = next.fetch_add(1); i < S; i = next.fetch_add(1)) {
      one(i);
      const std::size_t finished = done.fetch_add(1) + 1;
      if (progress) progress(finished, S);
    }
  };
  const auto start = Clock::now();
  const int n = std::max(1, threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency()));
  {
    std::vector<std::jthread> pool;
    for (int t = 0; t < std::min<int>(n, static_cast<int>(S)); ++t) pool.emplace_back(worker);
  }  // joins
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

absl::StatusOr<EvalReport> EvaluateForecasts(const ForecastEvalOptions& options,
                                             const std::vector<M4Series>& train,
                                             const std::vector<M4Series>& test,
                                             const EvalProgress& progress) {
  absl::StatusOr<Methods> made = MakeMethods(options, /*with_reference=*/true);
  if (!made.ok()) return made.status();
  const std::vector<std::string>& run = made->names;
  const std::vector<AnyForecaster>& methods = made->forecasters;
  const bool have_reference = made->have_reference;
  const std::size_t reference = made->reference;
  absl::StatusOr<std::vector<std::size_t>> paired = PairSeries(train, test, options.horizon);
  if (!paired.ok()) return paired.status();
  const std::vector<std::size_t>& pair = *paired;

  const std::size_t S = train.size(), M = methods.size();
  std::vector<Cell> cells(S * M);
  EvalReport report;
  report.wall_seconds = ForEachSeries(S, options.threads, progress, [&](std::size_t i) {
    const std::span<const double> x = train[i].values;
    const std::span<const double> y =
        std::span<const double>(test[pair[i]].values).first(static_cast<std::size_t>(options.horizon));
    const absl::StatusOr<double> scale = MaseScale(x, options.season);
    for (std::size_t m = 0; m < M; ++m) {
      Cell& cell = cells[i * M + m];
      if (!scale.ok()) {
        cell.skipped = true;
        continue;
      }
      const auto start = Clock::now();
      absl::StatusOr<MethodForecast> f = FitAndForecast(methods[m], x, options.horizon);
      cell.seconds = std::chrono::duration<double>(Clock::now() - start).count();
      MethodForecast fc;
      if (f.ok()) {
        fc = *std::move(f);
      } else {
        cell.failed = true;
        fc.means = NaiveForecast(x, options.horizon);
      }
      const std::vector<double>& means = fc.means;
      cell.smape = *Smape(y, means);
      double err = 0.0;
      for (std::size_t h = 0; h < y.size(); ++h) err += std::abs(y[h] - means[h]);
      cell.mase = err / static_cast<double>(y.size()) / *scale;
      if (!fc.lower.empty()) {
        // The scale was checked above, and the bounds are ordered: it cannot fail.
        cell.msis = *Msis(x, y, fc.lower, fc.upper, options.season, kIntervalAlpha);
        cell.inside = IntervalHits(y, fc.lower, fc.upper);
        cell.interval = true;
      }
    }
  });

  std::vector<M4Accumulator> acc(M);
  std::vector<MethodScore> scores(M);
  std::vector<double> msis_sum(M, 0.0);
  std::vector<std::size_t> inside(M, 0);
  for (std::size_t i = 0; i < S; ++i) {
    if (cells[i * M].skipped) {
      ++report.skipped;
      continue;
    }
    for (std::size_t m = 0; m < M; ++m) {
      const Cell& c = cells[i * M + m];
      acc[m].Add(c.smape, c.mase);
      scores[m].seconds += c.seconds;
      scores[m].failures += c.failed ? 1 : 0;
      if (c.interval) {
        msis_sum[m] += c.msis;
        inside[m] += c.inside;
        ++scores[m].interval_series;
      }
    }
  }
  for (std::size_t i = 0; i < S; ++i) {
    if (cells[i * M].skipped) continue;
    for (std::size_t m = 0; m < options.methods.size(); ++m) {
      const Cell& c = cells[i * M + m];
      SeriesScore& row = report.per_series.emplace_back();
      row.series = train[i].id;
      row.method = run[m];
      row.failed = c.failed;
      row.seconds = c.seconds;
      row.smape = c.smape;
      row.mase = c.mase;
      if (c.interval) {
        row.msis90 = c.msis;
        row.coverage90 = static_cast<double>(c.inside) / options.horizon;
      }
    }
  }
  for (std::size_t m = 0; m < options.methods.size(); ++m) {
    MethodScore& s = scores[m];
    s.method = run[m];
    s.smape = acc[m].smape();
    s.mase = acc[m].mase();
    s.series = acc[m].count();
    s.owa = have_reference ? acc[m].Owa(acc[reference]) : NAN;
    if (s.interval_series > 0) {
      const double n = static_cast<double>(s.interval_series);
      s.msis90 = msis_sum[m] / n;
      s.coverage90 = static_cast<double>(inside[m]) / (n * options.horizon);
    }
    report.methods.push_back(s);
  }
  return report;
}

std::string ReportJson(const EvalReport& report) {
  nlohmann::json methods = nlohmann::json::object();
  auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  for (const MethodScore& s : report.methods) {
    methods[s.method] = {{"smape", number(s.smape)}, {"mase", number(s.mase)}, {"owa", number(s.owa)},
                         {"series", s.series},       {"seconds", s.seconds},   {"failures", s.failures},
                         {"msis90", number(s.msis90)},
                         {"coverage90", number(s.coverage90)},
                         {"acd90", number(std::abs(s.coverage90 - (1 - kIntervalAlpha)))},
                         {"interval_series", s.interval_series}};
  }
  nlohmann::json doc = {{"methods", methods}, {"skipped_series", report.skipped},
                        {"wall_seconds", report.wall_seconds}};
  return doc.dump(2);
}

absl::StatusOr<RollingReport> EvaluateRolling(const ForecastEvalOptions& options,
                                              const std::vector<M4Series>& train,
                                              const std::vector<M4Series>& test,
                                              const EvalProgress& progress) {
  absl::StatusOr<Methods> made = MakeMethods(options, /*with_reference=*/false);
  if (!made.ok()) return made.status();
  absl::StatusOr<std::vector<std::size_t>> pair = PairSeries(train, test, options.horizon);
  if (!pair.ok()) return pair.status();
  const std::size_t S = train.size(), M = made->forecasters.size();
  std::vector<absl::StatusOr<BacktestResult>> results(S * M, absl::UnknownError("not run"));
  std::vector<double> seconds(S * M, 0.0), scales(S, NAN);
  RollingReport report;
  report.horizon = options.horizon;
  report.wall_seconds = ForEachSeries(S, options.threads, progress, [&](std::size_t i) {
    const absl::StatusOr<double> scale = MaseScale(train[i].values, options.season);
    if (!scale.ok()) return;  // skipped for every method
    scales[i] = *scale;
    std::vector<double> series = train[i].values;
    const std::vector<double>& after = test[(*pair)[i]].values;
    series.insert(series.end(), after.begin(), after.end());
    for (std::size_t m = 0; m < M; ++m) {
      const auto start = Clock::now();
      results[i * M + m] = Backtest(made->forecasters[m], series,
                                    {.horizon = options.horizon, .start = train[i].values.size()});
      seconds[i * M + m] = std::chrono::duration<double>(Clock::now() - start).count();
    }
  });

  const std::size_t H = static_cast<std::size_t>(options.horizon);
  std::vector<SeriesScore> rows(S * M);
  for (std::size_t m = 0; m < M; ++m) {
    RollingScore s;
    s.method = made->names[m];
    s.scored.assign(H, 0);
    s.mase.assign(H, 0.0);
    std::vector<std::size_t> series_at(H, 0);
    std::vector<long long> covered;
    long long pooled = 0;
    for (std::size_t i = 0; i < S; ++i) {
      if (std::isnan(scales[i])) continue;
      s.seconds += seconds[i * M + m];
      const absl::StatusOr<BacktestResult>& r = results[i * M + m];
      if (s.levels.empty() && r.ok()) {
        s.levels = r->levels;
        covered.assign(s.levels.size(), 0);
        s.pinball.assign(s.levels.size(), 0.0);
      }
      SeriesScore& row = rows[i * M + m];
      row.series = train[i].id;
      row.method = s.method;
      row.seconds = seconds[i * M + m];
      if (!r.ok() || r->levels != s.levels) {
        ++s.failures;
        row.failed = true;
        continue;
      }
      ++s.series;
      const std::size_t K = s.levels.size();
      long long n = 0;
      std::vector<double> pinball(K, 0.0);
      std::vector<long long> hits(K, 0);
      for (std::size_t h = 0; h < H; ++h) {
        const long long c = r->scored[h];
        if (c == 0) continue;
        s.scored[h] += c;
        s.mase[h] += r->mae[h] / scales[i];
        ++series_at[h];
        n += c;
        for (std::size_t k = 0; k < K; ++k) {
          hits[k] += r->covered[h * K + k];
          pinball[k] += r->pinball[h * K + k] * static_cast<double>(c);
        }
      }
      pooled += n;
      row.scaled_pinball = 0.0;
      for (std::size_t k = 0; k < K; ++k) {
        covered[k] += hits[k];
        s.pinball[k] += pinball[k] / static_cast<double>(n) / scales[i];
        row.scaled_pinball += pinball[k] / static_cast<double>(n) / scales[i] / static_cast<double>(K);
      }
      if (r->scored.front() > 0) row.mase_1 = r->mae.front() / scales[i];
      if (r->scored.back() > 0) row.mase_h = r->mae.back() / scales[i];
      auto share = [&](double p) {
        const int k = Forecast::LevelIndex(s.levels, p);
        return k < 0 ? NAN
                     : static_cast<double>(hits[static_cast<std::size_t>(k)]) / static_cast<double>(n);
      };
      row.coverage05 = share(0.05);
      row.coverage50 = share(0.5);
      row.coverage95 = share(0.95);
    }
    for (std::size_t h = 0; h < H; ++h) {
      s.mase[h] = series_at[h] > 0 ? s.mase[h] / static_cast<double>(series_at[h]) : NAN;
    }
    s.coverage.resize(s.levels.size(), NAN);
    for (std::size_t k = 0; k < s.levels.size(); ++k) {
      if (pooled > 0) s.coverage[k] = static_cast<double>(covered[k]) / static_cast<double>(pooled);
      s.pinball[k] = s.series > 0 ? s.pinball[k] / static_cast<double>(s.series) : NAN;
    }
    report.methods.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < S; ++i) {
    if (std::isnan(scales[i])) {
      ++report.skipped;
      continue;
    }
    for (std::size_t m = 0; m < M; ++m) report.per_series.push_back(std::move(rows[i * M + m]));
  }
  return report;
}

std::string RollingJson(const RollingReport& report) {
  auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  auto numbers = [&](const std::vector<double>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (double x : v) a.push_back(number(x));
    return a;
  };
  nlohmann::json methods = nlohmann::json::object();
  for (const RollingScore& s : report.methods) {
    methods[s.method] = {{"series", s.series},
                         {"failures", s.failures},
                         {"seconds", s.seconds},
                         {"levels", s.levels},
                         {"scored_by_step", s.scored},
                         {"mase_by_step", numbers(s.mase)},
                         {"coverage", numbers(s.coverage)},
                         {"scaled_pinball", numbers(s.pinball)}};
  }
  nlohmann::json doc = {{"mode", "rolling"},
                        {"horizon", report.horizon},
                        {"methods", methods},
                        {"skipped_series", report.skipped},
                        {"wall_seconds", report.wall_seconds}};
  return doc.dump(2);
}

std::string PerSeriesCsv(const std::vector<SeriesScore>& rows, bool rolling) {
  std::string out = rolling ? "series,method,failed,seconds,mase_1,mase_h,coverage05,coverage50,"
                              "coverage95,scaled_pinball\n"
                            : "series,method,failed,seconds,smape,mase,msis90,coverage90\n";
  auto field = [&](double v) {
    out += ',';
    if (std::isfinite(v)) out += absl::StrFormat("%.10g", v);
  };
  for (const SeriesScore& r : rows) {
    absl::StrAppend(&out, CsvField(r.series), ",", CsvField(r.method), ",", r.failed ? 1 : 0);
    field(r.seconds);
    if (rolling) {
      for (double v : {r.mase_1, r.mase_h, r.coverage05, r.coverage50, r.coverage95,
                       r.scaled_pinball}) {
        field(v);
      }
    } else {
      for (double v : {r.smape, r.mase, r.msis90, r.coverage90}) field(v);
    }
    out += '\n';
  }
  return out;
}

namespace {

// Writes `text` to `path`; nothing when `path` is empty.
absl::Status WriteText(const std::string& path, const std::string& text) {
  if (path.empty()) return absl::OkStatus();
  std::ofstream file(path);
  if (!file) return absl::PermissionDeniedError(absl::StrCat("cannot write '", path, "'"));
  file << text;
  if (!file) return absl::DataLossError(absl::StrCat("failed writing '", path, "'"));
  return absl::OkStatus();
}

// The per-series file, when asked, and a line on `out` naming it.
absl::Status WritePerSeries(const ForecastEvalOptions& options,
                            const std::vector<SeriesScore>& rows, std::ostream& out) {
  if (options.per_series_path.empty()) return absl::OkStatus();
  const std::string text = PerSeriesCsv(rows, options.rolling);
  if (absl::Status s = WriteText(options.per_series_path, text); !s.ok()) return s;
  out << "per-series scores: " << options.per_series_path << " (" << rows.size() << " rows)\n";
  return absl::OkStatus();
}

// The tables' first column: 28 characters, or the longest method name
// ("ensemble[horizon=24,quantile_stride=1]").
template <typename Score>
int NameWidth(const std::vector<Score>& methods) {
  std::size_t w = 28;
  for (const Score& s : methods) w = std::max(w, s.method.size());
  return static_cast<int>(w);
}

// The rolling table: MASE at steps 1 and horizon, coverage at P05, P50, P95.
absl::Status PrintRolling(const ForecastEvalOptions& options, const RollingReport& report,
                          std::ostream& out) {
  const std::string last = absl::StrCat("MASE@", report.horizon);
  const int w = NameWidth(report.methods);
  out << absl::StrFormat("%-*s %9s %9s %8s %8s %8s %10s %8s %10s\n", w, "method (rolling)",
                         "MASE@1", last, "cov05", "cov50", "cov95", "pinball50", "series",
                         "seconds");
  for (const RollingScore& s : report.methods) {
    auto at = [&](const std::vector<double>& v, double p) {
      const int k = Forecast::LevelIndex(s.levels, p);
      return k < 0 ? NAN : v[static_cast<std::size_t>(k)];
    };
    out << absl::StrFormat(
        "%-*s %9.4f %9.4f %8.3f %8.3f %8.3f %10.4f %8d %10.3f%s\n", w, s.method, s.mase.front(),
        s.mase.back(), at(s.coverage, 0.05), at(s.coverage, 0.5), at(s.coverage, 0.95),
        at(s.pinball, 0.5), s.series, s.seconds,
        s.failures ? absl::StrCat("  (", s.failures, " failed: not scored)") : "");
  }
  if (report.skipped) out << report.skipped << " series skipped (constant training data: MASE undefined)\n";
  out << absl::StrFormat("wall time %.3f s\n", report.wall_seconds);
  if (absl::Status s = WritePerSeries(options, report.per_series, out); !s.ok()) return s;
  return WriteText(options.json_path, RollingJson(report) + "\n");
}

}  // namespace

absl::Status RunForecastEval(const ForecastEvalOptions& options, std::ostream& out,
                             const EvalProgress& progress) {
  absl::StatusOr<std::vector<M4Series>> train = ReadM4Csv(options.train_path);
  if (!train.ok()) return train.status();
  absl::StatusOr<std::vector<M4Series>> test = ReadM4Csv(options.test_path);
  if (!test.ok()) return test.status();
  return RunForecastEvalOn(options, *train, *test, out, progress);
}

absl::Status RunForecastEvalOn(const ForecastEvalOptions& options,
                               const std::vector<M4Series>& train,
                               const std::vector<M4Series>& test, std::ostream& out,
                               const EvalProgress& progress) {
  if (options.rolling) {
    absl::StatusOr<RollingReport> rolling = EvaluateRolling(options, train, test, progress);
    if (!rolling.ok()) return rolling.status();
    return PrintRolling(options, *rolling, out);
  }
  absl::StatusOr<EvalReport> report = EvaluateForecasts(options, train, test, progress);
  if (!report.ok()) return report.status();
  const int w = NameWidth(report->methods);
  out << absl::StrFormat("%-*s %10s %10s %8s %8s %8s %8s %10s\n", w, "method", "sMAPE", "MASE",
                         "OWA", "MSIS90", "cov90", "series", "seconds");
  for (const MethodScore& s : report->methods) {
    out << absl::StrFormat(
        "%-*s %10.4f %10.4f %8.4f %8.3f %8.3f %8d %10.3f%s\n", w, s.method, s.smape, s.mase, s.owa,
        s.msis90, s.coverage90, s.series, s.seconds,
        s.failures ? absl::StrCat("  (", s.failures, " failed: naive used)") : "");
  }
  if (report->skipped) out << report->skipped << " series skipped (constant training data: MASE undefined)\n";
  if (!report->methods.empty() && std::isnan(report->methods.front().owa)) {
    out << "OWA unavailable: this build has no naive2 method\n";
  }
  out << absl::StrFormat("wall time %.3f s\n", report->wall_seconds);
  if (absl::Status s = WritePerSeries(options, report->per_series, out); !s.ok()) return s;
  return WriteText(options.json_path, ReportJson(*report) + "\n");
}

}  // namespace foresight
