#include "cli/progress_bar.h"

#include <unistd.h>

namespace eventface::cli {

namespace {
constexpr int kBarWidth = 30;
}  // namespace

ProgressBar::ProgressBar(std::FILE* stream, std::string label, int total)
    : stream_(stream),
      label_(std::move(label)),
      total_(total),
      enabled_(total > 0 && ::isatty(::fileno(stream))) {}

ProgressBar::~ProgressBar() {
  // Leave the terminal on a fresh line for whatever is printed next.
  if (enabled_ && done_ > 0) std::fputc('\n', stream_);
}

void ProgressBar::Advance() {
  std::lock_guard lock(mutex_);
  ++done_;
  if (!enabled_) return;
  int filled = done_ * kBarWidth / total_;
  std::string bar(filled, '#');
  bar.resize(kBarWidth, '.');
  std::fprintf(stream_, "\r%s [%s] %d/%d", label_.c_str(), bar.c_str(), done_,
               total_);
  std::fflush(stream_);
}

}  // namespace eventface::cli
