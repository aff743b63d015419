// `eventface serve` as a child process, for end-to-end tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace eventface::testing {

// Starts `eventface serve --listen 127.0.0.1:0 --port-file F` plus
// `extra_args`, and waits for it to write its port. The destructor kills
// the child (SIGKILL) if it still runs and removes its files, so a failed
// test never leaves a server behind.
class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> extra_args = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // The port it listens on, or 0 when it did not start within 20 s.
  int port() const { return port_; }

  // Sends `signal` to the child.
  void Signal(int signal);

  // Its exit code once it exits within `timeout`; -1 when a signal ended
  // it; nullopt when it is still running.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);

  // Everything it has written to standard error so far.
  std::string ErrorOutput() const;

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace eventface::testing
