// The evaluate HTML report: self-contained, escaped, with every chart kind.
#include "foresight/report/trace_report.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include <cmath>

namespace foresight {
namespace {

Workload TwoUsers() {
  Workload w;
  w.start = absl::FromUnixSeconds(0);
  w.step = absl::Hours(1);
  w.demand = DemandTable(2, 48);
  w.demand.Fill(1.0);
  w.demand.Set(1, 5, 0, std::nan(""));
  for (std::size_t t = 0; t < 48; ++t) w.demand.Set(0, t, 1, 2.0);
  for (std::size_t u = 0; u < 2; ++u) {
    WorkloadUser user;
    user.id = UserId{u};
    user.name = u == 0 ? "vm<0>&" : "vm1";
    user.host = 0;
    w.users.push_back(user);
  }
  w.host_capacity.push_back(ResourceVector::Filled(100));
  for (std::size_t t = 0; t < 48; ++t) w.demand.Set(1, t, 1, 4.0);
  return w;
}

TEST_CASE("EntitySlack and EntityUnderprovisioned per recorded row") {
  const Workload w = TwoUsers();
  DemandTable alloc(2, 48);
  alloc.Fill(2.0);
  const std::vector<std::size_t> users = {0, 1};
  const std::vector<double> cpu = EntitySlack(w, users, alloc, Resource::kCpu, w.start);
  CHECK(cpu[0] == doctest::Approx(0.5));
  const std::vector<double> mem = EntitySlack(w, users, alloc, Resource::kMemory, w.start);
  CHECK(mem[0] == doctest::Approx(0.0));
  CHECK(mem[1] == doctest::Approx(0.0));  // usage above the limit counts as no slack
  const std::vector<double> under =
      EntityUnderprovisioned(w, users, alloc, PerResource<bool>::Filled(true), w.start);
  CHECK(under[0] == doctest::Approx(0.0));
  CHECK(under[1] == doctest::Approx(1.0));
  // Warm-up steps are excluded.
  const std::vector<double> late = EntitySlack(w, users, alloc, Resource::kCpu, w.time(47));
  CHECK(late[0] == doctest::Approx(0.5));
  CHECK(std::isnan(EntitySlack(w, users, alloc, Resource::kCpu, w.time(48))[0]));
}

TEST_CASE("RenderTraceReport is one escaped HTML file with inline SVG and no scripts") {
  const Workload w = TwoUsers();
  ReportData data;
  data.title = "evaluate <test>";
  data.summary = {"2 entities"};
  data.workload = &w;
  data.users = {0, 1};
  data.metrics_start = w.time(24);
  for (const char* name : {"vpa", "oracle"}) {
    ReportPolicy p;
    p.name = name;
    p.metrics = {{"underprovisioned_fraction", 0.25}, {"relative_slack", 0.4}};
    p.allocation = DemandTable(2, 48);
    p.allocation.Fill(3.0);
    data.policies.push_back(std::move(p));
  }
  data.highlights = {{"worst", 1}, {"median", 0}};
  data.forecast_error.cpu() = {0.1, 0.2, 0.5};
  ReportScatter sc;
  sc.title = "trade-off <mem>";
  sc.xlabel = "x";
  sc.ylabel = "y";
  sc.points = {{"vpa", {1.0, 0.9}}, {"oracle", {0.5, 1.0}}};
  sc.target_x0 = 0;
  sc.target_x1 = 0.7;
  data.scatters.push_back(sc);
  const std::string html = RenderTraceReport(data);
  CHECK(html.starts_with("<!DOCTYPE html>"));
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("evaluate &lt;test&gt;") != std::string::npos);
  CHECK(html.find("vm&lt;0&gt;&amp;") != std::string::npos);
  CHECK(html.find("slack CDF: memory") != std::string::npos);
  CHECK(html.find("slack CDF: cpu") != std::string::npos);
  CHECK(html.find("forecast error CDF") != std::string::npos);
  CHECK(html.find("worst entity 'vm1': cpu") != std::string::npos);
  CHECK(html.find("warm-up") != std::string::npos);
  std::size_t svgs = 0;
  for (std::size_t p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p + 1))
    ++svgs;
  CHECK(html.find("trade-off &lt;mem&gt;") != std::string::npos);
  CHECK(html.find(">target</text>") != std::string::npos);
  CHECK(svgs == 2 /*bars*/ + 1 /*scatter*/ + 2 /*slack*/ + 1 /*error*/ + 4 /*2 entities x 2*/);
}

}  // namespace
TEST_CASE("a trade-off plane draws a baseline's tunings and dashes their Pareto front") {
  // Points of the dashed front's polyline in the one scatter of `sc`.
  auto front_points = [](const ReportScatter& sc) {
    ReportData data;
    data.title = "front";
    data.scatters = {sc};
    const std::string html = RenderTraceReport(data);
    const std::size_t at = html.find("<polyline points=\"");
    REQUIRE(at != std::string::npos);
    const std::size_t from = at + 18, to = html.find('"', from);
    const std::string pts = html.substr(from, to - from);
    CHECK(html.find("vpa tunings (4)") != std::string::npos);
    return static_cast<int>(std::count(pts.begin(), pts.end(), ',')) ;
  };
  ReportScatter memory;
  memory.points = {{"p", {0.9, 0.99}}};
  // (1.1, 0.85) is beaten by (1.0, 0.9): cheaper and more OOM-free.
  memory.tunings = {{1.0, 0.9}, {1.2, 0.95}, {1.1, 0.85}, {1.5, 0.99}};
  CHECK(front_points(memory) == 3);
  ReportScatter cpu;
  cpu.higher_y_better = false;  // throttling: lower is better
  // (1.5, 1.2) is beaten by (1.0, 1.0); NaN points are left out.
  cpu.tunings = {{1.0, 1.0}, {2.0, 0.5}, {1.5, 1.2}, {3.0, 0.4}, {std::nan(""), 0.1}};
  CHECK(front_points(cpu) == 3);
}

}  // namespace foresight
