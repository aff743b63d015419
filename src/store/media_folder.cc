#include "store/media_folder.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

namespace eventface::store {

namespace {

Error IoError(const std::filesystem::path& path, std::string_view what,
              int error_number) {
  return Error{ErrorCode::kIoError, path.string() + ": " + std::string(what) +
                                        ": " + std::strerror(error_number)};
}

Status WriteAll(int fd, std::string_view bytes,
                const std::filesystem::path& path) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return IoError(path, "write", errno);
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return Status();
}

// Makes a directory's entries (a rename into it, a new subfolder) survive
// a crash; on Linux that takes an fsync of the directory itself.
Status SyncFolder(const std::filesystem::path& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError(folder, "open", errno);
  int result = ::fsync(fd);
  int error_number = errno;
  ::close(fd);
  if (result != 0) return IoError(folder, "fsync", error_number);
  return Status();
}

// Writes `bytes` to a new temporary file in `folder`, synced to disk, and
// returns its path; the caller renames it into place.
Result<std::filesystem::path> WriteTemporary(
    const std::filesystem::path& folder, std::string_view bytes) {
  std::string name = (folder / ".tmp-XXXXXX").string();
  int fd = ::mkstemp(name.data());
  if (fd < 0) return IoError(folder, "create temporary file", errno);

  Status status = WriteAll(fd, bytes, name);
  if (status.ok() && ::fsync(fd) != 0) status = IoError(name, "fsync", errno);
  if (::close(fd) != 0 && status.ok()) status = IoError(name, "close", errno);
  if (!status.ok()) {
    ::unlink(name.c_str());
    return status.error();
  }
  return std::filesystem::path(name);
}

Status CreateFolder(const std::filesystem::path& root,
                    const std::filesystem::path& folder) {
  std::error_code error;
  bool created = std::filesystem::create_directories(folder, error);
  if (error) return IoError(folder, "create folder", error.value());
  return created ? SyncFolder(root) : Status();
}

}  // namespace

std::string ContentHash(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest,
                     reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

MediaFolder::MediaFolder(std::filesystem::path root) : root_(std::move(root)) {
  // Picks libsodium's implementations; idempotent and thread-safe.
  [[maybe_unused]] int initialised = sodium_init();
  assert(initialised >= 0);
}

bool MediaFolder::IsValidKey(std::string_view key) {
  if (key.size() != 65 || key[2] != '/') return false;
  for (size_t i = 0; i < key.size(); ++i) {
    if (i == 2) continue;
    char c = key[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::filesystem::path MediaFolder::PathOf(std::string_view key) const {
  assert(IsValidKey(key));
  return root_ / std::string(key.substr(0, 2)) / std::string(key.substr(3));
}

Result<std::string> MediaFolder::Put(std::string_view bytes) const {
  std::string hash = ContentHash(bytes);
  std::string key = hash.substr(0, 2) + "/" + hash.substr(2);
  std::filesystem::path path = PathOf(key);
  std::error_code error;
  if (std::filesystem::exists(path, error)) return key;

  Status created = CreateFolder(root_, path.parent_path());
  if (!created.ok()) return created.error();
  auto temporary = WriteTemporary(path.parent_path(), bytes);
  if (!temporary.ok()) return temporary.error();

  // rename() replaces atomically: a concurrent writer of the same bytes
  // leaves the same content, so losing that race is harmless.
  if (::rename(temporary->c_str(), path.c_str()) != 0) {
    int error_number = errno;
    ::unlink(temporary->c_str());
    return IoError(path, "rename", error_number);
  }
  Status synced = SyncFolder(path.parent_path());
  if (!synced.ok()) return synced.error();
  return key;
}

Result<std::string> MediaFolder::Read(std::string_view key) const {
  if (!IsValidKey(key)) {
    return Error{ErrorCode::kInvalidArgument,
                 "media key '" + std::string(key) + "': malformed"};
  }
  std::filesystem::path path = PathOf(key);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return Error{ErrorCode::kNotFound, path.string() + ": not found"};
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return IoError(path, "open", errno);
  std::string bytes((std::istreambuf_iterator<char>(file)),
                    std::istreambuf_iterator<char>());
  if (file.bad()) return IoError(path, "read", errno);
  return bytes;
}

Status MediaFolder::Remove(std::string_view key) const {
  if (!IsValidKey(key)) {
    return Error{ErrorCode::kInvalidArgument,
                 "media key '" + std::string(key) + "': malformed"};
  }
  std::filesystem::path path = PathOf(key);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return IoError(path, "remove", errno);
  }
  return Status();
}

}  // namespace eventface::store
