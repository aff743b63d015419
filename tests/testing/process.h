#pragma once

#include <string>
#include <vector>

namespace eventface::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// Runs `args` (args[0] is the program) to completion with `input` as its
// standard input, capturing its output and error streams.
ProcessResult RunProcess(const std::vector<std::string>& args,
                         const std::string& input = "");

// The eventface binary under test ($EVENTFACE_BINARY, set by CTest).
std::string EventfaceBinary();

}  // namespace eventface::testing
