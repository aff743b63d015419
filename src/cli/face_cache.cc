#include "cli/face_cache.h"

#include <sodium.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/face_json.h"

namespace eventface::cli {

using nlohmann::json;

std::filesystem::path FaceCache::DefaultDirectory() {
  if (const char* dir = std::getenv("EVENTFACE_CACHE"); dir && *dir) {
    return dir;
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return std::filesystem::path(xdg) / "eventface";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : ".") / ".cache" /
         "eventface";
}

std::string FaceCache::ContentKey(std::string_view bytes) {
  unsigned char hash[32];
  crypto_generichash(hash, sizeof hash,
                     reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return hex;
}

std::filesystem::path FaceCache::PathFor(const std::string& key) const {
  // Two-character fan-out keeps folders small for large photo sets.
  return dir_ / key.substr(0, 2) / (key + ".json");
}

std::optional<std::vector<engine::Face>> FaceCache::Find(
    const std::string& key) const {
  std::ifstream in(PathFor(key));
  if (!in) return std::nullopt;
  json entry = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (entry.is_discarded() || entry.value("engine", 0) != kEngineVersion ||
      !entry.contains("faces") || !entry["faces"].is_array()) {
    return std::nullopt;
  }
  std::vector<engine::Face> faces;
  for (const json& item : entry["faces"]) {
    auto face = FaceFromJson(item);
    if (!face) return std::nullopt;
    faces.push_back(*face);
  }
  return faces;
}

Status FaceCache::Store(const std::string& key,
                        const std::vector<engine::Face>& faces) const {
  json entry = {{"engine", kEngineVersion}, {"faces", json::array()}};
  for (const engine::Face& face : faces) {
    entry["faces"].push_back(FaceToJson(face, /*with_embedding=*/true));
  }

  std::filesystem::path target = PathFor(key);
  std::error_code error;
  std::filesystem::create_directories(target.parent_path(), error);
  // A name unique to this process and call, so concurrent writers of the
  // same key never share a temporary file; the rename is atomic.
  static std::atomic<int> counter{0};
  std::filesystem::path temporary = target.string() + ".tmp." +
                                    std::to_string(::getpid()) + "." +
                                    std::to_string(counter++);
  {
    std::ofstream out(temporary);
    out << entry.dump();
    if (!out.flush()) {
      std::filesystem::remove(temporary, error);
      return Error{ErrorCode::kIoError,
                   "face cache " + dir_.string() + ": cannot write"};
    }
  }
  std::filesystem::rename(temporary, target, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    return Error{ErrorCode::kIoError, "face cache " + dir_.string() +
                                          ": cannot write: " + error.message()};
  }
  return {};
}

}  // namespace eventface::cli
