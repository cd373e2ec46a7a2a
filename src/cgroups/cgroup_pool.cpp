// -----------------------------------------------------------------------------
// File: cgroup_pool.cpp
// -----------------------------------------------------------------------------
#include "foresight/pool/cgroup_pool.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "foresight/core/status.hpp"
#include "foresight/core/units.hpp"
#include "foresight/pool/internal/adapter_common.hpp"
#include "foresight/pool/internal/cgroup_parse.hpp"

namespace foresight {
namespace {

constexpr double kPageBytes = 4096.0;
constexpr std::uint64_t kMinCpuQuotaUs = 1000;  // the kernel refuses quotas below 1 ms

std::string Join(std::string_view dir, std::string_view name) {
  return absl::StrCat(Sv(dir), "/", Sv(name));
}

std::string Trim(std::string_view s) { return std::string(absl::StripAsciiWhitespace(Sv(s))); }

bool HasWord(std::string_view list, std::string_view word) {
  for (absl::string_view w : absl::StrSplit(Sv(list), absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
    if (w == Sv(word)) return true;
  }
  return false;
}

// A relative path of plain components: no "", ".", ".." and no leading '/'.
absl::Status CheckRelativePath(std::string_view path, std::string_view what) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat(Sv(what), " is empty"));
  for (absl::string_view part : absl::StrSplit(Sv(path), '/')) {
    if (part.empty() || part == "." || part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat(Sv(what), " '", Sv(path), "' is not a plain relative path"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDevice(std::string_view device) {
  std::pair<absl::string_view, absl::string_view> mm = absl::StrSplit(Sv(device), ':');
  std::uint32_t major = 0, minor = 0;
  if (!absl::SimpleAtoi(mm.first, &major) || !absl::SimpleAtoi(mm.second, &minor)) {
    return absl::InvalidArgumentError(
        absl::StrCat("io_device '", Sv(device), "' is not MAJ:MIN (e.g. 8:0)"));
  }
  return absl::OkStatus();
}

std::string Describe(UserId id, std::string_view name) {
  return absl::StrCat(ToString(id), " (", Sv(name), ")");
}

}  // namespace

absl::Status ValidateCgroupName(std::string_view name) {
  constexpr std::size_t kNameMax = 255;  // NAME_MAX: the longest directory name
  auto refuse = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("user name '", absl::CHexEscape(Sv(name)), "' ", Sv(why)));
  };
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos) {
    return refuse("is not a single path component");
  }
  if (name.size() > kNameMax) return refuse("is longer than 255 bytes");
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return refuse("holds a control character");
  }
  return absl::OkStatus();
}

absl::StatusOr<CgroupUserSpec> ParseCgroupUserSpec(std::string_view spec) {
  constexpr std::uint32_t kPidMaxLimit = 1u << 22;  // PID_MAX_LIMIT on 64-bit kernels
  CgroupUserSpec out;
  const std::size_t colon = spec.find(':');
  out.name = std::string(spec.substr(0, colon));
  FORESIGHT_RETURN_IF_ERROR(ValidateCgroupName(out.name));
  if (colon == std::string_view::npos) return out;
  const std::string_view digits = spec.substr(colon + 1);
  std::uint32_t pid = 0;
  const bool plain =
      !digits.empty() && digits.size() <= 7 && digits[0] != '0' &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!plain || !absl::SimpleAtoi(Sv(digits), &pid) || pid > kPidMaxLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("user '", absl::CHexEscape(Sv(spec)),
                     "': expected NAME or NAME:PID with PID a process id in 1..4194304"));
  }
  out.pid = static_cast<pid_t>(pid);
  return out;
}

std::string_view CgroupVersionName(CgroupVersion v) {
  switch (v) {
    case CgroupVersion::kAuto:
      return "auto";
    case CgroupVersion::kV1:
      return "v1";
    case CgroupVersion::kV2:
      return "v2";
  }
  return "?";
}

absl::StatusOr<CgroupPool> CgroupPool::Create(CgroupPoolOptions options,
                                              std::shared_ptr<internal::CgroupFs> fs) {
  if (fs == nullptr) fs = std::make_shared<internal::PosixCgroupFs>();
  CgroupPool pool(std::move(options), std::move(fs));
  FORESIGHT_RETURN_IF_ERROR(pool.Init());
  return pool;
}

absl::Status CgroupPool::Init() {
  const CgroupPoolOptions& o = options_;
  FORESIGHT_RETURN_IF_ERROR(CheckRelativePath(o.group, "group"));
  if (o.cpu_period < absl::Milliseconds(1) || o.cpu_period > absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cpu_period ", absl::FormatDuration(o.cpu_period), " is outside [1ms, 1s]"));
  }
  if (!(o.memory_high_fraction > 0.0 && o.memory_high_fraction <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("memory_high_fraction ", o.memory_high_fraction, " is outside (0, 1]"));
  }
  if (!IsValidAmount(o.capacity)) {
    return absl::InvalidArgumentError("capacity is NaN, infinite or negative");
  }
  for (Resource r : kAllResources) {
    if (o.lead_time[r] < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("lead time of ", Sv(ResourceName(r)), " is negative"));
    }
  }
  if (!o.io_device.empty()) {
    FORESIGHT_RETURN_IF_ERROR(CheckDevice(o.io_device));
    if (o.capacity.io() <= 0.0) {
      return absl::InvalidArgumentError(
          absl::StrCat("io_device ", o.io_device, " needs capacity.io (bytes/s) > 0"));
    }
  }

  FORESIGHT_ASSIGN_OR_RETURN(const std::string mountinfo, fs_->Read(o.mountinfo_path));
  FORESIGHT_ASSIGN_OR_RETURN(const internal::CgroupMounts mounts,
                             internal::ParseMountInfo(mountinfo));
  std::string unified_controllers;
  if (!mounts.unified.empty()) {
    absl::StatusOr<std::string> c = fs_->Read(Join(mounts.unified, "cgroup.controllers"));
    if (c.ok()) unified_controllers = *c;
  }
  const bool v1_present = !mounts.cpu.empty() || !mounts.memory.empty();
  version_ = o.version;
  if (version_ == CgroupVersion::kAuto) {
    const bool v2_useful =
        HasWord(unified_controllers, "cpu") || HasWord(unified_controllers, "memory");
    version_ = (v2_useful || !v1_present) ? CgroupVersion::kV2 : CgroupVersion::kV1;
  }
  if (version_ == CgroupVersion::kV2 && mounts.unified.empty()) {
    return absl::NotFoundError(absl::StrCat("no cgroup2 mount in ", o.mountinfo_path));
  }
  if (version_ == CgroupVersion::kV1 && !v1_present) {
    return absl::NotFoundError(
        absl::StrCat("no cgroup v1 cpu or memory hierarchy in ", o.mountinfo_path));
  }
  if (version_ == CgroupVersion::kV2) {
    unified_ = mounts.unified;
  } else {
    cpu_root_ = mounts.cpu;
    cpuacct_root_ = mounts.cpuacct;
    memory_root_ = mounts.memory;
    blkio_root_ = mounts.blkio;
  }

  if (options_.capacity.cpu() <= 0.0) {
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    options_.capacity.cpu() = n > 0 ? static_cast<double>(n) : 1.0;
  }
  if (options_.capacity.memory() <= 0.0) {
    FORESIGHT_ASSIGN_OR_RETURN(const std::string meminfo, fs_->Read(o.meminfo_path));
    FORESIGHT_ASSIGN_OR_RETURN(options_.capacity.memory(), internal::ParseMemTotal(meminfo));
  }

  // The parent group in every hierarchy, made component by component.
  for (const std::string& dir : HierarchyDirs()) {
    if (fs_->Exists(dir)) continue;
    if (!o.create_group) {
      return absl::NotFoundError(absl::StrCat("parent group ", dir, " does not exist"));
    }
    std::string path = dir.substr(0, dir.size() - o.group.size() - 1);
    for (absl::string_view part : absl::StrSplit(o.group, '/')) {
      path = Join(path, StdSv(part));
      absl::Status s = fs_->MakeDir(path);
      if (s.ok()) {
        created_parents_.push_back(path);
      } else if (!absl::IsAlreadyExists(s)) {
        return s;
      }
    }
  }

  // What can be limited.
  unsupported_[Resource::kNet] =
      "cgroups do not shape network bandwidth (that needs tc, which is out of scope)";
  const std::string no_device = "io is unmanaged: no io_device configured";
  if (version_ == CgroupVersion::kV2) {
    const std::string parent = Join(unified_, o.group);
    absl::StatusOr<std::string> available = fs_->Read(Join(parent, "cgroup.controllers"));
    absl::StatusOr<std::string> enabled = fs_->Read(Join(parent, "cgroup.subtree_control"));
    const std::pair<Resource, std::string_view> kControllers[] = {
        {Resource::kCpu, "cpu"}, {Resource::kMemory, "memory"}, {Resource::kIo, "io"}};
    for (const auto& [r, name] : kControllers) {
      if (!available.ok() || !HasWord(*available, name)) {
        unsupported_[r] = absl::StrCat("the ", Sv(name), " controller is not available to ", parent,
                                       " (cgroup.controllers: '",
                                       available.ok() ? Trim(*available) : "unreadable", "')");
        continue;
      }
      if (!enabled.ok() || !HasWord(*enabled, name)) {
        absl::Status s =
            fs_->Write(Join(parent, "cgroup.subtree_control"), absl::StrCat("+", Sv(name)));
        if (!s.ok()) {
          unsupported_[r] =
              absl::StrCat("cannot enable the ", Sv(name), " controller: ", s.message());
          continue;
        }
      }
      observable_[r] = true;
    }
  } else {
    observable_[Resource::kCpu] = !cpuacct_root_.empty();
    observable_[Resource::kMemory] = !memory_root_.empty();
    observable_[Resource::kIo] = !blkio_root_.empty();
    if (cpu_root_.empty()) unsupported_[Resource::kCpu] = "no cgroup v1 cpu hierarchy is mounted";
    if (memory_root_.empty()) {
      unsupported_[Resource::kMemory] = "no cgroup v1 memory hierarchy is mounted";
    }
    if (blkio_root_.empty())
      unsupported_[Resource::kIo] = "no cgroup v1 blkio hierarchy is mounted";
  }
  if (unsupported_[Resource::kIo].empty() && o.io_device.empty())
    unsupported_[Resource::kIo] = no_device;
  for (Resource r : kAllResources) supported_[r] = unsupported_[r].empty();
  throttle_observable_ =
      version_ == CgroupVersion::kV2 ? supported_[Resource::kCpu] : !cpu_root_.empty();
  if (version_ == CgroupVersion::kV2) observable_[Resource::kCpu] = true;  // cpu.stat is core
  return absl::OkStatus();
}

std::vector<std::string> CgroupPool::HierarchyDirs() const {
  std::vector<std::string> dirs;
  for (const std::string* root :
       {&unified_, &cpu_root_, &cpuacct_root_, &memory_root_, &blkio_root_}) {
    if (root->empty()) continue;
    std::string dir = Join(*root, options_.group);
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(std::move(dir));
  }
  return dirs;
}

CgroupPool::Group* CgroupPool::Find(UserId id) {
  for (Group& g : groups_) {
    if (g.id == id) return &g;
  }
  return nullptr;
}

const CgroupPool::Group* CgroupPool::Find(UserId id) const {
  for (const Group& g : groups_) {
    if (g.id == id) return &g;
  }
  return nullptr;
}

absl::Status CgroupPool::AddUser(UserId id, std::string_view name) {
  FORESIGHT_RETURN_IF_ERROR(ValidateCgroupName(name));
  for (const Group& g : groups_) {
    if (g.id == id || g.name == name) {
      return absl::AlreadyExistsError(
          absl::StrCat(Describe(id, name), " clashes with managed ", Describe(g.id, g.name)));
    }
  }
  Group g;
  g.id = id;
  g.name = std::string(name);
  auto dir_in = [&](const std::string& root) {
    return root.empty() ? std::string() : Join(Join(root, options_.group), name);
  };
  if (version_ == CgroupVersion::kV2) {
    g.cpu_dir = g.cpuacct_dir = g.memory_dir = g.blkio_dir = dir_in(unified_);
  } else {
    g.cpu_dir = dir_in(cpu_root_);
    g.cpuacct_dir = dir_in(cpuacct_root_);
    g.memory_dir = dir_in(memory_root_);
    g.blkio_dir = dir_in(blkio_root_);
  }
  for (const std::string& parent : HierarchyDirs()) {
    const std::string dir = Join(parent, name);
    absl::Status s = fs_->MakeDir(dir);
    if (s.ok()) {
      g.created.push_back(dir);
      continue;
    }
    // An existing group is adopted. An existing file ("cpu.max", v1's
    // "tasks") is not a group: "<path>/." exists only for a directory.
    if (absl::IsAlreadyExists(s) && fs_->Exists(absl::StrCat(dir, "/."))) continue;
    if (absl::IsAlreadyExists(s)) {
      s = absl::AlreadyExistsError(absl::StrCat("user name '", Sv(name), "' is taken by ", dir,
                                                ", which is not a group directory"));
    }
    for (auto it = g.created.rbegin(); it != g.created.rend(); ++it) {
      fs_->RemoveDir(*it).IgnoreError();
    }
    return s;
  }
  groups_.push_back(std::move(g));
  return absl::OkStatus();
}

absl::Status CgroupPool::RemoveUser(UserId id) {
  auto it =
      std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) { return g.id == id; });
  if (it == groups_.end())
    return absl::NotFoundError(absl::StrCat(ToString(id), " is not managed"));
  while (!it->created.empty()) {
    absl::Status s = fs_->RemoveDir(it->created.back());
    if (!s.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot remove ", Describe(id, it->name), ": ", s.message()));
    }
    it->created.pop_back();
  }
  removed_.push_back(id);
  groups_.erase(it);
  return absl::OkStatus();
}

absl::Status CgroupPool::RemoveParentGroup() {
  if (!groups_.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the parent group still has ", groups_.size(), " managed users"));
  }
  while (!created_parents_.empty()) {
    FORESIGHT_RETURN_IF_ERROR(fs_->RemoveDir(created_parents_.back()));
    created_parents_.pop_back();
  }
  return absl::OkStatus();
}

absl::Status CgroupPool::AttachProcess(UserId id, pid_t pid) {
  const Group* g = Find(id);
  if (g == nullptr) return absl::NotFoundError(absl::StrCat(ToString(id), " is not managed"));
  std::vector<std::string> dirs;
  for (const std::string* d : {&g->cpu_dir, &g->cpuacct_dir, &g->memory_dir, &g->blkio_dir}) {
    if (!d->empty() && std::find(dirs.begin(), dirs.end(), *d) == dirs.end()) dirs.push_back(*d);
  }
  for (const std::string& dir : dirs) {
    FORESIGHT_RETURN_IF_ERROR(fs_->Write(Join(dir, "cgroup.procs"), absl::StrCat(pid)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CgroupPool::FilePath(UserId id, std::string_view file) const {
  const Group* g = Find(id);
  if (g == nullptr) return absl::NotFoundError(absl::StrCat(ToString(id), " is not managed"));
  const std::string* dir = &g->cpu_dir;
  if (absl::StartsWith(Sv(file), "cpuacct.")) dir = &g->cpuacct_dir;
  if (absl::StartsWith(Sv(file), "memory.")) dir = &g->memory_dir;
  if (absl::StartsWith(Sv(file), "io.") || absl::StartsWith(Sv(file), "blkio.")) {
    dir = &g->blkio_dir;
  }
  if (dir->empty()) {
    return absl::NotFoundError(absl::StrCat("no hierarchy holds ", Sv(file)));
  }
  return Join(*dir, file);
}

std::string CgroupPool::ControllerDir(const Group& g, Resource r) const {
  switch (r) {
    case Resource::kCpu:
      return g.cpu_dir;
    case Resource::kMemory:
      return g.memory_dir;
    default:
      return g.blkio_dir;
  }
}

absl::StatusOr<ResourceVector> CgroupPool::ReadLimits(UserId id) const {
  const Group* g = Find(id);
  if (g == nullptr) return absl::NotFoundError(absl::StrCat(ToString(id), " is not managed"));
  return ReadLimits(*g);
}

absl::StatusOr<ResourceVector> CgroupPool::ReadLimits(const Group& g) const {
  ResourceVector out;
  for (Resource r : kAllResources) {
    FORESIGHT_ASSIGN_OR_RETURN(out[r], ReadLimit(g, r));
  }
  return out;
}

absl::StatusOr<double> CgroupPool::ReadLimit(const Group& g, Resource r) const {
  const double cap = options_.capacity[r];
  if (!supported_[r]) return cap;
  const std::string dir = ControllerDir(g, r);
  auto read = [&](std::string_view file) { return fs_->Read(Join(dir, file)); };
  const bool v2 = version_ == CgroupVersion::kV2;
  double limit = cap;
  if (r == Resource::kCpu) {
    std::string quota_text, period_text;
    if (v2) {
      FORESIGHT_ASSIGN_OR_RETURN(const std::string text, read("cpu.max"));
      std::vector<std::string> parts = absl::StrSplit(Trim(text), ' ', absl::SkipEmpty());
      if (parts.size() != 2) {
        return absl::InvalidArgumentError(
            absl::StrCat("malformed cpu.max '", Trim(text), "' in ", dir));
      }
      quota_text = parts[0];
      period_text = parts[1];
    } else {
      FORESIGHT_ASSIGN_OR_RETURN(quota_text, read("cpu.cfs_quota_us"));
      FORESIGHT_ASSIGN_OR_RETURN(period_text, read("cpu.cfs_period_us"));
    }
    FORESIGHT_ASSIGN_OR_RETURN(const auto quota,
                               internal::ParseLimitValue(quota_text, "cpu quota"));
    FORESIGHT_ASSIGN_OR_RETURN(const auto period,
                               internal::ParseLimitValue(period_text, "cpu period"));
    if (quota.has_value() && period.has_value() && *period > 0) {
      limit = static_cast<double>(*quota) / static_cast<double>(*period);
    }
  } else if (r == Resource::kMemory) {
    const std::string_view file = v2 ? "memory.max" : "memory.limit_in_bytes";
    FORESIGHT_ASSIGN_OR_RETURN(const std::string text, read(file));
    FORESIGHT_ASSIGN_OR_RETURN(const auto bytes, internal::ParseLimitValue(text, file));
    if (bytes.has_value()) limit = static_cast<double>(*bytes);
  } else if (r == Resource::kIo) {
    std::optional<std::uint64_t> rd, wr;
    if (v2) {
      FORESIGHT_ASSIGN_OR_RETURN(const std::string text, read("io.max"));
      FORESIGHT_ASSIGN_OR_RETURN(
          auto fields, internal::ParseNestedKeyedLine(text, options_.io_device, "io.max"));
      if (auto it = fields.find("rbps"); it != fields.end()) rd = it->second;
      if (auto it = fields.find("wbps"); it != fields.end()) wr = it->second;
    } else {
      FORESIGHT_ASSIGN_OR_RETURN(const std::string rtext, read("blkio.throttle.read_bps_device"));
      FORESIGHT_ASSIGN_OR_RETURN(const std::string wtext, read("blkio.throttle.write_bps_device"));
      FORESIGHT_ASSIGN_OR_RETURN(
          rd, internal::ParseBlkioDeviceLimit(rtext, options_.io_device, "read_bps_device"));
      FORESIGHT_ASSIGN_OR_RETURN(
          wr, internal::ParseBlkioDeviceLimit(wtext, options_.io_device, "write_bps_device"));
    }
    if (rd.has_value()) limit = std::min(limit, static_cast<double>(*rd));
    if (wr.has_value()) limit = std::min(limit, static_cast<double>(*wr));
  }
  return std::min(limit, cap);
}

absl::StatusOr<CgroupPool::Counters> CgroupPool::ReadCounters(const Group& g) const {
  Counters c;
  const bool v2 = version_ == CgroupVersion::kV2;
  if (v2 || throttle_observable_) {
    const std::string file = Join(g.cpu_dir, "cpu.stat");
    FORESIGHT_ASSIGN_OR_RETURN(const std::string text, fs_->Read(file));
    FORESIGHT_ASSIGN_OR_RETURN(const auto stat, internal::ParseFlatKeyed(text, file));
    if (auto it = stat.find("nr_throttled"); it != stat.end()) c.throttled = it->second;
    if (v2) {
      if (auto it = stat.find("usage_usec"); it != stat.end()) c.cpu_ns = it->second * 1000;
    }
  }
  if (!v2 && observable_[Resource::kCpu]) {
    const std::string file = Join(g.cpuacct_dir, "cpuacct.usage");
    FORESIGHT_ASSIGN_OR_RETURN(const std::string text, fs_->Read(file));
    FORESIGHT_ASSIGN_OR_RETURN(const auto ns, internal::ParseLimitValue(text, file));
    c.cpu_ns = ns.value_or(0);
  }
  if (observable_[Resource::kMemory]) {
    const std::string current = Join(g.memory_dir, v2 ? "memory.current" : "memory.usage_in_bytes");
    FORESIGHT_ASSIGN_OR_RETURN(const std::string text, fs_->Read(current));
    FORESIGHT_ASSIGN_OR_RETURN(const auto bytes, internal::ParseLimitValue(text, current));
    c.memory_bytes = static_cast<double>(bytes.value_or(0));
    const std::string events = Join(g.memory_dir, v2 ? "memory.events" : "memory.oom_control");
    FORESIGHT_ASSIGN_OR_RETURN(const std::string etext, fs_->Read(events));
    FORESIGHT_ASSIGN_OR_RETURN(const auto ev, internal::ParseFlatKeyed(etext, events));
    for (const char* key : {"oom", "oom_kill"}) {
      if (auto it = ev.find(key); it != ev.end()) c.oom_kills += it->second;
    }
  }
  if (observable_[Resource::kIo]) {
    if (v2) {
      const std::string file = Join(g.blkio_dir, "io.stat");
      FORESIGHT_ASSIGN_OR_RETURN(const std::string text, fs_->Read(file));
      FORESIGHT_ASSIGN_OR_RETURN(c.io_bytes, internal::SumNestedKeyed(text, options_.io_device,
                                                                      {"rbytes", "wbytes"}, file));
    } else {
      const std::string file = Join(g.blkio_dir, "blkio.throttle.io_service_bytes");
      FORESIGHT_ASSIGN_OR_RETURN(const std::string text, fs_->Read(file));
      FORESIGHT_ASSIGN_OR_RETURN(c.io_bytes,
                                 internal::SumBlkioServiceBytes(text, options_.io_device, file));
    }
  }
  return c;
}

absl::Status CgroupPool::Observe(absl::Time now, Observation& out) {
  FORESIGHT_RETURN_IF_ERROR(internal::CheckObserveTime(has_last_time_, last_time_, now));
  // Read everything first so a failure leaves the pool's state untouched.
  std::vector<Counters> counters(groups_.size());
  std::vector<ResourceVector> limits(groups_.size());
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    FORESIGHT_ASSIGN_OR_RETURN(counters[i], ReadCounters(groups_[i]));
    FORESIGHT_ASSIGN_OR_RETURN(limits[i], ReadLimits(groups_[i]));
  }
  const absl::Duration interval = has_last_time_ ? now - last_time_ : absl::ZeroDuration();
  const double seconds = absl::ToDoubleSeconds(interval);
  out.Clear();
  out.time = now;
  out.interval = interval;
  out.host_capacity.push_back(options_.capacity);
  out.users.reserve(groups_.size());
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    Group& g = groups_[i];
    const Counters& c = counters[i];
    UserObservation u;
    u.user = g.id;
    u.host = 0;
    u.allocation = limits[i];
    u.usage.memory() = c.memory_bytes;
    if (g.has_last) {
      u.usage.cpu() = internal::CounterRate(c.cpu_ns, g.last.cpu_ns, 1e-9, seconds);
      u.usage.io() = internal::CounterRate(c.io_bytes, g.last.io_bytes, 1.0, seconds);
      if (c.throttled > g.last.throttled) u.events |= kEventCpuThrottled;
      if (c.oom_kills > g.last.oom_kills) u.events |= kEventOom;
    }
    u.events |= g.pending_events;
    out.users.push_back(u);
    g.last = c;
    g.has_last = true;
    g.pending_events = kEventNone;
  }
  internal::ReportRemoved(removed_, out);
  has_last_time_ = true;
  last_time_ = now;
  return absl::OkStatus();
}

double CgroupPool::Written(Resource r, double target) const {
  switch (r) {
    case Resource::kCpu: {
      const double period = static_cast<double>(absl::ToInt64Microseconds(options_.cpu_period));
      return std::max(static_cast<double>(kMinCpuQuotaUs), std::floor(target * period)) / period;
    }
    case Resource::kMemory:
      return std::floor(target / kPageBytes) * kPageBytes;
    case Resource::kIo:
      return std::max(1.0, std::floor(target));  // 0 would mean "no limit" to v1's blkio
    case Resource::kNet:
      break;
  }
  return target;
}

absl::StatusOr<std::vector<CgroupPool::Write>> CgroupPool::PlanWrites(const Group& g, Resource r,
                                                                      double target) const {
  const std::string dir = ControllerDir(g, r);
  std::vector<Write> writes;
  auto add = [&](std::string_view file, std::string value) -> absl::Status {
    Write w;
    w.file = Join(dir, file);
    FORESIGHT_ASSIGN_OR_RETURN(const std::string old, fs_->Read(w.file));
    w.restore = Trim(old);
    w.value = std::move(value);
    writes.push_back(std::move(w));
    return absl::OkStatus();
  };
  const bool v2 = version_ == CgroupVersion::kV2;
  const std::string& dev = options_.io_device;
  if (r == Resource::kCpu) {
    const auto period = static_cast<std::uint64_t>(absl::ToInt64Microseconds(options_.cpu_period));
    const auto quota =
        static_cast<std::uint64_t>(std::llround(Written(r, target) * static_cast<double>(period)));
    if (v2) {
      FORESIGHT_RETURN_IF_ERROR(add("cpu.max", absl::StrCat(quota, " ", period)));
    } else {
      FORESIGHT_RETURN_IF_ERROR(add("cpu.cfs_period_us", absl::StrCat(period)));
      std::uint64_t old_period = 0;
      if (writes.back().restore == writes.back().value) {
        writes.pop_back();
      } else if (absl::SimpleAtoi(writes.back().restore, &old_period) && period < old_period) {
        // A shorter period raises the old quota's share until the new quota is
        // in: write the quota first (its share under the old period is lower).
        FORESIGHT_RETURN_IF_ERROR(add("cpu.cfs_quota_us", absl::StrCat(quota)));
        std::swap(writes[0], writes[1]);
        return writes;
      }
      FORESIGHT_RETURN_IF_ERROR(add("cpu.cfs_quota_us", absl::StrCat(quota)));
    }
  } else if (r == Resource::kMemory) {
    const double bytes = Written(r, target);
    if (v2) {
      const double high =
          std::floor(bytes * options_.memory_high_fraction / kPageBytes) * kPageBytes;
      FORESIGHT_RETURN_IF_ERROR(add("memory.max", absl::StrFormat("%.0f", bytes)));
      FORESIGHT_RETURN_IF_ERROR(add("memory.high", absl::StrFormat("%.0f", high)));
      // Shrinking lowers memory.high (the soft limit) before memory.max.
      FORESIGHT_ASSIGN_OR_RETURN(const double current, ReadLimit(g, r));
      if (bytes < current) std::swap(writes[0], writes[1]);
    } else {
      FORESIGHT_RETURN_IF_ERROR(add("memory.limit_in_bytes", absl::StrFormat("%.0f", bytes)));
    }
  } else if (r == Resource::kIo) {
    const double bps = Written(r, target);
    if (v2) {
      FORESIGHT_RETURN_IF_ERROR(
          add("io.max", absl::StrFormat("%s rbps=%.0f wbps=%.0f", dev, bps, bps)));
      FORESIGHT_ASSIGN_OR_RETURN(
          auto old, internal::ParseNestedKeyedLine(writes.back().restore, dev, "io.max"));
      auto field = [&](const char* key) {
        auto it = old.find(key);
        return it == old.end() || !it->second.has_value() ? std::string("max")
                                                          : absl::StrCat(*it->second);
      };
      writes.back().restore = absl::StrCat(dev, " rbps=", field("rbps"), " wbps=", field("wbps"));
    } else {
      for (const char* file :
           {"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device"}) {
        FORESIGHT_RETURN_IF_ERROR(add(file, absl::StrFormat("%s %.0f", dev, bps)));
        FORESIGHT_ASSIGN_OR_RETURN(
            const auto old, internal::ParseBlkioDeviceLimit(writes.back().restore, dev, file));
        writes.back().restore = absl::StrCat(dev, " ", old.value_or(0));
      }
    }
  }
  return writes;
}

absl::Status CgroupPool::ApplyOne(Group& g, Resource r, double target, double before,
                                  double& after) {
  after = before;
  FORESIGHT_ASSIGN_OR_RETURN(const std::vector<Write> writes, PlanWrites(g, r, target));
  for (std::size_t i = 0; i < writes.size(); ++i) {
    absl::Status s = fs_->Write(writes[i].file, writes[i].value);
    if (s.ok()) continue;
    std::string restore_error;
    for (std::size_t j = i; j-- > 0;) {
      absl::Status undo = fs_->Write(writes[j].file, writes[j].restore);
      if (!undo.ok()) restore_error = absl::StrCat("; undo failed: ", undo.message());
    }
    absl::StatusOr<double> now = ReadLimit(g, r);
    std::string verdict;
    if (!now.ok()) {
      verdict = absl::StrCat("; the limit could not be re-read: ", now.status().message());
    } else if (std::abs(*now - before) <= 1e-9 * std::max(1.0, before)) {
      verdict = absl::StrCat("; limit left at ", FormatQuantity(before, r), " (verified)");
    } else {
      verdict = absl::StrCat("; limit is now ", FormatQuantity(*now, r), ", was ",
                             FormatQuantity(before, r));
      after = *now;
    }
    return absl::Status(
        s.code(),
        absl::StrCat("set ", Sv(ResourceName(r)), " of ", Describe(g.id, g.name), " to ",
                     FormatQuantity(target, r), ": ", s.message(), restore_error, verdict));
  }
  FORESIGHT_ASSIGN_OR_RETURN(after, ReadLimit(g, r));
  return absl::OkStatus();
}

absl::Status CgroupPool::Apply(absl::Time /*now*/, const AllocationPlan& plan,
                               std::vector<absl::Status>& results) {
  results.assign(plan.size(), absl::OkStatus());
  std::vector<ResourceVector> current(groups_.size());
  ResourceVector sum;
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    absl::StatusOr<ResourceVector> limits = ReadLimits(groups_[i]);
    if (!limits.ok()) {
      const absl::Status error(
          limits.status().code(),
          absl::StrCat("cannot read the limits of ", Describe(groups_[i].id, groups_[i].name), ": ",
                       limits.status().message()));
      results.assign(plan.size(), error);
      return error;
    }
    current[i] = *limits;
    sum += *limits;
  }
  for (std::size_t k = 0; k < plan.moves.size(); ++k) {
    const Move& m = plan.moves[k];
    const Resource r = m.resource;
    auto it = std::find_if(groups_.begin(), groups_.end(),
                           [&](const Group& g) { return g.id == m.user; });
    if (it == groups_.end()) {
      results[k] = absl::NotFoundError(
          absl::StrCat("move ", k, ": ", ToString(m.user), " is not managed by this CgroupPool"));
      continue;
    }
    Group& g = *it;
    const std::size_t i = static_cast<std::size_t>(it - groups_.begin());
    const std::string who =
        absl::StrCat("move ", k, " (", Describe(g.id, g.name), " ", Sv(ResourceName(r)), ")");
    if (m.kind != MoveKind::kResize) {
      results[k] = absl::UnimplementedError(
          absl::StrCat(who, ": CgroupPool only resizes; it cannot ", Sv(MoveKindName(m.kind))));
    } else if (!supported_[r]) {
      results[k] = absl::UnimplementedError(absl::StrCat(who, ": ", unsupported_[r]));
    } else if (!std::isfinite(m.to) || m.to < 0.0) {
      results[k] = absl::InvalidArgumentError(absl::StrCat(who, ": invalid target ", m.to));
    } else if (absl::Status fits = internal::CheckGrowFits(who, r, current[i][r], Written(r, m.to),
                                                           sum[r], options_.capacity[r]);
               !fits.ok()) {
      results[k] = std::move(fits);
    } else {
      const double before = current[i][r];
      double after = before;
      results[k] = ApplyOne(g, r, m.to, before, after);
      sum[r] += after - before;
      current[i][r] = after;
    }
    if (!results[k].ok()) g.pending_events |= kEventActuationFailed;
  }
  return absl::OkStatus();
}

}  // namespace foresight
