#include <pthread.h>
#include <signal.h>

#include <fstream>
#include <iterator>

#include "cli/commands.h"
#include "engine/tfjs_weights.h"

namespace eventface::cli {

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return Error{ErrorCode::kNotFound, path.string() + ": not a file"};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{ErrorCode::kIoError, path.string() + ": cannot be opened"};
  }
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  if (in.bad()) {
    return Error{ErrorCode::kIoError, path.string() + ": cannot be read"};
  }
  return bytes;
}

Result<engine::FaceAnalyzer> LoadAnalyzer(const std::string& model_dir) {
  std::filesystem::path dir = model_dir;
  if (dir.empty()) {
    auto resolved = engine::ResolveModelDirectory();
    if (!resolved) return std::move(resolved).error();
    dir = *resolved;
  }
  return engine::FaceAnalyzer::Load(dir);
}

// Blocks SIGINT and SIGTERM in this thread and every thread it starts
// later, so that WaitForStopSignal() alone receives them.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int WaitForStopSignal(const sigset_t& signals) {
  int signal = 0;
  sigwait(&signals, &signal);
  return signal;
}

}  // namespace eventface::cli
