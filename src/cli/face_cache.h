#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/face.h"

namespace eventface::cli {

// The faces of photos already analysed, one JSON file per photo named by
// the BLAKE2b hash of its bytes, so a renamed or copied photo is still
// found and an edited one is analysed again. Each file records the engine
// version that wrote it; files of another version are ignored. Safe for
// several threads and processes: writes go through a temporary file and a
// rename.
class FaceCache {
 public:
  // Bumped whenever the engine would find different faces in the same
  // bytes, so that stale entries are not reused.
  static constexpr int kEngineVersion = 1;

  explicit FaceCache(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // $EVENTFACE_CACHE, else $XDG_CACHE_HOME/eventface, else
  // ~/.cache/eventface.
  static std::filesystem::path DefaultDirectory();

  // The key of a photo's bytes: 64 hex digits.
  static std::string ContentKey(std::string_view bytes);

  // The faces stored under `key`, or nullopt when none are (or the entry
  // is unreadable or from another engine version).
  std::optional<std::vector<engine::Face>> Find(const std::string& key) const;

  // Stores `faces` under `key`. Fails with kIoError when the folder cannot
  // be written.
  Status Store(const std::string& key,
               const std::vector<engine::Face>& faces) const;

 private:
  std::filesystem::path PathFor(const std::string& key) const;

  std::filesystem::path dir_;
};

}  // namespace eventface::cli
