#include "foresight/profile/workflow.hpp"

#include <doctest/doctest.h>

#include "synthetic.hpp"

namespace foresight {
namespace {

using testing::Monday;

WorkflowTemplate Pipeline() {
  return WorkflowTemplate{"data analysis pipeline",
                          {{"ingest", MakeResources(0.5, 0, 2e8, 5e7), absl::Minutes(30)},
                           {"train", MakeResources(8.0, 32e9, 0, 0), absl::Hours(2)},
                           {"report", MakeResources(1.0, 4e9, 0, 0), absl::Minutes(20)}}};
}
WorkflowTemplate WebDeploy() {
  return WorkflowTemplate{"web server deployment",
                          {{"build", MakeResources(4.0, 8e9, 5e7, 0), absl::Minutes(15)},
                           {"serve", MakeResources(1.5, 2e9, 0, 2e8), absl::Hours(24)}}};
}

TEST_CASE("Workflow templates are validated") {
  WorkflowMatcher m;
  CHECK(m.Add(Pipeline()).value() == 0);
  CHECK(m.Add(WebDeploy()).value() == 1);
  CHECK(absl::IsAlreadyExists(m.Add(Pipeline()).status()));
  CHECK(absl::IsInvalidArgument(m.Add(WorkflowTemplate{"", {}}).status()));
  CHECK(absl::IsInvalidArgument(m.Add(WorkflowTemplate{"empty", {}}).status()));
  WorkflowTemplate bad{"bad", {{"s", MakeResources(-1, 0, 0, 0), absl::Minutes(1)}}};
  CHECK(absl::IsInvalidArgument(m.Add(bad).status()));
  bad.stages[0].demand = ResourceVector{};
  CHECK(absl::IsInvalidArgument(m.Add(bad).status()));
  bad.stages[0].demand = MakeResources(1, 0, 0, 0);
  bad.stages[0].typical_duration = absl::ZeroDuration();
  const absl::Status s = m.Add(bad).status();
  CHECK(absl::IsInvalidArgument(s));
  CHECK(std::string(s.message()).find("stage 0") != std::string::npos);
  CHECK(m.size() == 2);
  CHECK(m.Find("web server deployment").value() == 1);
  CHECK(absl::IsNotFound(m.Find("nope").status()));
  CHECK(absl::IsNotFound(m.Assign(0, 7, Monday())));
}

TEST_CASE("Distance is relative and ignores unspecified resources") {
  const ResourceVector stage = MakeResources(8.0, 32e9, 0, 0);
  CHECK(WorkflowMatcher::Distance(stage, stage) == 0.0);
  CHECK(WorkflowMatcher::Distance(MakeResources(8.0, 32e9, 1e9, 1e9), stage) == 0.0);
  CHECK(WorkflowMatcher::Distance(MakeResources(4.0, 32e9, 0, 0), stage) == doctest::Approx(0.25));
  CHECK(WorkflowMatcher::Distance(ResourceVector{}, stage) == doctest::Approx(1.0));
}

TEST_CASE("A trajectory is matched to a template stage and followed forward") {
  WorkflowMatcher m;
  REQUIRE(m.Add(WebDeploy()).ok());
  REQUIRE(m.Add(Pipeline()).ok());
  absl::Time t = Monday();
  auto feed = [&](const ResourceVector& u, int n) {
    for (int i = 0; i < n; ++i) m.Observe(3, t += absl::Minutes(5), u);
  };
  feed(MakeResources(0.05, 1e8, 0, 0), 6);  // nothing running
  CHECK(m.Match(3).stage == -1);
  feed(MakeResources(0.55, 1e9, 1.8e8, 5e7), 6);  // ingest
  WorkflowMatch w = m.Match(3);
  CHECK(w.workflow == 1);
  CHECK(w.stage == 0);
  CHECK_FALSE(w.pinned);
  feed(MakeResources(7.5, 30e9, 1e6, 0), 6);  // train
  w = m.Match(3);
  CHECK(w.workflow == 1);
  CHECK(w.stage == 1);
  // Forecast along the template: still training in an hour, reporting after it.
  REQUIRE(m.DemandAt(3, t, t + absl::Hours(1)).has_value());
  CHECK(m.DemandAt(3, t, t + absl::Hours(1))->cpu() == 8.0);
  CHECK(m.DemandAt(3, t, t + absl::Minutes(105))->cpu() == 1.0);
  CHECK_FALSE(m.DemandAt(3, t, t + absl::Hours(3)).has_value());
  // Sustained mismatch drops the match.
  feed(MakeResources(0.01, 1e8, 0, 0), 12);  // (passes through "report" on the way down)
  CHECK(m.Match(3).stage == -1);
  CHECK_FALSE(m.DemandAt(3, t, t).has_value());
}

TEST_CASE("A pinned user stays in its template") {
  WorkflowMatcher m;
  REQUIRE(m.Add(WebDeploy()).ok());
  REQUIRE(m.Add(Pipeline()).ok());
  REQUIRE(m.Assign(0, 1, Monday()).ok());
  CHECK(m.Match(0).workflow == 1);
  CHECK(m.Match(0).stage == 0);
  CHECK(m.Match(0).pinned);
  absl::Time t = Monday();
  for (int i = 0; i < 8; ++i) m.Observe(0, t += absl::Minutes(5), MakeResources(4.0, 8e9, 5e7, 0));
  CHECK(m.Match(0).stage == -1);  // dropped: build does not belong to the pipeline
  for (int i = 0; i < 5; ++i) m.Observe(0, t += absl::Minutes(5), MakeResources(1.0, 4e9, 0, 0));
  CHECK(m.Match(0).workflow == 1);
  CHECK(m.Match(0).stage == 2);
}

}  // namespace
}  // namespace foresight
