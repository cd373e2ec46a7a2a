// `foresight run`: the daemon loop. Manages users as cgroups under a parent
// group on this host and ticks a Controller on the wall clock (the only place
// foresight reads it), printing every decision with its reason. Bounded by
// --ticks (0 = until interrupted).
#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cli/command.hpp"
#include "foresight/allocate/hpa_style.hpp"
#include "foresight/allocate/quantile_target.hpp"
#include "foresight/allocate/vpa_style.hpp"
#include "foresight/control/controller.hpp"
#include "foresight/core/units.hpp"
#include "foresight/pool/cgroup_pool.hpp"
#include "foresight/profile/behavior_profiler.hpp"
#include "nlohmann/json.hpp"

namespace foresight::cli {
namespace {

std::atomic<bool> g_stop{false};

struct RunFlags {
  std::string group = "foresight";
  std::string version = "auto";
  std::vector<std::string> users;  // name[:pid]
  std::string policy = "proactive";
  std::string capacity;            // "cpu=4,memory=8Gi"
  double interval_seconds = 10;
  int ticks = 0;
  bool dry_run = false;
  bool keep_groups = false;
  std::string log;                 // JSON lines of decisions
};

[[noreturn]] void Fail(const absl::Status& s) {
  std::cerr << "foresight run: " << s.message() << "\n";
  throw CLI::RuntimeError(1);
}

template <typename AllocatorT>
absl::Status Loop(const RunFlags& f, CgroupPool pool, AllocatorT allocator,
                  const std::vector<UserId>& ids) {
  ControllerOptions options;
  options.step = absl::Seconds(f.interval_seconds);
  internal::ErrorQuantiles::Options errors;
  errors.horizon = 2;
  HoltWintersOptions hw;
  hw.season = std::max(1, static_cast<int>(absl::Hours(24) / options.step));
  Controller<BehaviorProfiler, HoltWinters, LinearCost, AllocatorT, CgroupPool> controller(
      options, BehaviorProfiler{}, HoltWinters(hw, errors), LinearCost{}, std::move(allocator),
      std::move(pool));
  if (f.dry_run) {
    controller.set_policy([](const AllocationRequest&, AllocationPlan& plan) {
      plan.Clear();  // observe and forecast only
      return absl::OkStatus();
    });
  }
  std::ofstream log;
  if (!f.log.empty()) log.open(f.log, std::ios::app);
  absl::Status status = absl::OkStatus();
  for (int tick = 0; (f.ticks == 0 || tick < f.ticks) && !g_stop; ++tick) {
    const absl::Time now = absl::Now();
    absl::StatusOr<TickReport> report = controller.Tick(now);
    if (!report.ok()) {
      status = report.status();
      break;
    }
    std::cout << absl::StrFormat("%s tick %d: %d users, %d moves, %d failed\n",
                                 absl::FormatTime("%H:%M:%S", now, absl::LocalTimeZone()), tick,
                                 static_cast<int>(report->users),
                                 static_cast<int>(report->decisions.size()),
                                 static_cast<int>(report->failures.size()));
    for (const Move& m : report->decisions) {
      std::cout << absl::StrFormat("  %s %s %s -> %s (%s, level %.3f, forecast %s)\n",
                                   ToString(m.user), std::string(ResourceName(m.resource)),
                                   FormatQuantity(m.from, m.resource),
                                   FormatQuantity(m.to, m.resource),
                                   std::string(ReasonName(m.reason)), m.level,
                                   FormatQuantity(m.forecast, m.resource));
      if (log) {
        nlohmann::json j = {{"time", absl::FormatTime(now)}, {"user", m.user.value},
                            {"resource", std::string(ResourceName(m.resource))},
                            {"from", m.from}, {"to", m.to},
                            {"reason", std::string(ReasonName(m.reason))}, {"level", m.level},
                            {"forecast", m.forecast}};
        log << j.dump() << "\n";
      }
    }
    for (const ActuationFailure& fail : report->failures) {
      std::cout << "  failed: " << ToString(fail.move.user) << " "
                << ResourceName(fail.move.resource) << ": " << fail.status.message() << "\n";
    }
    if (f.ticks != 0 && tick + 1 >= f.ticks) break;
    std::this_thread::sleep_for(std::chrono::duration<double>(f.interval_seconds));
  }
  if (!f.keep_groups) {
    // Remove the groups this run created (the kernel refuses while processes remain).
    for (UserId id : ids) {
      if (absl::Status s = controller.pool().RemoveUser(id); !s.ok()) {
        std::cerr << "foresight run: " << s.message() << "\n";
      }
    }
    (void)controller.pool().RemoveParentGroup();
  }
  return status;
}

void Run(const RunFlags& f) {
  if (f.policy != "proactive" && f.policy != "vpa" && f.policy != "hpa") {
    Fail(absl::InvalidArgumentError("--policy: proactive, vpa or hpa"));
  }
  CgroupPoolOptions o;
  o.group = f.group;
  if (f.version == "v1") o.version = CgroupVersion::kV1;
  else if (f.version == "v2") o.version = CgroupVersion::kV2;
  else if (f.version != "auto") Fail(absl::InvalidArgumentError("--cgroup-version: auto, v1 or v2"));
  if (!f.capacity.empty()) {
    absl::StatusOr<ResourceVector> cap = ParseResourceList(f.capacity);
    if (!cap.ok()) Fail(cap.status());
    o.capacity = *cap;
  }
  if (!(f.interval_seconds > 0)) Fail(absl::InvalidArgumentError("--interval must be > 0"));
  // Every --user is read before any group is made, so a typo changes nothing.
  std::vector<CgroupUserSpec> specs;
  for (const std::string& text : f.users) {
    absl::StatusOr<CgroupUserSpec> spec = ParseCgroupUserSpec(text);
    if (!spec.ok())
      Fail(absl::InvalidArgumentError(absl::StrCat("--user: ", spec.status().message())));
    specs.push_back(*std::move(spec));
  }
  absl::StatusOr<CgroupPool> pool = CgroupPool::Create(o);
  if (!pool.ok()) Fail(pool.status());
  // Groups first, then processes: a clash or a bad PID leaves the host as it
  // was, with the groups (and parent) this run made removed. A process moved
  // before a later PID failed keeps its group (the kernel refuses to remove it).
  std::vector<UserId> ids;
  auto undo_and_fail = [&](const absl::Status& s) {
    for (UserId made : ids) {
      if (absl::Status r = pool->RemoveUser(made); !r.ok())
        std::cerr << "foresight run: " << r.message() << "\n";
    }
    pool->RemoveParentGroup().IgnoreError();
    Fail(s);
  };
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const UserId id{i};
    if (absl::Status s = pool->AddUser(id, specs[i].name); !s.ok()) undo_and_fail(s);
    ids.push_back(id);
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (!specs[i].pid) continue;
    if (absl::Status s = pool->AttachProcess(ids[i], *specs[i].pid); !s.ok()) undo_and_fail(s);
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    std::cout << "managing " << specs[i].name << " as " << ToString(ids[i]) << "\n";
  }
  signal(SIGINT, [](int) { g_stop = true; });
  signal(SIGTERM, [](int) { g_stop = true; });
  absl::Status status;
  if (f.policy == "proactive") status = Loop(f, *std::move(pool), QuantileTarget{}, ids);
  else if (f.policy == "vpa") status = Loop(f, *std::move(pool), VpaStyle{}, ids);
  else status = Loop(f, *std::move(pool), HpaStyle{}, ids);
  if (!status.ok()) Fail(status);
}

void SetupRun(CLI::App& app) {
  auto f = std::make_shared<RunFlags>();
  app.add_option("--group", f->group, "parent cgroup (relative to the cgroup mount)")
      ->capture_default_str();
  app.add_option("--cgroup-version", f->version, "auto, v1 or v2")->capture_default_str();
  app.add_option("--user", f->users, "a user to manage: NAME or NAME:PID (repeatable)")
      ->required();
  app.add_option("--policy", f->policy, "proactive, vpa or hpa")->capture_default_str();
  app.add_option("--host-capacity", f->capacity, "e.g. cpu=4,memory=8Gi (default: detected)");
  app.add_option("--interval", f->interval_seconds, "seconds between ticks")->capture_default_str();
  app.add_option("--ticks", f->ticks, "stop after N ticks (0: until interrupted)")
      ->capture_default_str();
  app.add_flag("--dry-run", f->dry_run, "observe and forecast, change nothing");
  app.add_flag("--keep-groups", f->keep_groups, "leave the users' cgroups in place at exit");
  app.add_option("--log", f->log, "append every decision as a JSON line to FILE");
  app.callback([f] { Run(*f); });
}

const CommandRegistrar kRun("run", "the daemon: manage users as cgroups on this host", &SetupRun);

}  // namespace
}  // namespace foresight::cli
