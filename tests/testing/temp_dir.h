#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>

namespace eventface::testing {

// A fixture that gives each test an empty scratch folder of its own: made
// in SetUp, removed with everything in it in TearDown. The folder is named
// after `prefix` and the process id, which is unique because CTest runs
// each test in a process of its own.
class TempDirTest : public ::testing::Test {
 protected:
  explicit TempDirTest(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override;
  void TearDown() override;

  // The scratch folder; valid between SetUp and TearDown.
  const std::filesystem::path& temp_dir() const { return dir_; }

  // Writes `bytes` to the file `name` in the scratch folder, replacing it.
  void Write(const std::string& name, const std::string& bytes) const;

 private:
  std::string prefix_;
  std::filesystem::path dir_;
};

}  // namespace eventface::testing
