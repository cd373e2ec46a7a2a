// Tests of the `forecast-eval` core (src/forecast/forecast_eval.*) on small
// fixture files with hand-computed scores, and of its error messages.
#include "forecast_eval.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "foresight/forecast/backtest.hpp"
#include "foresight/forecast/metrics.hpp"
#include "foresight/forecast/registry.hpp"
#include "m4_csv.hpp"
#include "nlohmann/json.hpp"

namespace foresight {
namespace {

std::string Fixture(const std::string& name) {
  return (std::filesystem::path(__FILE__).parent_path() / "forecast_eval_data" / name).string();
}

ForecastEvalOptions Options(std::vector<std::string> methods, int threads = 1) {
  ForecastEvalOptions o;
  o.train_path = Fixture("train.csv");
  o.test_path = Fixture("test.csv");
  o.horizon = 3;
  o.season = 3;
  o.methods = std::move(methods);
  o.threads = threads;
  return o;
}

TEST_CASE("M4 CSV reader: padding, NA and quoting") {
  auto rows = ReadM4Csv(Fixture("train.csv"));
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].id == "H1");
  CHECK((*rows)[0].values.size() == 12);
  CHECK((*rows)[1].values.size() == 8);
  CHECK((*rows)[2].values.size() == 10);
  CHECK((*rows)[2].line == 4);
  std::istringstream quoted("id,a,b\n\"x,1\",\" 2.5\",\"3\"\n");
  auto q = ParseM4Csv(quoted, "inline");
  REQUIRE(q.ok());
  CHECK((*q)[0].id == "x,1");
  CHECK((*q)[0].values == std::vector<double>{2.5, 3.0});
}

TEST_CASE("M4 CSV lines end at \\n, \\r\\n or a lone \\r, as libcsv's records do") {
  // A lone \r ended a record for libcsv but not a line for the reader, so every
  // series after it named the header's line (fuzz/m4_csv_fuzzer.cpp's invariant;
  // fuzz/corpus/m4_csv/regress-lone-cr).
  for (const char* eol : {"\n", "\r\n", "\r"}) {
    std::istringstream in(absl::StrCat("id,a,b", eol, "H1,1,2", eol, "H2,3,", eol, "H3,4,5", eol));
    auto rows = ParseM4Csv(in, "inline");
    INFO("line end " << (eol[0] == '\n' ? "LF" : eol[1] == '\n' ? "CRLF" : "CR"));
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 3);
    CHECK((*rows)[0].line == 2);
    CHECK((*rows)[1].line == 3);
    CHECK((*rows)[2].line == 4);
    CHECK((*rows)[1].values == std::vector<double>{3.0});
  }
  std::istringstream bad("id,a\rH1,1\rH1,2\r");
  auto rows = ParseM4Csv(bad, "inline");
  REQUIRE_FALSE(rows.ok());
  CHECK(std::string(rows.status().message()) == "inline:3: duplicate series id 'H1'");
}

TEST_CASE("M4 CSV reader names the line of malformed input") {
  const std::pair<const char*, const char*> cases[] = {
      {"bad_quote.csv", ":3: malformed CSV"},
      {"bad_number.csv", ":3: series 'H2' column 3: 'abc' is not a finite number"},
      {"bad_gap.csv", ":3: series 'H2' has an empty cell at column 3"},
      {"bad_width.csv", ":3: row has 5 fields but the header has 3"},
      {"bad_duplicate.csv", ":3: duplicate series id 'H1'"},
      {"bad_empty_row.csv", ":3: series 'H2' has no values"},
      {"empty.csv", ":1: empty file"},
  };
  for (const auto& [file, message] : cases) {
    auto rows = ReadM4Csv(Fixture(file));
    INFO(file << ": " << rows.status().ToString());
    REQUIRE_FALSE(rows.ok());
    CHECK(rows.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(rows.status().message()).find(message) != std::string::npos);
  }
  CHECK(ReadM4Csv(Fixture("does_not_exist.csv")).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("forecast-eval scores naive and seasonal naive exactly as M4") {
  std::ostringstream out;
  auto train = ReadM4Csv(Fixture("train.csv"));
  auto test = ReadM4Csv(Fixture("test.csv"));
  REQUIRE(train.ok());
  REQUIRE(test.ok());
  for (int threads : {1, 3}) {
    std::atomic<std::size_t> calls{0};
    auto report = EvaluateForecasts(Options({"snaive", "naive"}, threads), *train, *test,
                                    [&](std::size_t done, std::size_t total) {
                                      CHECK(done <= total);
                                      calls.fetch_add(1);
                                    });
    CHECK(calls.load() == 3);
    REQUIRE(report.ok());
    REQUIRE(report->methods.size() == 2);
    const MethodScore& sn = report->methods[0];
    const MethodScore& nv = report->methods[1];
    CHECK(sn.method == "snaive");
    CHECK(sn.series == 3);
    // snaive: H1 13,23,33 vs 14,24,34; H2 10,11,12 vs 13,14,15; H3 4,1,4 vs 1,4,1.
    const double h1 = (200.0 / 27 + 200.0 / 47 + 200.0 / 67) / 3;
    const double h2 = (600.0 / 23 + 600.0 / 25 + 600.0 / 27) / 3;
    const double h3 = 120.0;
    CHECK(sn.smape == doctest::Approx((h1 + h2 + h3) / 3).epsilon(1e-12));
    CHECK(sn.mase == doctest::Approx(1.0).epsilon(1e-12));  // every error equals its scale
    // naive: H1 last 33 (scale 1), H2 last 12 (scale 3), H3 last 4 (scale 3).
    CHECK(nv.mase == doctest::Approx((29.0 / 3 + 2.0 / 3 + 2.0 / 3) / 3).epsilon(1e-12));
    CHECK(sn.failures == 0);
    if (ForecasterRegistry::Default().Contains("naive2")) {
      CHECK(std::isfinite(sn.owa));
    } else {
      CHECK(std::isnan(sn.owa));
    }
  }
}

TEST_CASE("forecast-eval scores the P05-P95 interval of each method as M4's MSIS") {
  auto train = ReadM4Csv(Fixture("train.csv"));
  auto test = ReadM4Csv(Fixture("test.csv"));
  REQUIRE(train.ok());
  REQUIRE(test.ok());
  auto report = EvaluateForecasts(Options({"snaive", "holt_winters"}, 2), *train, *test);
  REQUIRE(report.ok());
  // Recomputed here from each method's own forecast: the mean over series of
  // MSIS at a = 0.1, and the share of the 9 test values inside [P05, P95].
  const MethodConfig config{.season = 3, .horizon = 3};
  for (const MethodScore& s : report->methods) {
    INFO(s.method);
    absl::StatusOr<AnyForecaster> f = ForecasterRegistry::Default().Make(s.method, config);
    REQUIRE(f.ok());
    double msis = 0.0;
    std::size_t inside = 0;
    for (const M4Series& x : *train) {
      const M4Series* y = nullptr;
      for (const M4Series& t : *test) y = t.id == x.id ? &t : y;
      REQUIRE(y != nullptr);
      auto state = f->Fit(x.values);
      REQUIRE(state.ok());
      const Forecast fc = f->Predict(*state, 3);
      std::vector<double> lower, upper;
      for (int h = 1; h <= 3; ++h) {
        lower.push_back(fc.Quantile(h, 0.05));
        upper.push_back(fc.Quantile(h, 0.95));
      }
      const std::span<const double> actual = std::span<const double>(y->values).first(3);
      msis += *Msis(x.values, actual, lower, upper, 3, 0.1);
      inside += IntervalHits(actual, lower, upper);
    }
    CHECK(s.interval_series == 3);
    CHECK(s.msis90 == doctest::Approx(msis / 3).epsilon(1e-12));
    CHECK(s.coverage90 == doctest::Approx(static_cast<double>(inside) / 9));
  }
}

TEST_CASE("forecast-eval runs every registered method on the fixtures") {
  auto train = ReadM4Csv(Fixture("train.csv"));
  auto test = ReadM4Csv(Fixture("test.csv"));
  REQUIRE(train.ok());
  REQUIRE(test.ok());
  std::vector<std::string> names = ForecasterRegistry::Default().Names();
  names.push_back("conformal_snaive");
  auto report = EvaluateForecasts(Options(names, 2), *train, *test);
  REQUIRE(report.ok());
  for (const MethodScore& s : report->methods) {
    INFO(s.method);
    CHECK(s.series == 3);
    CHECK(std::isfinite(s.smape));
    CHECK(std::isfinite(s.mase));
    CHECK(s.failures == 0);
    // Every built-in method forecasts P05 and P95, so every one is scored.
    CHECK(s.interval_series == 3);
    CHECK(std::isfinite(s.msis90));
    CHECK(s.coverage90 >= 0.0);
    CHECK(s.coverage90 <= 1.0);
  }
}

TEST_CASE("RunForecastEval prints a table and writes the JSON report") {
  const std::string json_path =
      (std::filesystem::temp_directory_path() / "foresight_forecast_eval_test.json").string();
  ForecastEvalOptions o = Options({"naive", "snaive"});
  o.json_path = json_path;
  std::ostringstream out;
  REQUIRE(RunForecastEval(o, out).ok());
  CHECK(out.str().find("snaive") != std::string::npos);
  CHECK(out.str().find("sMAPE") != std::string::npos);
  std::ifstream in(json_path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  CHECK(doc["methods"]["snaive"]["mase"].get<double>() == doctest::Approx(1.0));
  CHECK(doc["methods"]["naive"]["series"].get<int>() == 3);
  CHECK(doc["methods"]["naive"].contains("seconds"));
  CHECK(doc["methods"]["naive"].contains("owa"));
  for (const char* key : {"msis90", "coverage90", "acd90", "interval_series"}) {
    CHECK(doc["methods"]["snaive"].contains(key));
  }
  CHECK(doc["methods"]["snaive"]["acd90"].get<double>() ==
        doctest::Approx(std::abs(doc["methods"]["snaive"]["coverage90"].get<double>() - 0.9)));
  CHECK(out.str().find("MSIS90") != std::string::npos);
  std::filesystem::remove(json_path);
}

TEST_CASE("forecast-eval --rolling scores every test origin, by hand and against Backtest") {
  auto train = ReadM4Csv(Fixture("train.csv"));
  auto test = ReadM4Csv(Fixture("test.csv"));
  REQUIRE(train.ok());
  REQUIRE(test.ok());
  ForecastEvalOptions o = Options({"naive", "snaive", "ets"}, 1);
  o.rolling = true;
  auto one = EvaluateRolling(o, *train, *test);
  REQUIRE(one.ok());
  o.threads = 3;
  auto three = EvaluateRolling(o, *train, *test);
  REQUIRE(three.ok());
  REQUIRE(one->methods.size() == 3);
  // naive one step ahead: H1 ...33 | 14 24 34 misses by 19, 10, 10 (scale 1);
  // H2 ...12 | 13 14 15 by 1 each (scale 3); H3 ...4 | 1 4 1 by 3 each (scale 3).
  const RollingScore& naive = one->methods[0];
  CHECK(naive.method == "naive");
  CHECK(naive.series == 3);
  CHECK(naive.scored == std::vector<long long>{9, 6, 3});
  CHECK(naive.mase[0] == doctest::Approx((13.0 + 1.0 / 3.0 + 1.0) / 3.0).epsilon(1e-12));
  // Each method's scores are its Backtest's, pooled: recomputed here.
  const MethodConfig config{.season = 3, .horizon = 3};
  for (std::size_t m = 0; m < one->methods.size(); ++m) {
    const RollingScore& s = one->methods[m];
    INFO(s.method);
    CHECK(s.failures == 0);
    CHECK(s.mase == three->methods[m].mase);  // thread count does not matter
    CHECK(s.coverage == three->methods[m].coverage);
    absl::StatusOr<AnyForecaster> f = ForecasterRegistry::Default().Make(s.method, config);
    REQUIRE(f.ok());
    std::vector<double> mase(3, 0.0), pinball(s.levels.size(), 0.0);
    std::vector<double> covered(s.levels.size(), 0.0);
    double scored = 0.0;
    for (const M4Series& x : *train) {
      const M4Series* y = nullptr;
      for (const M4Series& t : *test) y = t.id == x.id ? &t : y;
      REQUIRE(y != nullptr);
      std::vector<double> series = x.values;
      series.insert(series.end(), y->values.begin(), y->values.end());
      absl::StatusOr<BacktestResult> r = Backtest(*f, series, {.horizon = 3, .start = x.values.size()});
      REQUIRE(r.ok());
      const double scale = *MaseScale(x.values, 3);
      double n = 0.0;
      std::vector<double> p(s.levels.size(), 0.0);
      for (std::size_t h = 0; h < 3; ++h) {
        mase[h] += r->mae[h] / scale / 3.0;
        const double c = static_cast<double>(r->scored[h]);
        n += c;
        for (std::size_t k = 0; k < s.levels.size(); ++k) {
          covered[k] += r->Coverage(static_cast<int>(h) + 1, k) * c;
          p[k] += r->Pinball(static_cast<int>(h) + 1, k) * c;
        }
      }
      scored += n;
      for (std::size_t k = 0; k < s.levels.size(); ++k) pinball[k] += p[k] / n / scale / 3.0;
    }
    for (std::size_t h = 0; h < 3; ++h) CHECK(s.mase[h] == doctest::Approx(mase[h]).epsilon(1e-12));
    for (std::size_t k = 0; k < s.levels.size(); ++k) {
      CHECK(s.coverage[k] == doctest::Approx(covered[k] / scored).epsilon(1e-12));
      CHECK(s.pinball[k] == doctest::Approx(pinball[k]).epsilon(1e-12));
    }
  }
}

TEST_CASE("forecast-eval --rolling prints its table and writes its JSON") {
  const std::string json_path =
      (std::filesystem::temp_directory_path() / "foresight_forecast_eval_rolling.json").string();
  ForecastEvalOptions o = Options({"naive", "snaive"});
  o.rolling = true;
  o.json_path = json_path;
  std::ostringstream out;
  REQUIRE(RunForecastEval(o, out).ok());
  CHECK(out.str().find("method (rolling)") != std::string::npos);
  CHECK(out.str().find("MASE@3") != std::string::npos);
  std::ifstream in(json_path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  CHECK(doc["mode"] == "rolling");
  CHECK(doc["horizon"] == 3);
  for (const char* key : {"series", "failures", "seconds", "levels", "scored_by_step",
                          "mase_by_step", "coverage", "scaled_pinball"}) {
    CHECK(doc["methods"]["snaive"].contains(key));
  }
  CHECK(doc["methods"]["naive"]["scored_by_step"] == nlohmann::json::array({9, 6, 3}));
  std::filesystem::remove(json_path);
  // The same checks on the files as the one-origin mode.
  o = Options({"naive"});
  o.rolling = true;
  o.test_path = Fixture("short_test.csv");
  CHECK(std::string(RunForecastEval(o, out).message()).find("fewer than --horizon 3") !=
        std::string::npos);
}

TEST_CASE("forecast-eval's per-series scores are what the report averages, in both modes") {
  auto train = ReadM4Csv(Fixture("train.csv"));
  auto test = ReadM4Csv(Fixture("test.csv"));
  REQUIRE(train.ok());
  REQUIRE(test.ok());
  auto one = EvaluateForecasts(Options({"naive", "snaive"}, 2), *train, *test);
  REQUIRE(one.ok());
  // Series in order, then the requested methods (not naive2, OWA's reference).
  REQUIRE(one->per_series.size() == 6);
  const std::vector<std::string> ids = {"H1", "H1", "H2", "H2", "H3", "H3"};
  for (std::size_t r = 0; r < 6; ++r) {
    CHECK(one->per_series[r].series == ids[r]);
    CHECK(one->per_series[r].method == (r % 2 == 0 ? "naive" : "snaive"));
    CHECK_FALSE(one->per_series[r].failed);
    CHECK(std::isnan(one->per_series[r].mase_1));  // a rolling field
  }
  // naive: H1 misses 1, 11, 21 around 33 on scale 1; H2 and H3 2/3 (see above).
  CHECK(one->per_series[0].mase == doctest::Approx(29.0 / 3).epsilon(1e-12));
  CHECK(one->per_series[2].mase == doctest::Approx(2.0 / 3).epsilon(1e-12));
  for (std::size_t m = 0; m < 2; ++m) {
    double smape = 0.0, mase = 0.0;
    for (std::size_t i = 0; i < 3; ++i) {
      smape += one->per_series[i * 2 + m].smape / 3;
      mase += one->per_series[i * 2 + m].mase / 3;
    }
    CHECK(smape == doctest::Approx(one->methods[m].smape).epsilon(1e-12));
    CHECK(mase == doctest::Approx(one->methods[m].mase).epsilon(1e-12));
  }

  ForecastEvalOptions o = Options({"naive", "snaive"}, 2);
  o.rolling = true;
  auto rolling = EvaluateRolling(o, *train, *test);
  REQUIRE(rolling.ok());
  REQUIRE(rolling->per_series.size() == 6);
  // naive one step ahead: H1 19, 10, 10 (scale 1): 13; H2 1/3; H3 1.
  CHECK(rolling->per_series[0].mase_1 == doctest::Approx(13.0).epsilon(1e-12));
  CHECK(rolling->per_series[2].mase_1 == doctest::Approx(1.0 / 3).epsilon(1e-12));
  CHECK(rolling->per_series[4].mase_1 == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(std::isnan(rolling->per_series[0].smape));  // a one-origin field
  for (std::size_t m = 0; m < 2; ++m) {
    const RollingScore& s = rolling->methods[m];
    double mase_1 = 0.0, mase_h = 0.0, pinball = 0.0, levels = 0.0;
    for (std::size_t i = 0; i < 3; ++i) {
      const SeriesScore& r = rolling->per_series[i * 2 + m];
      mase_1 += r.mase_1 / 3;
      mase_h += r.mase_h / 3;
      pinball += r.scaled_pinball / 3;
      CHECK(r.coverage05 <= r.coverage50);
      CHECK(r.coverage50 <= r.coverage95);
    }
    for (double p : s.pinball) levels += p / static_cast<double>(s.pinball.size());
    CHECK(mase_1 == doctest::Approx(s.mase.front()).epsilon(1e-12));
    CHECK(mase_h == doctest::Approx(s.mase.back()).epsilon(1e-12));
    CHECK(pinball == doctest::Approx(levels).epsilon(1e-12));
  }
}

TEST_CASE("forecast-eval --per-series writes a CSV, quoting ids that need it") {
  const std::string path =
      (std::filesystem::temp_directory_path() / "foresight_forecast_eval_per_series.csv").string();
  std::vector<M4Series> train(1), test(1);
  train[0].id = "vm,1";
  train[0].values = {1, 2, 4};
  test[0].id = "vm,1";
  test[0].values = {7, 11, 16};
  ForecastEvalOptions o;
  o.horizon = 1;
  o.season = 1;
  o.methods = {"naive"};
  o.threads = 1;
  o.rolling = true;
  o.per_series_path = path;
  std::ostringstream out;
  REQUIRE(RunForecastEvalOn(o, train, test, out).ok());
  CHECK(out.str().find("per-series scores: " + path + " (1 rows)") != std::string::npos);
  std::ifstream in(path);
  std::string header, row, more;
  std::getline(in, header);
  std::getline(in, row);
  CHECK(header == "series,method,failed,seconds,mase_1,mase_h,coverage05,coverage50,coverage95,"
                  "scaled_pinball");
  // The cli_forecast_eval_trace series: naive's one-step MASE 4 / 1.5.
  CHECK(row.rfind("\"vm,1\",naive,0,", 0) == 0);
  CHECK(row.find(",2.666666667,2.666666667,") != std::string::npos);
  CHECK_FALSE(std::getline(in, more));
  std::filesystem::remove(path);
  o.rolling = false;
  REQUIRE(RunForecastEvalOn(o, train, test, out).ok());
  std::ifstream again(path);
  std::getline(again, header);
  CHECK(header == "series,method,failed,seconds,smape,mase,msis90,coverage90");
  std::filesystem::remove(path);
}

TEST_CASE("forecast-eval rejects bad options and mismatched files") {
  std::ostringstream out;
  ForecastEvalOptions o = Options({"no_such_method"});
  absl::Status s = RunForecastEval(o, out);
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK(std::string(s.message()).find("no_such_method") != std::string::npos);
  o = Options({"naive"});
  o.horizon = 0;
  CHECK_FALSE(RunForecastEval(o, out).ok());
  o = Options({"naive"});
  o.test_path = Fixture("short_test.csv");
  s = RunForecastEval(o, out);
  CHECK(std::string(s.message()).find("fewer than --horizon 3") != std::string::npos);
  o = Options({"naive"});
  o.train_path = Fixture("bad_number.csv");
  s = RunForecastEval(o, out);
  CHECK(std::string(s.message()).find("bad_number.csv:3:") != std::string::npos);
  o = Options({"naive", "naive"});
  CHECK_FALSE(RunForecastEval(o, out).ok());
}

}  // namespace
}  // namespace foresight
