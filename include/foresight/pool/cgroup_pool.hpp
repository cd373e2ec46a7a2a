// -----------------------------------------------------------------------------
// File: cgroup_pool.hpp
// -----------------------------------------------------------------------------
//
// `CgroupPool` plays the `Pool` role on one Linux host: each user is a control
// group under a parent group the pool is given, and limits are the kernel's.
//
//   cgroup v2 (unified)             cgroup v1 (one hierarchy per controller)
//   cpu     cpu.max "quota period"  cpu.cfs_quota_us / cpu.cfs_period_us
//   memory  memory.max, memory.high memory.limit_in_bytes
//   io      io.max rbps= wbps=      blkio.throttle.{read,write}_bps_device
//   usage   cpu.stat usage_usec,    cpuacct.usage, memory.usage_in_bytes,
//           memory.current, io.stat blkio.throttle.io_service_bytes
//   events  cpu.stat nr_throttled,  cpu.stat nr_throttled,
//           memory.events oom_kill  memory.oom_control oom_kill
//
// Network bandwidth is not a cgroup resource (shaping it needs tc, which is out
// of scope): net moves fail with UnimplementedError and net usage reads 0.
// IO is managed only for the one block device named in the options.
//
// `Observe(now)` turns counter deltas since the previous call into rates using
// the times passed in (never the wall clock); the first call reports zero CPU
// and IO usage. A limit of "max" (unlimited) is reported as the host capacity,
// so a new group counts as holding the whole host until a plan shrinks it.
//
// `Apply` reads every user's limits, then walks the plan in order: a grow that
// would put the sum of limits above capacity is refused (FailedPreconditionError);
// a write the kernel rejects returns the file and errno, is rolled back, and the
// limit is re-read to verify it is the previous one. Apply returns OkStatus when
// the plan was walked, whatever the individual moves did; its own error (with
// every move failed) only when the current limits cannot be read.
//
// All file IO goes through `internal::CgroupFs`, so the pool runs unchanged
// against a temporary directory tree holding the same file names.
//
// Not thread-safe: one controller drives a pool.
#ifndef FORESIGHT_POOL_CGROUP_POOL_HPP_
#define FORESIGHT_POOL_CGROUP_POOL_HPP_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "foresight/allocate/plan.hpp"
#include "foresight/core/resources.hpp"
#include "foresight/core/user.hpp"
#include "foresight/pool/internal/cgroup_fs.hpp"
#include "foresight/pool/pool.hpp"
#include "foresight/telemetry/observation.hpp"

namespace foresight {

enum class CgroupVersion : std::uint8_t {
  kAuto,  // v2 when the unified hierarchy offers cpu or memory, else v1
  kV1,
  kV2,
};

std::string_view CgroupVersionName(CgroupVersion v);

struct CgroupPoolOptions {
  CgroupVersion version = CgroupVersion::kAuto;
  // The pool's parent group, relative to each hierarchy's mount point:
  // "foresight" is /sys/fs/cgroup/foresight on v2 and
  // /sys/fs/cgroup/{cpu,cpuacct,memory,blkio}/foresight on v1.
  std::string group = "foresight";
  // Create the parent group (and on v2 enable cpu, memory, io for its children).
  bool create_group = true;
  std::string mountinfo_path = "/proc/self/mountinfo";
  std::string meminfo_path = "/proc/meminfo";
  // Host capacity; zero components are detected: cpu = online CPUs,
  // memory = MemTotal. io needs a value when `io_device` is set; net is never managed.
  ResourceVector capacity;
  // "MAJ:MIN" of the block device whose bandwidth is limited and measured
  // (e.g. "8:0"); empty leaves IO unmanaged.
  std::string io_device;
  // CFS period the CPU quota is expressed in (1 ms .. 1 s).
  absl::Duration cpu_period = absl::Milliseconds(100);
  // v2: memory.high is set to this fraction of memory.max (1 = equal, (0, 1]).
  double memory_high_fraction = 1.0;
  // Actuation lead time per resource (default 0: cgroup writes act at once).
  PerResource<absl::Duration> lead_time = PerResource<absl::Duration>::Filled(absl::ZeroDuration());
};

// Whether `name` can name a user's group: one path component (not empty,
// ".", ".." and without '/'), at most 255 bytes (NAME_MAX), and no control
// characters. InvalidArgument naming the name and the rule otherwise.
absl::Status ValidateCgroupName(std::string_view name);

// One user on `foresight run`'s command line: "NAME" or "NAME:PID".
struct CgroupUserSpec {
  std::string name;
  std::optional<pid_t> pid;  // a process to move into the group, when given
};

// Parses "NAME" or "NAME:PID", split at the first ':' (so a name given this
// way has none): the name must pass `ValidateCgroupName`, the
// PID is a decimal number in [1, 2^22] (the kernel's pid_max limit), written
// without sign, spaces or leading zeros.
absl::StatusOr<CgroupUserSpec> ParseCgroupUserSpec(std::string_view spec);

class CgroupPool {
 public:
  static std::string_view Name() { return "cgroup"; }

  // Detects the hierarchy, checks the parent group (creating it when asked)
  // and works out which resources can be limited. `fs` defaults to the real
  // filesystem.
  static absl::StatusOr<CgroupPool> Create(CgroupPoolOptions options,
                                           std::shared_ptr<internal::CgroupFs> fs = nullptr);

  // Manages `name` (see `ValidateCgroupName`) as user `id`: creates the group
  // in every hierarchy unless it exists, when it is adopted (and left in place
  // by RemoveUser). AlreadyExistsError for a known id or name, or when `name`
  // exists in a hierarchy as something other than a group directory (a
  // controller file such as "cpu.max" or v1's "tasks").
  absl::Status AddUser(UserId id, std::string_view name);
  // Stops managing `id` and removes the groups this pool created (the kernel
  // refuses while processes remain: FailedPrecondition naming the directory).
  // The next Observe reports `id` once more, flagged kEventDeleted.
  absl::Status RemoveUser(UserId id);
  // Moves process `pid` into the user's group in every hierarchy.
  absl::Status AttachProcess(UserId id, pid_t pid);
  // Removes the parent group when this pool created it and it is empty.
  absl::Status RemoveParentGroup();

  absl::Status Observe(absl::Time now, Observation& out);
  absl::Status Apply(absl::Time now, const AllocationPlan& plan,
                     std::vector<absl::Status>& results);
  absl::Duration LeadTime(Resource r) const { return options_.lead_time[r]; }
  PoolCapabilities capabilities() const { return PoolCapabilities{}; }

  CgroupVersion version() const { return version_; }
  const ResourceVector& capacity() const { return options_.capacity; }
  // Whether moves of `r` can be applied (controller present and enabled).
  bool Supports(Resource r) const { return supported_[r]; }
  // Why `r` cannot be applied, empty when it can.
  const std::string& unsupported_reason(Resource r) const { return unsupported_[r]; }
  // The user's group directory holding `file` (e.g. "memory.max",
  // "cpu.cfs_quota_us"); NotFoundError for unknown users.
  absl::StatusOr<std::string> FilePath(UserId id, std::string_view file) const;
  // The limits in force now (re-read from the kernel; "max" = capacity).
  absl::StatusOr<ResourceVector> ReadLimits(UserId id) const;

 private:
  struct Counters {
    std::uint64_t cpu_ns = 0;
    std::uint64_t throttled = 0;
    std::uint64_t oom_kills = 0;
    std::uint64_t io_bytes = 0;
    double memory_bytes = 0.0;
  };
  struct Group {
    UserId id;
    std::string name;
    // Directory per controller kind (all equal on v2): cpu, cpuacct, memory, blkio.
    std::string cpu_dir, cpuacct_dir, memory_dir, blkio_dir;
    std::vector<std::string> created;  // directories this pool made
    Counters last;
    bool has_last = false;
    std::uint32_t pending_events = kEventNone;
  };
  struct Write {
    std::string file;
    std::string value;
    std::string restore;
  };

  CgroupPool(CgroupPoolOptions options, std::shared_ptr<internal::CgroupFs> fs)
      : options_(std::move(options)), fs_(std::move(fs)) {}

  absl::Status Init();
  std::vector<std::string> HierarchyDirs() const;  // parent group dir per hierarchy
  std::string ControllerDir(const Group& g, Resource r) const;
  Group* Find(UserId id);
  const Group* Find(UserId id) const;
  absl::StatusOr<ResourceVector> ReadLimits(const Group& g) const;
  absl::StatusOr<double> ReadLimit(const Group& g, Resource r) const;
  absl::StatusOr<Counters> ReadCounters(const Group& g) const;
  // The limit a move to `target` actually writes (whole microseconds of quota,
  // at least 1 ms; whole pages; at least 1 byte/s).
  double Written(Resource r, double target) const;
  absl::StatusOr<std::vector<Write>> PlanWrites(const Group& g, Resource r, double target) const;
  absl::Status ApplyOne(Group& g, Resource r, double target, double before, double& after);

  CgroupPoolOptions options_;
  std::shared_ptr<internal::CgroupFs> fs_;
  CgroupVersion version_ = CgroupVersion::kAuto;
  std::string unified_, cpu_root_, cpuacct_root_, memory_root_, blkio_root_;
  std::vector<std::string> created_parents_;
  PerResource<bool> supported_;   // moves can be applied
  PerResource<bool> observable_;  // usage can be read
  bool throttle_observable_ = false;
  PerResource<std::string> unsupported_;
  std::vector<Group> groups_;
  bool has_last_time_ = false;
  absl::Time last_time_;
  std::vector<UserId> removed_;  // since the last Observe: reported deleted there
};

static_assert(Pool<CgroupPool>);

}  // namespace foresight

#endif  // FORESIGHT_POOL_CGROUP_POOL_HPP_
