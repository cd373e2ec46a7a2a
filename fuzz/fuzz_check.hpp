// -----------------------------------------------------------------------------
// File: fuzz_check.hpp
// -----------------------------------------------------------------------------
//
// What the fuzz targets share: `FUZZ_CHECK(cond, ...)` aborts with the failed
// condition and a message, so libFuzzer (or the corpus replay) stops on a
// broken invariant as it does on a crash; `ScratchDir()` is a directory of
// this process's own for targets that must write their input to disk.
#ifndef FORESIGHT_FUZZ_FUZZ_CHECK_HPP_
#define FORESIGHT_FUZZ_FUZZ_CHECK_HPP_

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/status.h"

#define FUZZ_CHECK(cond, ...)                                                  \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: ", __FILE__, __LINE__, \
                   #cond);                                                     \
      std::fprintf(stderr, __VA_ARGS__);                                       \
      std::fputc('\n', stderr);                                                \
      std::abort();                                                            \
    }                                                                          \
  } while (0)

namespace foresight::fuzz {

// A fresh directory under the system's temporary directory, made once per
// process and removed at exit. The path is never destroyed: the exit handler
// is registered while it is being made, so it runs after any static's
// destructor would.
inline const std::filesystem::path& ScratchDir() {
  static const std::filesystem::path* const dir = [] {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "foresight-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    const auto* made = new std::filesystem::path(pattern);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(ScratchDir(), ec);
    });
    return made;
  }();
  return *dir;
}

// FORESIGHT_FUZZ_VERBOSE=1 in the environment: targets print each input's
// outcome to stderr (what a corpus input exercises, why a crasher failed).
inline bool Verbose() {
  static const bool verbose = std::getenv("FORESIGHT_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

// An error a parser may return for bad input: a code that names a caller's
// problem, with a message. Internal or Unknown would be a bug.
inline bool IsInputError(const absl::Status& s) {
  if (s.message().empty()) return false;
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

}  // namespace foresight::fuzz

#endif  // FORESIGHT_FUZZ_FUZZ_CHECK_HPP_
