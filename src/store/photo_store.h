#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "engine/face.h"
#include "store/transaction.h"

namespace eventface::store {

// Where a photo is in its life: uploaded and waiting for its index job,
// analysed (its faces stored), or given up on (`error` says why).
enum class PhotoState { kQueued, kIndexed, kFailed };

// A photo that was just uploaded to an event.
struct NewPhoto {
  int64_t event_id = 0;
  std::string content_hash;  // hex SHA-256 of the original's bytes
  std::string media_key;     // where MediaFolder keeps the original
  Timestamp uploaded_at;
};

// What Add() did: the photo's id, and whether this upload created it.
struct AddedPhoto {
  int64_t id = 0;
  bool is_new = false;
};

// A photo as the photographer's listing shows it.
struct Photo {
  int64_t id = 0;
  int64_t event_id = 0;
  std::string content_hash;
  std::string media_key;
  PhotoState state = PhotoState::kQueued;
  std::optional<std::string> error;  // set when state is kFailed
  std::optional<int> width;          // pixels of the upright image, once
  std::optional<int> height;         // indexed
  int face_count = 0;
  Timestamp uploaded_at;
  std::optional<Timestamp> indexed_at;
  // Media keys of the JPEG renditions, once indexed.
  std::optional<std::string> thumbnail_key;
  std::optional<std::string> preview_key;
};

// The photos of events, and the faces an index job found in them. A short-
// lived view on one transaction: construct it inside WithTransaction() and
// drop it before that returns. Not thread-safe, like the transaction.
// Every method fails with kInternal when the database does.
class PhotoStore {
 public:
  explicit PhotoStore(Transaction& tx) : tx_(tx) {}

  // Adds `photo` unless its event already has a photo with the same
  // content hash; then returns the existing photo's id with is_new false
  // and changes nothing. Safe against concurrent uploads of the same bytes.
  Result<AddedPhoto> Add(const NewPhoto& photo);

  // The photo with `id`; kNotFound if there is none.
  Result<Photo> Get(int64_t id);

  // The photos of `event_id`, oldest upload first.
  Result<std::vector<Photo>> ListByEvent(int64_t event_id);

  // Records the outcome of indexing photo `id`: its upright size and its
  // faces, replacing any faces (and their matches) from an earlier run, so
  // that indexing twice leaves one set. Returns the new faces' ids in the
  // order of `faces`. kNotFound if the photo is gone.
  Result<std::vector<int64_t>> SetIndexed(int64_t id, int width, int height,
                                          std::span<const engine::Face> faces,
                                          Timestamp indexed_at);

  // Records where the renditions of photo `id` are kept. kNotFound if the
  // photo is gone.
  Status SetRenditions(int64_t id, const std::string& thumbnail_key,
                       const std::string& preview_key);

  // Marks photo `id` failed with `error`, a sentence for the photographer.
  // kNotFound if the photo is gone.
  Status MarkFailed(int64_t id, const std::string& error);

  // Deletes photo `id` with its faces, matches and "not me" marks; the
  // media file is the caller's to remove. kNotFound if there is none.
  Status Delete(int64_t id);

 private:
  Transaction& tx_;
};

}  // namespace eventface::store
