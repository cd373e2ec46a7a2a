// -----------------------------------------------------------------------------
// File: cgroup_fs.cpp
// -----------------------------------------------------------------------------
#include "foresight/pool/internal/cgroup_fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "foresight/core/absl_compat.hpp"

namespace foresight::internal {

absl::Status ErrnoStatus(int errno_value, std::string_view what) {
  return absl::Status(absl::ErrnoToStatusCode(errno_value),
                      absl::StrCat(Sv(what), ": ", std::generic_category().message(errno_value),
                                   " (errno ", errno_value, ")"));
}

absl::StatusOr<std::string> PosixCgroupFs::Read(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, absl::StrCat("open ", path));
  std::string out;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return ErrnoStatus(e, absl::StrCat("read ", path));
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

absl::Status PosixCgroupFs::Write(const std::string& path, std::string_view value) {
  const std::string what = absl::StrCat("write '", Sv(value), "' to ", path);
  // O_TRUNC is ignored by cgroupfs and makes a plain file (the test tree) hold
  // exactly the value written.
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, what);
  ssize_t n = 0;
  do {
    n = ::write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  const int e = errno;
  if (::close(fd) != 0 && n >= 0) return ErrnoStatus(errno, what);
  if (n < 0) return ErrnoStatus(e, what);
  if (static_cast<std::size_t>(n) != value.size()) {
    return absl::DataLossError(absl::StrCat(what, ": short write of ", n, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status PosixCgroupFs::MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0) return ErrnoStatus(errno, absl::StrCat("mkdir ", path));
  return absl::OkStatus();
}

absl::Status PosixCgroupFs::RemoveDir(const std::string& path) {
  if (::rmdir(path.c_str()) != 0) return ErrnoStatus(errno, absl::StrCat("rmdir ", path));
  return absl::OkStatus();
}

bool PosixCgroupFs::Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace foresight::internal
