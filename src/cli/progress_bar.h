#pragma once

#include <cstdio>
#include <mutex>
#include <string>

namespace eventface::cli {

// A one-line progress bar redrawn in place on a terminal; silent when the
// stream is not a terminal, so piped output and logs stay clean.
// Thread-safe.
class ProgressBar {
 public:
  ProgressBar(std::FILE* stream, std::string label, int total);
  ~ProgressBar();

  // Counts one more item done and redraws.
  void Advance();

 private:
  std::FILE* stream_;
  std::string label_;
  int total_;
  bool enabled_;
  std::mutex mutex_;
  int done_ = 0;  // guarded by mutex_
};

}  // namespace eventface::cli
