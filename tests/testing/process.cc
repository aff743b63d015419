#include "testing/process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace eventface::testing {
namespace {

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& args,
                         const std::string& input) {
  // Input and output go through files rather than pipes, so neither side
  // can block on a full pipe while the other waits.
  auto base = std::filesystem::temp_directory_path() /
              ("eventface_process_" + std::to_string(::getpid()));
  std::string in_path = base.string() + ".in";
  std::string out_path = base.string() + ".out";
  std::string err_path = base.string() + ".err";
  std::ofstream(in_path, std::ios::binary) << input;

  pid_t child = ::fork();
  if (child == 0) {
    int input_fd = ::open(in_path.c_str(), O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(input_fd, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> argv;
    for (const std::string& arg : args) {
      argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }

  ProcessResult result;
  int status = 0;
  ::waitpid(child, &status, 0);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.out = Slurp(out_path);
  result.err = Slurp(err_path);
  std::filesystem::remove(in_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return result;
}

std::string EventfaceBinary() {
  const char* binary = std::getenv("EVENTFACE_BINARY");
  return binary ? binary : "eventface";
}

}  // namespace eventface::testing
