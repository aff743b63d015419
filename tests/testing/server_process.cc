#include "testing/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <thread>

#include "testing/process.h"

namespace eventface::testing {
namespace {

std::filesystem::path UniqueDirectory() {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("eventface_serve_" + std::to_string(::getpid()) + "_" +
              std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> extra_args)
    : dir_(UniqueDirectory()) {
  std::string port_file = (dir_ / "port").string();
  std::string err_file = (dir_ / "stderr").string();
  std::vector<std::string> args = {EventfaceBinary(), "serve",       "--listen",
                                   "127.0.0.1:0",     "--port-file", port_file};
  args.insert(args.end(), extra_args.begin(), extra_args.end());

  pid_ = ::fork();
  if (pid_ == 0) {
    int null_fd = ::open("/dev/null", O_RDWR);
    int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(err, 2);
    // The default ./data folder lands in the test's own folder.
    if (::chdir(dir_.c_str()) != 0) ::_exit(126);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    if (in >> port_) return;
    port_ = 0;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // it died
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void ServerProcess::Signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

std::optional<int> ServerProcess::WaitForExit(
    std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ServerProcess::ErrorOutput() const {
  std::ifstream in(dir_ / "stderr", std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

}  // namespace eventface::testing
