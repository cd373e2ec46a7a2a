// `foresight evaluate` end to end on tiny fixtures (skipped when the CLI is not built).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "test_util.hpp"

namespace {

#ifdef FORESIGHT_CLI_PATH
std::string Data(const std::string& rel) {
  return std::string(FORESIGHT_TEST_DATA_DIR) + "/trace/" + rel;
}

int Run(const std::string& args, const std::string& err_file = "/dev/null") {
  const std::string cmd = std::string(FORESIGHT_CLI_PATH) + " evaluate " + args + " > " +
                          foresight::testing::TempPath("eval_stdout.txt") + " 2> " + err_file;
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("evaluate writes simulate's JSON schema plus the trace section, a table and a report") {
  const std::string json = foresight::testing::TempPath("eval_test.json"),
                    html = foresight::testing::TempPath("eval_test.html"),
                    per_entity = foresight::testing::TempPath("eval_test_entities.csv");
  REQUIRE(Run("--trace " + Data("long/usage.csv") +
              " --format long --step 10m --policies vpa,proactive,oracle --json " + json +
              " --report " + html + " --per-entity " + per_entity) == 0);
  // Two entities times three policies, entity by entity; the oracle never OOMs.
  const std::string rows = Slurp(per_entity);
  CHECK(rows.starts_with("entity,policy,days,oom_free_days,oom_events,"));
  CHECK(std::count(rows.begin(), rows.end(), '\n') == 1 + 2 * 3);
  CHECK(rows.find(",oracle,1,1,0,") != std::string::npos);
  std::remove(per_entity.c_str());
  const nlohmann::json j = nlohmann::json::parse(Slurp(json));
  for (const char* p : {"vpa", "proactive", "oracle"}) {
    INFO(p);
    const nlohmann::json& m = j["policies"][p];
    for (const char* key :
         {"underprovisioned_fraction", "underprovisioned_resource_seconds", "relative_slack",
          "oom_events", "oom_free_entity_days", "changes_per_entity_day_p99", "capacity_violations",
          "allocated_resource_seconds", "cost", "relative_slack_cpu", "throttled_cpu_seconds",
          "oom_events_per_entity_day", "changes_per_entity_day_median",
          "changes_per_entity_day_median_by_resource", "changes_per_entity_day_p99_by_resource"}) {
      CHECK(m.contains(key));
    }
    for (const char* r : {"cpu", "memory", "io", "net"}) {
      INFO(r);
      CHECK(m["changes_per_entity_day_p99_by_resource"][r].get<double>() <=
            m["changes_per_entity_day_p99"].get<double>());
    }
    CHECK(m["capacity_violations"] == 0);
    CHECK(j["gap_closed"].contains(p));
  }
  CHECK(j["trace"]["entities"] == 2);
  CHECK(j["trace"]["steps"] == 4);
  CHECK(j["trace"]["format"] == "long");
  CHECK(j["trace"]["measured"]["io"] == false);
  CHECK(j.contains("gap_closed_by_metric"));
  CHECK(j["vs_vpa"]["vpa"]["allocated_memory_ratio"] == 1.0);
  CHECK(j["vs_vpa"]["oracle"].contains("memory_target_met"));
  CHECK(j["vs_vpa"]["vpa"]["memory_dominates_vpa"] == false);  // not less memory than itself
  CHECK(j["vs_vpa"]["vpa"]["cpu_dominates_vpa"] == false);
  CHECK(j["vs_vpa"]["oracle"].contains("cpu_dominates_vpa"));
  const std::string table = Slurp(foresight::testing::TempPath("eval_stdout.txt"));
  CHECK(table.find("2 entities x 4 steps") != std::string::npos);
  CHECK(table.find("proactive") != std::string::npos);
  const std::string report = Slurp(html);
  CHECK(report.find("<svg") != std::string::npos);
  CHECK(report.find("memory: allocation vs OOM-free entity-days") != std::string::npos);
  CHECK(report.find("<script") == std::string::npos);
  std::remove(json.c_str());
  std::remove(html.c_str());
}

TEST_CASE("evaluate --write-long, then evaluate of that long CSV, gives the same metrics") {
  const std::string csv = foresight::testing::TempPath("eval_rt.csv"),
                    a = foresight::testing::TempPath("eval_a.json"),
                    b = foresight::testing::TempPath("eval_b.json");
  REQUIRE(Run("--trace " + Data("bitbrains") + " --format bitbrains --policies all --write-long " +
              csv + " --json " + a) == 0);
  REQUIRE(Run("--trace " + csv + " --format long --policies all --json " + b) == 0);
  nlohmann::json ja = nlohmann::json::parse(Slurp(a))["policies"];
  nlohmann::json jb = nlohmann::json::parse(Slurp(b))["policies"];
  REQUIRE(ja.size() >= 4);
  for (auto& [name, m] : ja.items()) {
    INFO(name);
    for (const char* wall : {"seconds", "slowest_tick_seconds"}) {
      m.erase(wall);
      jb[name].erase(wall);
    }
    CHECK(m.dump() == jb[name].dump());
  }
  std::remove(csv.c_str());
  std::remove(a.c_str());
  std::remove(b.c_str());
}

TEST_CASE("evaluate: warm-up, contention mode and every format's fixture") {
  CHECK(Run("--trace " + Data("planetlab") +
            " --format planetlab --warmup 1d --policies 'vpa,max(proactive,vpa),oracle'") == 0);
  CHECK(Slurp(foresight::testing::TempPath("eval_stdout.txt")).find("max(proactive,vpa)") !=
        std::string::npos);
  CHECK(Run("--trace " + Data("bitbrains") +
            " --format bitbrains --hosts 1 --host-capacity cpu=8,memory=32Gi") == 0);
  // No --policies: the foundation four plus the VM-trace policies (README).
  const std::string table = Slurp(foresight::testing::TempPath("eval_stdout.txt"));
  for (const char* p : {"vpa", "hpa", "proactive", "envelope", "track+envelope", "track+headroom",
                        "track+peak", "track+fleet", "track+peak+damped", "track+smooth+damped",
                        "track+fleet+damped", "oracle"}) {
    INFO(p);
    CHECK(table.find(absl::StrCat("\n", p, " ")) != std::string::npos);
  }
  CHECK(table.find("limit changes per entity-day by resource, median (P99):\n  vpa ") !=
        std::string::npos);
  for (const auto& [dir, fmt] : {std::pair{"azure", "azure"},
                                 {"alibaba", "alibaba-machine"},
                                 {"alibaba_container", "alibaba-container"},
                                 {"google2011", "google2011"},
                                 {"google2019", "google2019"},
                                 {"alibaba_invalid", "alibaba-machine"},
                                 {"bitbrains_retired", "bitbrains"}}) {
    INFO(fmt);
    CHECK(Run(std::string("--trace ") + Data(dir) + " --format " + fmt +
              " --policies vpa,oracle") == 0);
  }
  // Rows the format documents as not data are counted on the summary line.
  CHECK(Slurp(foresight::testing::TempPath("eval_stdout.txt")).find("2 rows dropped (not data") !=
        std::string::npos);
  // A CPU-only trace: memory is not scored, not scored as perfect.
  CHECK(Run("--trace " + Data("azure") +
            " --format azure --policies 'vpa,track+fleet+damped[cpu_level=0.8],oracle'") == 0);
  const std::string azure = Slurp(foresight::testing::TempPath("eval_stdout.txt"));
  CHECK(azure.find("track+fleet+damped[cpu_level=0.8] memory not measured; cpu ") !=
        std::string::npos);
  CHECK(azure.find("nan") == std::string::npos);
  // VPA's frontier on the CPU-only trace: memory not measured there either.
  const std::string json = foresight::testing::TempPath("eval_frontier.json");
  CHECK(Run("--trace " + Data("azure") +
            " --format azure --policies vpa,oracle --vpa-frontier "
            "--json " +
            json) == 0);
  const std::string front = Slurp(foresight::testing::TempPath("eval_stdout.txt"));
  const std::size_t header = front.find("vs vpa's frontier (102 vpa tunings: ");
  REQUIRE(header != std::string::npos);
  CHECK(front.find("oracle               memory not measured; cpu 0.", header) !=
        std::string::npos);
  CHECK(front.find("nan") == std::string::npos);
  CHECK(front.find("  the 102 tunings: replay ") != std::string::npos);
  CHECK(front.find("  the frontier's safest: memory not measured; cpu ") != std::string::npos);
  const nlohmann::json j = nlohmann::json::parse(Slurp(json));
  CHECK(j["vpa_frontier"].size() == 102);
  CHECK(j["vs_vpa_frontier"]["oracle"]["memory_ratio"].is_null());
  CHECK(j["vs_vpa_frontier"]["oracle"]["memory_beyond_frontier"] == false);
  std::remove(json.c_str());
}

TEST_CASE("evaluate fails cleanly on bad input, naming file, line and column") {
  const std::string err = foresight::testing::TempPath("eval_err.txt");
  CHECK(Run("--trace " + Data("long/bad_usage.csv") + " --format long", err) == 1);
  CHECK(Slurp(err).find("bad_usage.csv:3:4:") != std::string::npos);
  CHECK(Run("--trace " + Data("long/usage.csv") + " --format swf", err) == 1);
  CHECK(Slurp(err).find("unknown trace format 'swf'") != std::string::npos);
  CHECK(Run("--trace " + Data("long/usage.csv") + " --format long --warmup 30d", err) == 1);
  CHECK(Run("--trace " + Data("long/usage.csv") + " --format long --hosts 2", err) == 1);
  CHECK(Run("--trace " + Data("long/usage.csv") + " --format long --step nope", err) == 1);
  std::remove(err.c_str());
  std::remove(foresight::testing::TempPath("eval_stdout.txt").c_str());
}
#else
TEST_CASE("evaluate CLI tests need the foresight binary" * doctest::skip()) {}
#endif

}  // namespace
