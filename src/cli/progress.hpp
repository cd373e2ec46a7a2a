// -----------------------------------------------------------------------------
// File: progress.hpp
// -----------------------------------------------------------------------------
//
// A progress bar on stderr, drawn only when stderr is a terminal (so logs and
// CI output stay clean). Thread-safe: workers call `Advance()`.
#ifndef FORESIGHT_SRC_CLI_PROGRESS_HPP_
#define FORESIGHT_SRC_CLI_PROGRESS_HPP_

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

namespace foresight::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::size_t total)
      : label_(std::move(label)), total_(total ? total : 1), enabled_(isatty(STDERR_FILENO)) {}
  ~ProgressBar() { Finish(); }

  void Advance(std::size_t n = 1) {
    const std::size_t done = done_.fetch_add(n) + n;
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    Draw(done);
  }
  void Finish() {
    if (!enabled_ || finished_) return;
    std::lock_guard<std::mutex> lock(mu_);
    Draw(total_);
    std::fputc('\n', stderr);
    finished_ = true;
  }

 private:
  void Draw(std::size_t done) {
    constexpr int kWidth = 40;
    const double f = static_cast<double>(std::min(done, total_)) / static_cast<double>(total_);
    const int fill = static_cast<int>(f * kWidth);
    std::fprintf(stderr, "\r%-24s [%.*s%*s] %5.1f%%", label_.c_str(), fill,
                 "========================================", kWidth - fill, "", 100.0 * f);
    std::fflush(stderr);
  }

  std::string label_;
  std::size_t total_;
  bool enabled_;
  bool finished_ = false;
  std::atomic<std::size_t> done_{0};
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace foresight::cli

#endif  // FORESIGHT_SRC_CLI_PROGRESS_HPP_
