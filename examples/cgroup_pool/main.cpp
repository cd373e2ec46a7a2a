// cgroup_pool: a CgroupPool capping a CPU-bound process on this host.
//
// Creates its own parent group (foresight-example-<pid>), puts a spinning child
// in user group "demo", observes its usage, caps it at 0.2 cores through the
// Pool interface (one Status per move), observes the throttling, and removes
// everything it created. Needs root and a writable cgroup hierarchy; otherwise
// it says why and exits 0.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "foresight/pool/cgroup_pool.hpp"

namespace {

using foresight::CgroupPool;
using foresight::Observation;
using foresight::Resource;
using foresight::UserId;

void Report(const char* what, const Observation& obs) {
  const foresight::UserObservation& u = obs.users.at(0);
  std::printf("%-22s usage %.2f cores, limit %.2f cores, memory %.1f MiB%s\n", what, u.usage.cpu(),
              u.allocation.cpu(), u.usage.memory() / (1 << 20),
              (u.events & foresight::kEventCpuThrottled) ? ", throttled" : "");
}

int Run(CgroupPool& pool, pid_t child) {
  const UserId demo{1};
  if (absl::Status s = pool.AttachProcess(demo, child); !s.ok()) {
    std::printf("cannot attach: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  Observation obs;
  pool.Observe(absl::Now(), obs).IgnoreError();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  if (!pool.Observe(absl::Now(), obs).ok()) return 1;
  Report("unlimited:", obs);

  foresight::AllocationPlan plan;
  foresight::Move cap;
  cap.user = demo;
  cap.resource = Resource::kCpu;
  cap.from = obs.users[0].allocation.cpu();
  cap.to = 0.2;
  cap.reason = foresight::Reason::kOverride;
  plan.moves.push_back(cap);
  std::vector<absl::Status> results;
  if (!pool.Apply(absl::Now(), plan, results).ok() || !results[0].ok()) {
    std::printf("cap refused: %s\n",
                results.empty() ? "?" : std::string(results[0].message()).c_str());
    return 1;
  }
  std::printf("applied: cpu %.2f -> %.2f cores\n", cap.from, cap.to);
  pool.Observe(absl::Now(), obs).IgnoreError();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  if (!pool.Observe(absl::Now(), obs).ok()) return 1;
  Report("capped at 0.2 cores:", obs);
  return 0;
}

}  // namespace

int main() {
  if (::geteuid() != 0) {
    std::printf("skipped: needs root to create cgroups\n");
    return 0;
  }
  foresight::CgroupPoolOptions options;
  options.group = absl::StrCat("foresight-example-", ::getpid());
  absl::StatusOr<CgroupPool> pool = CgroupPool::Create(options);
  if (!pool.ok()) {
    std::printf("skipped: %s\n", std::string(pool.status().message()).c_str());
    return 0;
  }
  std::printf("cgroup %s, capacity %.0f cores, %.1f GiB\n",
              std::string(foresight::CgroupVersionName(pool->version())).c_str(),
              pool->capacity().cpu(), pool->capacity().memory() / (1 << 30));
  if (!pool->Supports(Resource::kCpu)) {
    std::printf("skipped: %s\n", pool->unsupported_reason(Resource::kCpu).c_str());
    pool->RemoveParentGroup().IgnoreError();
    return 0;
  }
  int rc = 1;
  if (pool->AddUser(UserId{1}, "demo").ok()) {
    const pid_t child = ::fork();
    if (child == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      volatile unsigned long x = 0;
      for (;;) x = x + 1;
    }
    if (child > 0) {
      rc = Run(*pool, child);
      ::kill(child, SIGKILL);
      ::waitpid(child, nullptr, 0);
    }
    for (int i = 0; i < 100 && !pool->RemoveUser(UserId{1}).ok(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  pool->RemoveParentGroup().IgnoreError();
  return rc;
}
