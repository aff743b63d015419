#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace eventface::testing {

// The shared data folder ($EVENTFACE_SHARED, default ../shared beside the
// source tree), or nullopt when it is absent.
std::optional<std::filesystem::path> SharedDir();

// The face-api model folder the engine would load.
std::filesystem::path ModelDir();

// Reads a raw little-endian float32 fixture; fails the test (and returns
// an empty vector) when its size is not `count` values.
std::vector<float> ReadF32(const std::filesystem::path& path, size_t count);

// Reads a whole file as bytes.
std::string ReadBytes(const std::filesystem::path& path);

}  // namespace eventface::testing

// Skips the current test, saying why, when the shared data is absent.
#define EVENTFACE_REQUIRE_SHARED(dir_variable)                            \
  auto dir_variable##_optional = ::eventface::testing::SharedDir();       \
  if (!dir_variable##_optional) {                                         \
    GTEST_SKIP() << "shared data not found: set EVENTFACE_SHARED or put " \
                    "it at ../shared beside the source tree";             \
  }                                                                       \
  const std::filesystem::path dir_variable = *dir_variable##_optional
