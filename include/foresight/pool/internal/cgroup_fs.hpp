// -----------------------------------------------------------------------------
// File: internal/cgroup_fs.hpp
// -----------------------------------------------------------------------------
//
// The small filesystem interface `CgroupPool` does all its IO through: read a
// control file, write one value into it, make and remove a group directory.
// `PosixCgroupFs` is the real thing (open/read/write/close, one write(2) per
// value as the kernel expects); tests run the same pool against a temporary
// directory holding the same file names, or wrap it to inject write failures.
//
// Every error names the path and the errno text, e.g.
//   "write '50000 100000' to /sys/fs/cgroup/a/cpu.max: Invalid argument (errno 22)".
#ifndef FORESIGHT_POOL_INTERNAL_CGROUP_FS_HPP_
#define FORESIGHT_POOL_INTERNAL_CGROUP_FS_HPP_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace foresight::internal {

class CgroupFs {
 public:
  virtual ~CgroupFs() = default;

  // The whole content of `path`.
  virtual absl::StatusOr<std::string> Read(const std::string& path) = 0;
  // Writes `value` into the existing file `path` with a single write(2).
  virtual absl::Status Write(const std::string& path, std::string_view value) = 0;
  // mkdir(2); AlreadyExistsError when it exists.
  virtual absl::Status MakeDir(const std::string& path) = 0;
  // rmdir(2).
  virtual absl::Status RemoveDir(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
};

class PosixCgroupFs final : public CgroupFs {
 public:
  absl::StatusOr<std::string> Read(const std::string& path) override;
  absl::Status Write(const std::string& path, std::string_view value) override;
  absl::Status MakeDir(const std::string& path) override;
  absl::Status RemoveDir(const std::string& path) override;
  bool Exists(const std::string& path) override;
};

// A status of the code matching `errno_value` whose message names what was
// attempted and the errno: "<what>: <strerror> (errno N)".
absl::Status ErrnoStatus(int errno_value, std::string_view what);

}  // namespace foresight::internal

#endif  // FORESIGHT_POOL_INTERNAL_CGROUP_FS_HPP_
