#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"

namespace eventface::store {

// The hex SHA-256 of `bytes` (64 lowercase digits): a photo's content hash
// and the name its bytes are stored under.
std::string ContentHash(std::string_view bytes);

// A folder of immutable files named by their content: bytes with hash
// "abcdef..." live at ROOT/ab/cdef..., and that relative path is their key.
// Writes are atomic and durable: a reader sees a whole file or none, also
// after a crash. Several processes (or machines sharing the folder) may
// write at once; equal bytes land on one file.
//
// Thread-safe: it holds no mutable state.
class MediaFolder {
 public:
  // Files go under `root`, which is created on first write if missing.
  explicit MediaFolder(std::filesystem::path root);

  // Stores `bytes` and returns their key ("ab/cdef..."). Storing bytes that
  // are already present just returns the key. Fails with kIoError.
  Result<std::string> Put(std::string_view bytes) const;

  // The bytes stored under `key`. kNotFound if absent, kInvalidArgument if
  // `key` is not a key this class makes, kIoError on a failed read.
  Result<std::string> Read(std::string_view key) const;

  // Removes the file under `key`; succeeds if it is already gone. A key
  // shared by two records (the same bytes uploaded to two events) is the
  // caller's to count before removing.
  Status Remove(std::string_view key) const;

  // Where the file for `key` lives; REQUIRES: IsValidKey(key).
  std::filesystem::path PathOf(std::string_view key) const;

  // Whether `key` has the form Put() returns, so cannot leave the root.
  static bool IsValidKey(std::string_view key);

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace eventface::store
