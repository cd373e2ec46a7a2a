// -----------------------------------------------------------------------------
// File: cgroup_fake_tree.hpp
// -----------------------------------------------------------------------------
//
// A fake cgroup filesystem for tests: a temporary directory with a mountinfo
// file and the kernel's file names, plus `FakeKernelFs`, which plays the
// kernel's part (mkdir populates a group's control files, rmdir removes them,
// "+cpu" is appended to cgroup.subtree_control) and injects write failures.
#ifndef FORESIGHT_TESTS_POOL_CGROUP_FAKE_TREE_HPP_
#define FORESIGHT_TESTS_POOL_CGROUP_FAKE_TREE_HPP_

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "foresight/pool/cgroup_pool.hpp"
#include "foresight/pool/internal/cgroup_fs.hpp"

namespace foresight::testing {

inline void WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

inline std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class FakeKernelFs final : public internal::CgroupFs {
 public:
  FakeKernelFs(CgroupVersion version, std::string root)
      : version_(version), root_(std::move(root)) {}

  absl::StatusOr<std::string> Read(const std::string& path) override { return real_.Read(path); }

  absl::Status Write(const std::string& path, std::string_view value) override {
    for (const auto& [suffix, err] : faults_) {
      if (absl::EndsWith(path, suffix)) {
        return internal::ErrnoStatus(err, absl::StrCat("write '", Sv(value), "' to ", path));
      }
    }
    ++writes_;
    written_.push_back(path.substr(path.rfind('/') + 1));
    if (absl::EndsWith(path, "cgroup.subtree_control")) {
      std::string now = ReadTextFile(path);
      return real_.Write(path, absl::StrCat(now, now.empty() ? "" : " ", Sv(value.substr(1))));
    }
    return real_.Write(path, value);
  }

  absl::Status MakeDir(const std::string& path) override {
    absl::Status s = real_.MakeDir(path);
    if (!s.ok()) return s;
    Populate(path);
    if (version_ == CgroupVersion::kV2) {
      // A child may use what its parent enabled for its children.
      const std::string parent = path.substr(0, path.rfind('/'));
      WriteTextFile(path + "/cgroup.controllers", ReadTextFile(parent + "/cgroup.subtree_control"));
    }
    return s;
  }

  absl::Status RemoveDir(const std::string& path) override {
    if (!std::filesystem::is_directory(path)) return real_.RemoveDir(path);
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      if (entry.is_directory()) return internal::ErrnoStatus(EBUSY, absl::StrCat("rmdir ", path));
    }
    std::filesystem::remove_all(path);
    return absl::OkStatus();
  }

  bool Exists(const std::string& path) override { return real_.Exists(path); }

  // Writes to files whose path ends with `suffix` fail with `err`.
  void FailWrites(std::string suffix, int err) { faults_.emplace_back(std::move(suffix), err); }
  void ClearFaults() { faults_.clear(); }
  int writes() const { return writes_; }
  // File names written, in order.
  const std::vector<std::string>& written() const { return written_; }

  // The files the kernel shows in a new group of the hierarchy `dir` is in.
  void Populate(const std::string& dir) {
    auto put = [&](const char* name, const char* text) { WriteTextFile(dir + "/" + name, text); };
    put("cgroup.procs", "");
    if (version_ == CgroupVersion::kV2) {
      put("cgroup.controllers", "cpu io memory");
      put("cgroup.subtree_control", "");
      put("cpu.max", "max 100000\n");
      put("cpu.stat",
          "usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\nnr_throttled 0\n"
          "throttled_usec 0\n");
      put("memory.max", "max\n");
      put("memory.high", "max\n");
      put("memory.current", "0\n");
      put("memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
      put("io.max", "");
      put("io.stat", "");
      return;
    }
    const std::string rel = dir.substr(root_.size());
    if (absl::StartsWith(rel, "/cpu/") || rel == "/cpu") {
      put("cpu.cfs_quota_us", "-1\n");
      put("cpu.cfs_period_us", "100000\n");
      put("cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n");
    } else if (absl::StartsWith(rel, "/cpuacct")) {
      put("cpuacct.usage", "0\n");
    } else if (absl::StartsWith(rel, "/memory")) {
      put("memory.limit_in_bytes", "9223372036854771712\n");
      put("memory.usage_in_bytes", "0\n");
      put("memory.failcnt", "0\n");
      put("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
    } else if (absl::StartsWith(rel, "/blkio")) {
      put("blkio.throttle.read_bps_device", "");
      put("blkio.throttle.write_bps_device", "");
      put("blkio.throttle.io_service_bytes", "Total 0\n");
    }
  }

 private:
  CgroupVersion version_;
  std::string root_;
  internal::PosixCgroupFs real_;
  std::vector<std::pair<std::string, int>> faults_;
  int writes_ = 0;
  std::vector<std::string> written_;
};

// A temporary tree laid out like /sys/fs/cgroup, removed on destruction.
class FakeCgroupTree {
 public:
  explicit FakeCgroupTree(CgroupVersion version) : version_(version) {
    char templ[] = "/tmp/foresight-cgroup-test-XXXXXX";
    root_ = ::mkdtemp(templ);
    fs_ = std::make_shared<FakeKernelFs>(version, root_);
    std::string mountinfo;
    if (version == CgroupVersion::kV2) {
      std::filesystem::create_directories(root_ + "/unified");
      fs_->Populate(root_ + "/unified");
      WriteTextFile(root_ + "/unified/cgroup.subtree_control", "cpu io memory");
      mountinfo =
          absl::StrCat("41 31 0:38 / ", root_, "/unified rw,relatime - cgroup2 cgroup2 rw\n");
    } else {
      int id = 32;
      for (const char* c : {"cpu", "cpuacct", "memory", "blkio"}) {
        std::filesystem::create_directories(root_ + "/" + c);
        fs_->Populate(root_ + "/" + c);
        absl::StrAppend(&mountinfo, id, " 31 0:", id - 3, " / ", root_, "/", c,
                        " rw,relatime - cgroup cgroup rw,", c, "\n");
        ++id;
      }
    }
    WriteTextFile(root_ + "/mountinfo", mountinfo);
  }
  ~FakeCgroupTree() { std::filesystem::remove_all(root_); }
  FakeCgroupTree(const FakeCgroupTree&) = delete;
  FakeCgroupTree& operator=(const FakeCgroupTree&) = delete;

  // 4 cores, 8 GiB, 100 MiB/s on device 8:0.
  CgroupPoolOptions Options() const {
    CgroupPoolOptions o;
    o.version = CgroupVersion::kAuto;
    o.group = "fs";
    o.mountinfo_path = root_ + "/mountinfo";
    o.capacity = MakeResources(4.0, 8.0 * (1 << 30), 100.0 * (1 << 20), 0.0);
    o.io_device = "8:0";
    return o;
  }

  // Path of `file` of user group `name` ("a") in the hierarchy of `controller`.
  std::string File(const std::string& name, const std::string& file) const {
    if (version_ == CgroupVersion::kV2) return absl::StrCat(root_, "/unified/fs/", name, "/", file);
    std::string hierarchy = file.substr(0, file.find('.'));
    if (hierarchy == "cgroup") hierarchy = "cpu";
    return absl::StrCat(root_, "/", hierarchy, "/fs/", name, "/", file);
  }
  std::string Get(const std::string& name, const std::string& file) const {
    return ReadTextFile(File(name, file));
  }
  void Set(const std::string& name, const std::string& file, const std::string& text) const {
    WriteTextFile(File(name, file), text);
  }

  const std::string& root() const { return root_; }
  const std::shared_ptr<FakeKernelFs>& fs() const { return fs_; }

 private:
  CgroupVersion version_;
  std::string root_;
  std::shared_ptr<FakeKernelFs> fs_;
};

}  // namespace foresight::testing

#endif  // FORESIGHT_TESTS_POOL_CGROUP_FAKE_TREE_HPP_
