#include "testing/temp_dir.h"

#include <unistd.h>

#include <fstream>

namespace eventface::testing {

void TempDirTest::SetUp() {
  dir_ = std::filesystem::temp_directory_path() /
         (prefix_ + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir_);
}

void TempDirTest::TearDown() { std::filesystem::remove_all(dir_); }

void TempDirTest::Write(const std::string& name,
                        const std::string& bytes) const {
  std::ofstream(dir_ / name, std::ios::binary) << bytes;
}

}  // namespace eventface::testing
